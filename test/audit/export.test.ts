/** Exports of a segment and their offline verification with only the public key. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { openAuditView, parseVerifierKey, verifierKeyFromFile, verifierKeyString, verifyExport, writeExport } from '../../src/audit/index.js';
import { noteKeyId, rawPublicKey } from '../../src/audit/signing-key.js';
import { runCli } from '../../src/cli/run.js';
import { buildLog, captureIo, tempDir } from './helpers.js';

const base = tempDir();
const dataDir = join(base.dir, 'data');
await buildLog(dataDir, 600, 100);
const vkey = verifierKeyFromFile(join(dataDir, 'audit-signing.key'), 'warden.local/audit');
const verifier = parseVerifierKey(vkey);
test.after(() => base.cleanup());

async function exportText(from?: number, to?: number): Promise<string> {
  const view = openAuditView(dataDir);
  let text = '';
  try {
    await writeExport(view, { origin: 'warden.local/audit', verifierKey: vkey }, { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) }, (l) => (text += l));
  } finally {
    view.close();
  }
  return text;
}

test('segments verify offline: whole log, a middle segment ending between checkpoints, a segment from 0', async () => {
  for (const [from, to] of [[undefined, undefined], [150, 420], [0, 100], [333, 334], [600, 600]] as const) {
    const report = verifyExport(await exportText(from, to), verifier);
    assert.equal(report.ok, true, `${from}..${to}: ${JSON.stringify(report.problems)}`);
    assert.ok(report.checkpointsVerified >= 1 || from === 600);
  }
});

test('a modified, removed or swapped line in an export is found and placed', async () => {
  const lines = (await exportText(150, 420)).split('\n');
  const modified = [...lines];
  modified[1 + 50] = modified[1 + 50]!.replace('"success"', '"failure"');
  let r = verifyExport(modified.join('\n'), verifier);
  assert.equal(r.ok, false);
  assert.ok(r.problems.some((p) => p.kind === 'root_mismatch' && p.position <= 200 && p.through! >= 200), JSON.stringify(r.problems));

  const removed = [...lines];
  removed.splice(1 + 100, 1);
  r = verifyExport(removed.join('\n'), verifier);
  assert.equal(r.ok, false);
  assert.ok(r.problems.some((p) => p.kind === 'entries_deleted' && p.position === 250), JSON.stringify(r.problems));

  const swapped = [...lines];
  [swapped[11], swapped[21]] = [swapped[21]!, swapped[11]!];
  r = verifyExport(swapped.join('\n'), verifier);
  assert.ok(r.problems.some((p) => p.kind === 'entries_reordered' && p.position === 160), JSON.stringify(r.problems));
});

test('a forged checkpoint or the wrong key fails', async () => {
  const text = await exportText(0, 200);
  const header = JSON.parse(text.slice(0, text.indexOf('\n')));
  const last = header.checkpoints.length - 1;
  header.checkpoints[last] = header.checkpoints[last].replace(/\n200\n/, '\n201\n');
  const forged = JSON.stringify(header) + text.slice(text.indexOf('\n'));
  const r = verifyExport(forged, verifier);
  assert.ok(r.problems.some((p) => p.kind === 'checkpoint_forged'), JSON.stringify(r.problems));
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  const stranger = parseVerifierKey(verifierKeyString({ name: 'warden.local/audit', keyId: noteKeyId('warden.local/audit', raw), publicKeyRaw: raw }));
  const wrong = verifyExport(text, stranger);
  assert.equal(wrong.ok, false);
  assert.ok(wrong.problems.every((p) => p.kind === 'checkpoint_forged' || p.kind === 'tail_truncated'));
});

test('the CLI exports and verifies offline with the exported public key (PEM or verifier key)', async () => {
  let cap = captureIo(base.dir);
  assert.equal(await runCli(['audit', 'key', '--data-dir', dataDir], cap.io), 0);
  writeFileSync(join(base.dir, 'log.vkey'), cap.out());
  cap = captureIo(base.dir);
  assert.equal(await runCli(['audit', 'key', '--pem', '--data-dir', dataDir], cap.io), 0);
  writeFileSync(join(base.dir, 'log.pem'), cap.out());
  cap = captureIo(base.dir);
  assert.equal(await runCli(['audit', 'export', '--from', '100', '--to', '450', '--out', 'seg.jsonl', '--data-dir', dataDir], cap.io), 0, cap.err());
  for (const key of ['log.vkey', 'log.pem']) {
    cap = captureIo(base.dir);
    assert.equal(await runCli(['audit', 'verify', '--offline', 'seg.jsonl', '--key', key], cap.io), 0, cap.out() + cap.err());
    assert.match(cap.out(), /^OK: entries 100\.\.449 \(350\)/m);
  }
  const seg = readFileSync(join(base.dir, 'seg.jsonl'), 'utf8').split('\n');
  seg.splice(5, 1);
  writeFileSync(join(base.dir, 'bad.jsonl'), seg.join('\n'));
  cap = captureIo(base.dir);
  assert.equal(await runCli(['audit', 'verify', '--offline', 'bad.jsonl', '--key', 'log.vkey'], cap.io), 1);
  assert.match(cap.out(), /TAMPERED entries_deleted at position 104/);
  cap = captureIo(base.dir);
  assert.equal(await runCli(['audit', 'proof', 'inclusion', '--index', '7', '--data-dir', dataDir], cap.io), 0, cap.err());
  assert.equal(JSON.parse(cap.out()).treeSize, 600);
  cap = captureIo(base.dir);
  assert.equal(await runCli(['audit', 'checkpoint', '--data-dir', dataDir], cap.io), 0);
  assert.match(cap.out(), /^warden\.local\/audit\n600\n/);
});
