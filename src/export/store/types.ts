/**
 * The export module's repository: per-sink cursors (the next log position to deliver), dead letters, and
 * the lease that lets exactly one exporter at a time deliver a sink. A cursor is written only after the
 * receiver took the batch, and only through the lease, so an exporter that lost its lease (its database
 * session died) can no longer move the cursor another holder now owns.
 *
 * Implemented for SQLite (`sqlite.ts`, one machine) and PostgreSQL (`postgres.ts`, a cluster).
 */

export interface CursorRow {
  sink: string;
  position: number;
  /** Records delivered over the sink's life (duplicates after retries included). */
  delivered: number;
  updatedAt: string;
}

export interface DeadLetter {
  sink: string;
  position: number;
  leafHash: string;
  error: string;
  at: string;
}

/** The right to deliver one sink; every write fails once it is lost. */
export interface SinkLease {
  readonly sink: string;
  /** False once the lease is lost (the session holding it failed) or released. */
  readonly alive: boolean;
  /** Durably stores the cursor; resolves once committed. */
  setCursor(position: number, delivered: number): Promise<void>;
  addDeadLetter(letter: Omit<DeadLetter, 'sink' | 'at'>): Promise<void>;
  release(): Promise<void>;
}

export interface ExportCursorRepository {
  cursor(sink: string): Promise<CursorRow | undefined>;
  cursors(): Promise<CursorRow[]>;
  deadLetters(sink: string, limit?: number): Promise<DeadLetter[]>;
  deadLetterCount(sink: string): Promise<number>;
  /** The sink's lease when no one else holds it now, else null. Never waits. */
  tryLease(sink: string): Promise<SinkLease | null>;
}

/** Dead-letter errors are stored truncated: a receiver's error body can be long. */
export const MAX_ERROR_CHARS = 500;
