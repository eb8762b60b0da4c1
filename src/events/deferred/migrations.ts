/** The deferred events' table, for SQLite and PostgreSQL (versioned, forward-only). */
import type { Migration, PgMigration } from '../../store/index.js';

export const DEFERRED_MODULE = 'deferred_events';

export const SQLITE_MIGRATIONS: Migration[] = [
  { version: 1, sql: 'CREATE TABLE deferred_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, claimed_at TEXT)' },
];

export const PG_MIGRATIONS: PgMigration[] = [
  { version: 1, sql: 'CREATE TABLE deferred_events (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body TEXT NOT NULL, claimed_at TEXT)' },
];
