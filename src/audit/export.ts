/**
 * Exports of a log segment, checkable with only the public key (`warden audit verify --offline`).
 *
 * Format (text, one record per line): line 1 is a JSON header
 *   {"format":"warden-audit-export/1","origin","verifierKey","from","to","checkpoints":[signed notes],
 *    "prefix":[hex roots of the perfect subtrees of [0, from)],"nodes":[{"start","end","hash"}]}
 * then one line per entry from `from` to `to - 1`: the entry's exact canonical bytes.
 * `nodes` are the subtree hashes right of the segment that the last checkpoint (size > to) needs.
 */
import { WardenError } from '../core/index.js';
import { canonicalJson } from './canonical-json.js';
import { openCheckpoint, type SignedCheckpoint } from './checkpoint.js';
import { claimedIndex } from './encoding.js';
import type { NoteVerifier } from './signing-key.js';
import { CompactRange, hashChildren, hashLeaf, rootFromLeafHashes, splitPoint } from './tree.js';
import type { SegmentSource } from './source.js';
import { classifyMisplaced, ProblemList, type VerifyProblem } from './verify-scan.js';

export const EXPORT_FORMAT = 'warden-audit-export/1';

export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  origin: string;
  verifierKey: string;
  from: number;
  to: number;
  checkpoints: string[];
  prefix: string[];
  nodes: { start: number; end: number; hash: string }[];
}

/** Ranges outside [from, to) that computing MTH(0, size) needs. */
function outsideNodes(size: number, from: number, to: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const walk = (start: number, end: number): void => {
    if (end <= from || start >= to) out.push({ start, end });
    else if (start >= from && end <= to) return;
    else {
      const k = splitPoint(end - start);
      walk(start, start + k);
      walk(start + k, end);
    }
  };
  if (size > 0) walk(0, size);
  return out;
}

/**
 * Writes the export of [from, to) to `write` (lines as strings). `to` defaults to, and is capped at, the
 * latest checkpoint's size (entries beyond it are not signed yet). Returns the header.
 */
export async function writeExport(
  source: SegmentSource,
  meta: { origin: string; verifierKey: string },
  range: { from?: number; to?: number },
  write: (line: string) => void,
): Promise<ExportHeader> {
  const notes = await source.checkpointNotes(0, 1_000_000);
  const latest = notes.at(-1)?.size ?? 0;
  const from = range.from ?? 0;
  const to = Math.min(range.to ?? latest, latest);
  if (!Number.isSafeInteger(from) || from < 0 || from > to) {
    throw new WardenError('bad_request', `the segment must lie within the checkpointed log [0, ${latest})`);
  }
  const included = notes.filter((n) => n.size > from && n.size <= to);
  const after = notes.find((n) => n.size >= to && n.size > from);
  if (after && !included.includes(after)) included.push(after);
  const last = included.at(-1);
  const header: ExportHeader = {
    format: EXPORT_FORMAT,
    origin: meta.origin,
    verifierKey: meta.verifierKey,
    from,
    to,
    checkpoints: included.map((n) => n.note),
    prefix: [],
    nodes: [],
  };
  for (const r of CompactRange.decompose(from)) header.prefix.push((await source.subtreeHash(r.start, r.end)).toString('hex'));
  if (last && last.size > to) {
    for (const r of outsideNodes(last.size, from, to).filter((n) => n.start >= to)) header.nodes.push({ ...r, hash: (await source.subtreeHash(r.start, r.end)).toString('hex') });
  }
  write(canonicalJson(header) + '\n');
  for (let at = from; at < to; ) {
    const rows = await source.readRaw(at, Math.min(10_000, to - at));
    if (rows.length === 0) throw new WardenError('internal', `entry ${at} is missing from storage`);
    for (const r of rows) write(r.entry.toString('utf8') + '\n');
    at += rows.length;
  }
  return header;
}

export interface OfflineReport {
  ok: boolean;
  from: number;
  to: number;
  entries: number;
  checkpointsVerified: number;
  problems: VerifyProblem[];
}

