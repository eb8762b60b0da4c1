/** Tables of MCP session bindings and agents' call histories, for both backends (forward-only). */
import type { Migration, PgMigration } from '../../store/index.js';

export const SESSION_MODULE = 'mcp_sessions';

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `CREATE TABLE mcp_session_bindings (
      session_id TEXT PRIMARY KEY, server TEXT NOT NULL, principal TEXT NOT NULL, bound_at INTEGER NOT NULL);
    CREATE INDEX mcp_session_bindings_bound_at ON mcp_session_bindings (bound_at);
    CREATE TABLE mcp_session_history (
      id TEXT PRIMARY KEY, principal TEXT NOT NULL, t INTEGER NOT NULL, session_id TEXT NOT NULL, tool TEXT NOT NULL,
      bytes INTEGER NOT NULL, untrusted INTEGER NOT NULL, open_world INTEGER NOT NULL, received_at INTEGER NOT NULL);
    CREATE INDEX mcp_session_history_received_at ON mcp_session_history (received_at);
    CREATE INDEX mcp_session_history_t ON mcp_session_history (t);`,
  },
];

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    sql: `CREATE TABLE mcp_session_bindings (
      session_id TEXT PRIMARY KEY, server TEXT NOT NULL, principal TEXT NOT NULL, bound_at BIGINT NOT NULL);
    CREATE INDEX mcp_session_bindings_bound_at ON mcp_session_bindings (bound_at);
    CREATE TABLE mcp_session_history (
      id TEXT PRIMARY KEY, principal TEXT NOT NULL, t BIGINT NOT NULL, session_id TEXT NOT NULL, tool TEXT NOT NULL,
      bytes BIGINT NOT NULL, untrusted BOOLEAN NOT NULL, open_world BOOLEAN NOT NULL,
      received_at BIGINT NOT NULL DEFAULT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT);
    CREATE INDEX mcp_session_history_received_at ON mcp_session_history (received_at);
    CREATE INDEX mcp_session_history_t ON mcp_session_history (t);`,
  },
];
