/** Tables of the audit log, in its own `audit.db` (module `audit`). */
import type { Migration } from '../store/index.js';

export const AUDIT_DB_FILE = 'audit.db';
export const AUDIT_MODULE = 'audit';

export const auditMigrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE audit_entries (idx INTEGER PRIMARY KEY, entry BLOB NOT NULL, leaf_hash BLOB NOT NULL);
      CREATE TABLE audit_chunks (chunk INTEGER PRIMARY KEY, hash BLOB NOT NULL);
      CREATE TABLE audit_checkpoints (tree_size INTEGER PRIMARY KEY, note TEXT NOT NULL, created_at TEXT NOT NULL);
      CREATE TABLE audit_data_keys (
        kid TEXT PRIMARY KEY, kek_id TEXT NOT NULL, wrapped BLOB, created_at TEXT NOT NULL,
        retired_at TEXT, destroyed_at TEXT);
    `,
  },
];

/** Leaves per stored chunk hash (level 8 of the tree): proofs read at most this many leaf hashes. */
export const CHUNK_LEVEL = 8;
export const CHUNK_SIZE = 1 << CHUNK_LEVEL;