/** Checks an export with only the verifier key. */
export function verifyExport(text: string, verifier: NoteVerifier): OfflineReport {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let header: ExportHeader;
  try {
    header = JSON.parse(lines[0] ?? '') as ExportHeader;
  } catch {
    throw new WardenError('bad_request', 'the export has no JSON header line');
  }
  if (header.format !== EXPORT_FORMAT || !Number.isSafeInteger(header.from) || !Number.isSafeInteger(header.to) || !Array.isArray(header.checkpoints)) {
    throw new WardenError('bad_request', `not a ${EXPORT_FORMAT} file`);
  }
  const { from, to } = header;
  const problems = new ProblemList();
  const entries = lines.slice(1);
  if (entries.length !== to - from) {
    problems.add({ kind: entries.length < to - from ? 'tail_truncated' : 'entries_inserted', position: from + Math.min(entries.length, to - from), message: `the export declares ${to - from} entries but holds ${entries.length}` });
  }
  const checkpoints: SignedCheckpoint[] = [];
  for (const note of header.checkpoints) {
    const opened = typeof note === 'string' ? openCheckpoint(note, verifier) : { ok: false as const, reason: 'not a note' };
    if (opened.ok) checkpoints.push(opened.checkpoint);
    else problems.add({ kind: 'checkpoint_forged', position: 0, message: `a checkpoint in the export: ${opened.reason}` });
  }
  checkpoints.sort((a, b) => a.size - b.size);
  let range: CompactRange;
  try {
    range = CompactRange.fromNodes(from, (header.prefix ?? []).map((h) => Buffer.from(h, 'hex')));
  } catch {
    throw new WardenError('bad_request', 'the export header has a malformed prefix');
  }
  const leaves: Buffer[] = [];
  const misplaced: { position: number; claimed: number }[] = [];
  let c = 0;
  let lastGood = from;
  const check = (cp: SignedCheckpoint, root: Buffer | null): void => {
    if (root && root.equals(cp.rootHash)) lastGood = cp.size;
    else {
      problems.add({ kind: 'root_mismatch', position: lastGood, through: cp.size - 1, message: `the tree of size ${cp.size} does not match its signed checkpoint: an entry between positions ${lastGood} and ${Math.min(cp.size, to) - 1} was altered` });
      lastGood = cp.size;
    }
  };
  while (c < checkpoints.length && checkpoints[c]!.size === from) check(checkpoints[c++]!, range.root());
  entries.forEach((line, i) => {
    const position = from + i;
    const entry = Buffer.from(line, 'utf8');
    const claimed = claimedIndex(entry);
    if (claimed !== position) misplaced.push({ position, claimed });
    const leaf = hashLeaf(entry);
    leaves.push(leaf);
    range.append(leaf);
    while (c < checkpoints.length && checkpoints[c]!.size === range.size) check(checkpoints[c++]!, range.root());
  });
  classifyMisplaced(misplaced, from + entries.length, problems);
  // A checkpoint beyond the segment: combine prefix, segment and the supplied right-hand nodes.
  const nodes = new Map((header.nodes ?? []).map((n) => [`${n.start}:${n.end}`, Buffer.from(n.hash, 'hex')]));
  const prefix = new Map(CompactRange.decompose(from).map((r, i) => [`${r.start}:${r.end}`, Buffer.from(header.prefix[i] ?? '', 'hex')]));
  const mth = (start: number, end: number): Buffer | null => {
    const known = nodes.get(`${start}:${end}`) ?? prefix.get(`${start}:${end}`);
    if (known) return known;
    if (start >= from && end <= from + leaves.length) return rootFromLeafHashes(leaves, start - from, end - from);
    if (end - start <= 1) return null;
    const k = splitPoint(end - start);
    const l = mth(start, start + k);
    const r = mth(start + k, end);
    return l && r ? hashChildren(l, r) : null;
  };
  for (; c < checkpoints.length; c++) {
    const cp = checkpoints[c]!;
    if (cp.size < range.size) continue;
    check(cp, mth(0, cp.size));
  }
  const covered = checkpoints.some((cp) => cp.size >= to);
  if (!covered && to > from) problems.add({ kind: 'tail_truncated', position: to, message: `no valid checkpoint covers the end of the segment (${to})` });
  return { ok: problems.items.length === 0, from, to, entries: entries.length, checkpointsVerified: checkpoints.length, problems: problems.items };
}
