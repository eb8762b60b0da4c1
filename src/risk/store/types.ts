/**
 * The risk module's shared state (storage convention, issue 12): per-principal baselines and, for each
 * partition of the principals, the checkpoint its owner saved with them. Async, with a SQLite and a
 * PostgreSQL implementation that pass one conformance suite (test/store/risk-state.test.ts).
 *
 * A checkpoint is the highest event-stream sequence whose effects the saved baselines include, and the
 * owner's fencing epoch (its lease revision): a save from an owner whose lease was since taken by a
 * later epoch is refused as a whole, so a stalled former owner can never overwrite what the new one
 * saved.
 *
 * @example
 * const saved = await repo.saveBaselines(rows, { partition: 'risk-7', seq: 1042, epoch: 19 });
 * if (!saved) release(7); // another instance owns bucket 7 now
 */
import type { BaselineKind } from '../store.js';

export interface BaselineRow {
  kind: BaselineKind;
  key: string;
  data: unknown;
  /** The partition bucket of a principal's baseline (loaded by bucket when an owner takes it). */
  bucket?: number | undefined;
}

export interface Checkpoint {
  partition: string;
  /** Highest stream sequence applied to the saved baselines; never moves back. */
  seq: number;
  /** The saving owner's lease revision; a lower epoch than the stored one is refused. */
  epoch: number;
}

export interface RiskStateRepository {
  /** Baselines of one kind; with `bucket`, only the rows saved with that bucket. A row that no longer parses is skipped. */
  loadBaselines(kind: BaselineKind, bucket?: number): Promise<{ key: string; data: unknown }[]>;
  /**
   * Saves the rows and, in the same transaction, the checkpoint. False (and nothing written) when the
   * partition's stored epoch is higher: another owner took it.
   */
  saveBaselines(rows: readonly BaselineRow[], checkpoint?: Checkpoint): Promise<boolean>;
  /** The partition's saved checkpoint; `{ seq: 0, epoch: 0 }` when none was saved. */
  checkpoint(partition: string): Promise<{ seq: number; epoch: number }>;
}
