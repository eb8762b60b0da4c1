/**
 * What every verification shares, whatever the storage: the stored checkpoints whose signature holds
 * (the others are problems), and the comparison of the recomputed root with each as the tree grows.
 */
import { openCheckpoint, type SignedCheckpoint } from './checkpoint.js';
import type { NoteVerifier } from './signing-key.js';
import type { ProblemList } from './verify-scan.js';

/** Valid checkpoints among stored rows, ascending; a bad signature or a row stored at the wrong size is `checkpoint_forged`. */
export function openTargets(rows: readonly { treeSize: number; note: string }[], verifier: NoteVerifier, problems: ProblemList): SignedCheckpoint[] {
  const targets: SignedCheckpoint[] = [];
  for (const row of rows) {
    const opened = openCheckpoint(row.note, verifier);
    if (!opened.ok) {
      problems.add({ kind: 'checkpoint_forged', position: row.treeSize, message: `checkpoint at tree size ${row.treeSize}: ${opened.reason}` });
    } else if (opened.checkpoint.size !== row.treeSize) {
      problems.add({ kind: 'checkpoint_forged', position: row.treeSize, message: `checkpoint stored at tree size ${row.treeSize} is signed for size ${opened.checkpoint.size}` });
    } else {
      targets.push(opened.checkpoint);
    }
  }
  return targets;
}

/** Compares roots with checkpoints as the tree grows. */
export class RootChecker {
  private t = 0;
  private lastGood = 0;
  constructor(
    private readonly targets: SignedCheckpoint[],
    private readonly problems: ProblemList,
  ) {}

  /** The next checkpoint size to check, or Infinity. */
  get next(): number {
    return this.targets[this.t]?.size ?? Infinity;
  }

  check(size: number, root: () => Buffer): void {
    while (this.t < this.targets.length && this.targets[this.t]!.size <= size) {
      const target = this.targets[this.t++]!;
      if (target.size < size) continue;
      if (!root().equals(target.rootHash)) {
        this.problems.add({ kind: 'root_mismatch', position: this.lastGood, through: target.size - 1, message: `the tree of size ${target.size} does not match its signed checkpoint: an entry between positions ${this.lastGood} and ${target.size - 1} was altered` });
      }
      this.lastGood = target.size;
    }
  }

  /** Checkpoints within the log's positions that the leaves present could not reach (rows missing). */
  finish(position: number, leaves: number): void {
    for (; this.t < this.targets.length && this.targets[this.t]!.size <= position; this.t++) {
      const size = this.targets[this.t]!.size;
      if (size <= leaves) continue;
      this.problems.add({ kind: 'root_mismatch', position: this.lastGood, through: size - 1, message: `the tree of size ${size} cannot be rebuilt to match its signed checkpoint: only ${leaves} entries are stored below position ${position}` });
      this.lastGood = size;
    }
  }
}

