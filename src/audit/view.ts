/**
 * A read-only view of a log's storage, for the CLI (which must never write while Warden runs): entries,
 * stored checkpoints, and subtree hashes (from the stored chunk hashes and leaf hashes) for proofs and
 * exports. `AuditLog` serves the same operations in process.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WardenError } from '../core/index.js';
import type { SqliteDatabase } from '../store/index.js';
import { AUDIT_DB_FILE, CHUNK_SIZE } from './migrations.js';
import { TreeState } from './tree-state.js';

export interface LogSource {
  size(): number;
  subtreeHash(start: number, end: number): Buffer;
  readRaw(fromIndex: number, limit: number): { index: number; entry: Buffer; leafHash: Buffer }[];
  /** Stored checkpoint notes with tree size >= fromSize, ascending. */
  checkpointNotes(fromSize?: number, limit?: number): { size: number; note: string }[];
}

export interface AuditView extends LogSource {
  db: SqliteDatabase;
  close(): void;
}

/** Opens `<dataDir>/audit.db` read-only. */
export function openAuditView(dataDir: string): AuditView {
  const path = join(dataDir, AUDIT_DB_FILE);
  if (!existsSync(path)) throw new WardenError('not_found', `no audit log at \`${path}\``);
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const readHashes = db.prepare('SELECT leaf_hash FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx').pluck();
  const readRange = db.prepare('SELECT idx, entry, leaf_hash FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx');
  const tree = new TreeState((s, e) => readHashes.all(s, e) as Buffer[]);
  const size = (db.prepare('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM audit_entries').get() as { n: number }).n;
  const full = Math.floor(size / CHUNK_SIZE);
  const chunks = db.prepare('SELECT hash FROM audit_chunks WHERE chunk < ? ORDER BY chunk').pluck().all(full) as Buffer[];
  if (chunks.length !== full) {
    db.close();
    throw new WardenError('conflict', `the audit log is inconsistent (${chunks.length} chunk hashes for ${size} entries); run \`warden audit verify\``);
  }
  tree.restore(chunks, readHashes.all(full * CHUNK_SIZE, size) as Buffer[]);
  const check = (end: number): void => {
    if (!Number.isSafeInteger(end) || end < 0 || end > size) throw new WardenError('bad_request', `sizes must be between 0 and ${size}`);
  };
  return {
    db,
    size: () => size,
    subtreeHash: (start, end) => {
      check(end);
      return tree.subtree(start, end);
    },
    readRaw: (fromIndex, limit) => {
      const end = Math.min(size, fromIndex + limit);
      if (fromIndex >= end) return [];
      return (readRange.all(fromIndex, end) as { idx: number; entry: Buffer; leaf_hash: Buffer }[]).map((r) => ({
        index: r.idx,
        entry: r.entry,
        leafHash: r.leaf_hash,
      }));
    },
    checkpointNotes: (fromSize = 0, limit = 10_000) =>
      (db.prepare('SELECT tree_size AS size, note FROM audit_checkpoints WHERE tree_size >= ? ORDER BY tree_size LIMIT ?').all(fromSize, limit) as {
        size: number;
        note: string;
      }[]),
    close: () => db.close(),
  };
}
