/**
 * Persisted per-sink cursors (the next log position to deliver) and dead letters, in the main store
 * `warden.db` (tables owned by module `export`). SQLite runs with synchronous=FULL, so a cursor written is
 * durable: after a crash a sink resumes from it and re-sends at most one batch (at-least-once).
 */
import { applyMigrations, openDatabase, type Migration, type SqliteDatabase } from '../store/index.js';

export const EXPORT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `CREATE TABLE export_cursors (
      sink TEXT PRIMARY KEY,
      position INTEGER NOT NULL,
      delivered INTEGER NOT NULL DEFAULT 0,
      updated_at TEXT NOT NULL
    );
    CREATE TABLE export_dead_letters (
      sink TEXT NOT NULL,
      position INTEGER NOT NULL,
      leaf_hash TEXT NOT NULL,
      error TEXT NOT NULL,
      at TEXT NOT NULL,
      PRIMARY KEY (sink, position)
    );`,
  },
];

export interface CursorRow {
  sink: string;
  position: number;
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

export class CursorStore {
  private readonly db: SqliteDatabase;
  private readonly getStmt;
  private readonly setStmt;
  private readonly deadStmt;
  private readonly deadCountStmt;

  constructor(dataDir: string) {
    this.db = openDatabase(dataDir);
    applyMigrations(this.db, 'export', EXPORT_MIGRATIONS);
    this.getStmt = this.db.prepare('SELECT sink, position, delivered, updated_at AS updatedAt FROM export_cursors WHERE sink = ?');
    this.setStmt = this.db.prepare(
      `INSERT INTO export_cursors (sink, position, delivered, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (sink) DO UPDATE SET position = excluded.position, delivered = excluded.delivered, updated_at = excluded.updated_at`,
    );
    this.deadStmt = this.db.prepare('INSERT OR REPLACE INTO export_dead_letters (sink, position, leaf_hash, error, at) VALUES (?, ?, ?, ?, ?)');
    this.deadCountStmt = this.db.prepare('SELECT COUNT(*) AS n FROM export_dead_letters WHERE sink = ?');
  }

  get(sink: string): CursorRow | undefined {
    return this.getStmt.get(sink) as CursorRow | undefined;
  }

  set(sink: string, position: number, delivered: number): void {
    this.setStmt.run(sink, position, delivered, new Date().toISOString());
  }

  list(): CursorRow[] {
    return this.db.prepare('SELECT sink, position, delivered, updated_at AS updatedAt FROM export_cursors ORDER BY sink').all() as CursorRow[];
  }

  addDeadLetter(letter: Omit<DeadLetter, 'at'>): void {
    this.deadStmt.run(letter.sink, letter.position, letter.leafHash, letter.error.slice(0, 500), new Date().toISOString());
  }

  deadLetters(sink: string, limit = 100): DeadLetter[] {
    return this.db
      .prepare('SELECT sink, position, leaf_hash AS leafHash, error, at FROM export_dead_letters WHERE sink = ? ORDER BY position LIMIT ?')
      .all(sink, limit) as DeadLetter[];
  }

  deadLetterCount(sink: string): number {
    return (this.deadCountStmt.get(sink) as { n: number }).n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
