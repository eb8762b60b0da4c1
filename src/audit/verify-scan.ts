/**
 * The per-entry checks of verification, shared by the single-threaded path and the worker threads:
 * row positions (gaps, stray rows), the stored leaf hash against the recomputed one, and the index each
 * entry states. Also the problem list and the classification of misplaced entries.
 */
import { claimedIndex } from './encoding.js';
import { hashLeaf } from './tree.js';
import type { VerifyReport } from './verify.js';

export type ProblemKind =
  | 'entry_modified'
  | 'entry_missing'
  | 'entries_deleted'
  | 'entries_inserted'
  | 'entries_reordered'
  | 'entry_invalid'
  | 'tail_truncated'
  | 'checkpoint_forged'
  | 'root_mismatch'
  /** Clustered log only: one event id at two positions. */
  | 'event_duplicated';

export interface VerifyProblem {
  kind: ProblemKind;
  /** First position concerned. */
  position: number;
  /** Last position concerned (inclusive), when a range. */
  through?: number;
  message: string;
}

const MAX_PROBLEMS = 1000;

export class ProblemList {
  readonly items: VerifyProblem[] = [];
  omitted = 0;
  add(p: VerifyProblem): void {
    if (this.items.length < MAX_PROBLEMS) this.items.push(p);
    else this.omitted++;
  }
}

export interface Misplaced {
  position: number;
  claimed: number;
}

/**
 * Checks rows in idx order starting at `position`; calls `onLeaf` with each recomputed leaf hash (in row
 * order). Returns the position after the last row.
 */
export function scanRows(
  rows: Iterable<[number, unknown, unknown]>,
  position: number,
  problems: ProblemList,
  misplaced: Misplaced[],
  onLeaf: (leaf: Buffer) => void,
): number {
  let p = position;
  for (const [idx, entry, stored] of rows) {
    if (!Number.isSafeInteger(idx) || idx < p) {
      problems.add({ kind: 'entries_inserted', position: Math.max(0, p), message: `a row with index ${idx} was inserted` });
      continue;
    }
    if (idx > p) {
      problems.add({ kind: 'entry_missing', position: p, through: idx - 1, message: idx - p === 1 ? `entry ${p} is missing (deleted)` : `entries ${p}..${idx - 1} are missing (deleted)` });
      p = idx;
    }
    if (!Buffer.isBuffer(entry) || !Buffer.isBuffer(stored)) {
      problems.add({ kind: 'entry_invalid', position: p, message: `entry ${p} is not stored as bytes` });
      onLeaf(Buffer.alloc(32));
    } else {
      const leaf = hashLeaf(entry);
      if (!leaf.equals(stored)) problems.add({ kind: 'entry_modified', position: p, message: `entry ${p} was modified (its content does not match its leaf hash)` });
      const claimed = claimedIndex(entry);
      if (claimed !== p) misplaced.push({ position: p, claimed });
      onLeaf(leaf);
    }
    p++;
  }
  return p;
}

/** Groups positions whose entry claims another index into deletions, insertions and reorderings. */
export function classifyMisplaced(misplaced: Misplaced[], total: number, out: ProblemList): void {
  let i = 0;
  while (i < misplaced.length) {
    const start = misplaced[i]!;
    const d = start.claimed - start.position;
    let j = i;
    while (j + 1 < misplaced.length && misplaced[j + 1]!.position === misplaced[j]!.position + 1 && misplaced[j + 1]!.claimed - misplaced[j + 1]!.position === d) j++;
    const last = misplaced[j]!;
    const toEnd = last.position === total - 1;
    const plural = (k: number): string => (k === 1 ? 'y was' : 'ies were');
    if (toEnd && d > 0) {
      out.add({ kind: 'entries_deleted', position: start.position, through: last.position, message: `${d} entr${plural(d)} deleted at position ${start.position} (the entries after it were renumbered; position ${start.position} holds entry ${start.claimed})` });
    } else if (toEnd && d < 0) {
      out.add({ kind: 'entries_inserted', position: start.position + d, through: last.position, message: `${-d} entr${plural(-d)} inserted at position ${start.position + d} (position ${start.position} holds entry ${start.claimed})` });
    } else {
      const many = j > i;
      out.add({
        kind: 'entries_reordered',
        position: start.position,
        through: last.position,
        message: many
          ? `positions ${start.position}..${last.position} hold entries ${start.claimed}..${last.claimed}: entries were reordered or moved`
          : `position ${start.position} holds entry ${start.claimed}: entries were reordered or moved`,
      });
    }
    i = j + 1;
  }
}

/**
 * The report both verifiers end with, once every entry was read: misplaced entries classified, a tail cut
 * below the latest signed checkpoint named, and the counts.
 */
export function finishReport(scan: { problems: ProblemList; misplaced: Misplaced[]; position: number; targets: readonly { size: number }[]; started: number; workers: number }): VerifyReport {
  const { problems, position } = scan;
  classifyMisplaced(scan.misplaced, position, problems);
  const latest = scan.targets.at(-1);
  if (latest && latest.size > position) {
    problems.add({ kind: 'tail_truncated', position, through: latest.size - 1, message: `the log ends at ${position} entries but a checkpoint was signed for ${latest.size}: entries ${position}..${latest.size - 1} were removed` });
  }
  const coveredTo = Math.min(latest?.size ?? 0, position);
  return {
    ok: problems.items.length === 0 && problems.omitted === 0,
    entries: position,
    checkpointsVerified: scan.targets.length,
    latestCheckpointSize: latest?.size ?? 0,
    uncoveredEntries: position - coveredTo,
    problems: problems.items,
    problemsOmitted: problems.omitted,
    seconds: (performance.now() - scan.started) / 1000,
    workers: scan.workers,
  };
}
