/** Tables of pinned tool definitions, for both backends (forward-only). */
import type { Migration, PgMigration } from '../../store/index.js';

export const PIN_MODULE = 'mcp_pins';

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `CREATE TABLE mcp_tool_pins (
      id TEXT PRIMARY KEY, server TEXT NOT NULL, tool TEXT NOT NULL, hash TEXT NOT NULL, definition TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')), findings TEXT NOT NULL,
      previous_hash TEXT, decided_by TEXT, note TEXT, first_seen TEXT NOT NULL, decided_at TEXT,
      UNIQUE (server, tool, hash));
    CREATE TABLE mcp_tool_pin_approvals (
      pin_id TEXT NOT NULL REFERENCES mcp_tool_pins (id), approver TEXT NOT NULL, approved_at TEXT NOT NULL,
      PRIMARY KEY (pin_id, approver));`,
  },
];

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    sql: `CREATE TABLE mcp_tool_pins (
      id TEXT PRIMARY KEY, server TEXT NOT NULL, tool TEXT NOT NULL, hash TEXT NOT NULL, definition TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')), findings TEXT NOT NULL,
      previous_hash TEXT, decided_by TEXT, note TEXT, first_seen TIMESTAMPTZ NOT NULL, decided_at TIMESTAMPTZ,
      UNIQUE (server, tool, hash));
    CREATE TABLE mcp_tool_pin_approvals (
      pin_id TEXT NOT NULL REFERENCES mcp_tool_pins (id), approver TEXT NOT NULL, approved_at TIMESTAMPTZ NOT NULL,
      seq BIGSERIAL, PRIMARY KEY (pin_id, approver));`,
  },
];
