/**
 * The embedded store: one SQLite database file per data directory (WAL mode, synchronous FULL, so that a
 * write reported done survives a crash). Modules own their tables and bring their migrations; this file
 * only opens the database and applies them in order, once.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type SqliteDatabase = Database.Database;

export interface Migration {
  /** Strictly increasing within a module, starting at 1. */
  version: number;
  /** One or more SQL statements. */
  sql: string;
}

/**
 * Opens (creating if needed) `<dataDir>/<file>` with Warden's pragmas. `synchronous: 'NORMAL'` suits
 * high-volume records whose durable copy lives elsewhere (the decision table: the audit log holds every
 * event durably); in WAL mode it still survives a process crash, only not a power loss.
 */
export function openDatabase(dataDir: string, file = 'warden.db', options: { synchronous?: 'FULL' | 'NORMAL' } = {}): SqliteDatabase {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(join(dataDir, file));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return withMigrationTable(db);
}

/**
 * A database private to this process and gone when it ends: for state that must not outlive a restart
 * (a single instance's console sessions).
 */
export function openMemoryDatabase(): SqliteDatabase {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  return withMigrationTable(db);
}

function withMigrationTable(db: SqliteDatabase): SqliteDatabase {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    module TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (module, version))`);
  return db;
}

/** Applies the module's migrations that are not yet applied, each in its own transaction. */
export function applyMigrations(db: SqliteDatabase, module: string, migrations: readonly Migration[]): void {
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations WHERE module = ?').all(module) as { version: number }[]).map((r) => r.version),
  );
  const record = db.prepare('INSERT INTO schema_migrations (module, version, applied_at) VALUES (?, ?, ?)');
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(module, migration.version, new Date().toISOString());
    })();
  }
}
