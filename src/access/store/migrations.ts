/** Just-in-time elevation's tables, for SQLite and PostgreSQL (versioned, forward-only). */
import type { Migration, PgMigration } from '../../store/index.js';

export const ACCESS_MODULE = 'access';

const REQUESTS = `
  CREATE TABLE access_requests (
    id TEXT PRIMARY KEY, principal TEXT NOT NULL, role TEXT NOT NULL, reason TEXT NOT NULL,
    duration_seconds INTEGER NOT NULL, approvals_required INTEGER NOT NULL, status TEXT NOT NULL,
    created_at TEXT NOT NULL, pending_until TEXT NOT NULL, active_from TEXT, active_until TEXT,
    ended_at TEXT, ended_by TEXT, approvers TEXT NOT NULL DEFAULT '[]');
  CREATE INDEX access_requests_status ON access_requests (status);
  CREATE INDEX access_requests_principal ON access_requests (principal, created_at);`;

export const SQLITE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    sql: `${REQUESTS}
      CREATE TABLE access_history (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, request_id TEXT NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL,
        actor TEXT NOT NULL, details TEXT NOT NULL);
      CREATE INDEX access_history_request ON access_history (request_id, seq);`,
  },
];

export const PG_MIGRATIONS: PgMigration[] = [
  {
    version: 1,
    sql: `${REQUESTS}
      CREATE TABLE access_history (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, request_id TEXT NOT NULL, at TEXT NOT NULL,
        kind TEXT NOT NULL, actor TEXT NOT NULL, details TEXT NOT NULL);
      CREATE INDEX access_history_request ON access_history (request_id, seq);`,
  },
];
