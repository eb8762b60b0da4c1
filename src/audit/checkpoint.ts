/**
 * Checkpoints in the C2SP tlog-checkpoint format, signed as C2SP signed notes:
 *
 *     <origin>\n<tree size>\n<base64 root hash>\ntime <ISO-8601 UTC>\n\n— <key name> <base64(key id || signature)>\n
 *
 * The signature (Ed25519) covers the note text: every line up to and including the newline before the
 * blank line. `time` is an extension line, so it is signed too.
 */
import { sign, verify } from 'node:crypto';
import type { NoteSigner, NoteVerifier } from './signing-key.js';

export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Buffer;
  time: string;
}

export interface SignedCheckpoint extends Checkpoint {
  /** The whole signed note, text and signature lines. */
  note: string;
}

const EM_DASH = '\u2014';

export function checkpointBody(c: Checkpoint): string {
  return `${c.origin}\n${c.size}\n${c.rootHash.toString('base64')}\ntime ${c.time}\n`;
}

export function signCheckpoint(c: Checkpoint, signer: NoteSigner): SignedCheckpoint {
  const body = checkpointBody(c);
  const signature = sign(null, Buffer.from(body, 'utf8'), signer.privateKey);
  const line = `${EM_DASH} ${signer.name} ${Buffer.concat([signer.keyId, signature]).toString('base64')}\n`;
  return { ...c, note: `${body}\n${line}` };
}

export type CheckpointResult = { ok: true; checkpoint: SignedCheckpoint } | { ok: false; reason: string };

/** Parses a signed note and checks it carries a valid signature by `verifier` (other signatures are ignored). */
export function openCheckpoint(note: string, verifier: NoteVerifier): CheckpointResult {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return { ok: false, reason: 'not a signed note' };
  const body = note.slice(0, split + 1);
  const sigLines = note.slice(split + 2, -1).split('\n');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) return { ok: false, reason: 'checkpoint has fewer than three lines' };
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) return { ok: false, reason: 'bad tree size line' };
  const rootHash = Buffer.from(rootText, 'base64');
  if (rootHash.length !== 32 || rootHash.toString('base64') !== rootText) return { ok: false, reason: 'bad root hash line' };
  const timeLine = lines.slice(3).find((l) => l.startsWith('time '));
  if (origin !== verifier.name) return { ok: false, reason: `origin \`${origin}\` is not the verifier's \`${verifier.name}\`` };
  let sawKey = false;
  for (const line of sigLines) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/u.exec(line);
    if (!m || m[1] !== verifier.name) continue;
    const raw = Buffer.from(m[2]!, 'base64');
    if (raw.length !== 68 || !raw.subarray(0, 4).equals(verifier.keyId)) continue;
    sawKey = true;
    if (verify(null, Buffer.from(body, 'utf8'), verifier.publicKey, raw.subarray(4))) {
      return { ok: true, checkpoint: { origin, size: Number(sizeText), rootHash, time: timeLine ? timeLine.slice(5) : '', note } };
    }
  }
  return { ok: false, reason: sawKey ? 'signature does not verify' : 'no signature by the log key' };
}
