/**
 * Export cursors in the embedded SQLite database (`warden.db`, tables of module `export`). SQLite runs
 * with synchronous=FULL, so a stored cursor is durable. Leases are held in this process only: a data
 * directory is served by one Warden process (two exporters in one process still take turns).
 */
import { applyMigrations, type Migration, type SqliteDatabase } from '../../store/index.js';
import { MAX_ERROR_CHARS, type CursorRow, type DeadLetter, type ExportCursorRepository, type SinkLease } from './types.js';

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

/** Sinks leased in this process, per database file. */
const leased = new Map<string, Set<string>>();

export class SqliteExportCursorRepository implements ExportCursorRepository {
  private readonly getStmt;
  private readonly setStmt;
  private readonly deadStmt;
  private readonly deadCountStmt;
  private readonly held: Set<string>;

  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, 'export', EXPORT_MIGRATIONS);
    this.getStmt = db.prepare('SELECT sink, position, delivered, updated_at AS updatedAt FROM export_cursors WHERE sink = ?');
    this.setStmt = db.prepare(
      `INSERT INTO export_cursors (sink, position, delivered, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (sink) DO UPDATE SET position = excluded.position, delivered = excluded.delivered, updated_at = excluded.updated_at`,
    );
    this.deadStmt = db.prepare('INSERT OR REPLACE INTO export_dead_letters (sink, position, leaf_hash, error, at) VALUES (?, ?, ?, ?, ?)');
    this.deadCountStmt = db.prepare('SELECT COUNT(*) AS n FROM export_dead_letters WHERE sink = ?');
    const file = db.name;
    let held = leased.get(file);
    if (!held) leased.set(file, (held = new Set()));
    this.held = held;
  }

  async cursor(sink: string): Promise<CursorRow | undefined> {
    return this.getStmt.get(sink) as CursorRow | undefined;
  }

  async cursors(): Promise<CursorRow[]> {
    return this.db.prepare('SELECT sink, position, delivered, updated_at AS updatedAt FROM export_cursors ORDER BY sink').all() as CursorRow[];
  }

  async deadLetters(sink: string, limit = 100): Promise<DeadLetter[]> {
    return this.db
      .prepare('SELECT sink, position, leaf_hash AS leafHash, error, at FROM export_dead_letters WHERE sink = ? ORDER BY position LIMIT ?')
      .all(sink, limit) as DeadLetter[];
  }

  async deadLetterCount(sink: string): Promise<number> {
    return (this.deadCountStmt.get(sink) as { n: number }).n;
  }

  async tryLease(sink: string): Promise<SinkLease | null> {
    if (this.held.has(sink)) return null;
    this.held.add(sink);
    let alive = true;
    const check = (): void => {
      if (!alive) throw new Error(`the export lease on \`${sink}\` was released`);
    };
    return {
      sink,
      get alive() {
        return alive;
      },
      setCursor: async (position, delivered) => {
        check();
        this.setStmt.run(sink, position, delivered, new Date().toISOString());
      },
      addDeadLetter: async (letter) => {
        check();
        this.deadStmt.run(sink, letter.position, letter.leafHash, letter.error.slice(0, MAX_ERROR_CHARS), new Date().toISOString());
      },
      release: async () => {
        if (!alive) return;
        alive = false;
        this.held.delete(sink);
      },
    };
  }
}
