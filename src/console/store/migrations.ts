/** The console sessions' table, for SQLite and PostgreSQL (versioned, forward-only). Times are ms since epoch. */
import type { Migration, PgMigration } from '../../store/index.js';

export const CONSOLE_SESSIONS_MODULE = 'console-sessions';

const COLUMNS = `
    id TEXT NOT NULL UNIQUE, identity TEXT NOT NULL, role TEXT NOT NULL, csrf_token TEXT NOT NULL,
    authenticated_at BIGINT NOT NULL, mfa_at BIGINT, last_seen_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);
  CREATE INDEX console_sessions_expires ON console_sessions (expires_at);
  CREATE INDEX console_sessions_last_seen ON console_sessions (last_seen_at);`;

// `seq` orders sessions by creation, for dropping the oldest beyond the bound.
export const SQLITE_MIGRATIONS: Migration[] = [{ version: 1, sql: `CREATE TABLE console_sessions (seq INTEGER PRIMARY KEY AUTOINCREMENT, ${COLUMNS}` }];

export const PG_MIGRATIONS: PgMigration[] = [{ version: 1, sql: `CREATE TABLE console_sessions (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, ${COLUMNS}` }];
