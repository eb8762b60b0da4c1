/**
 * Reads and proofs of the single-process log: entries from audit.db (sensitive fields opened when their
 * data key is available), roots, subtree hashes and RFC 9162 proofs over the tree state. It answers up to
 * the durable size only (what the appender has acknowledged), never an entry still being written, and it
 * never writes.
 */
import { type WardenEvent, WardenError } from '../core/index.js';
import type { SqliteDatabase } from '../store/index.js';
import type { DataKeyManager } from './data-keys.js';
import { decodeEntry } from './encoding.js';
import { MAX_READ, checkFromSize, checkLeafIndex, checkReadRange, checkTreeSize, proveConsistency, proveInclusion } from './log-proofs.js';
import type { AuditProofs, AuditReads } from './log-types.js';
import { CHUNK_SIZE } from './migrations.js';
import type { AuditRecord } from './reader.js';
import { decryptFields, mayHaveEnvelope } from './sensitive.js';
import type { ConsistencyProof, InclusionProof, RawEntry } from './source.js';
import { TreeState } from './tree-state.js';

const LEAF_HASHES = 'SELECT leaf_hash FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx';

/** The tree state of what audit.db holds (complete chunks from their stored hashes), and its size. */
export function loadTree(db: SqliteDatabase): { tree: TreeState; size: number } {
  const readHashes = db.prepare(LEAF_HASHES).pluck();
  const tree = new TreeState((start, end) => readHashes.all(start, end) as Buffer[]);
  const size = (db.prepare('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM audit_entries').get() as { n: number }).n;
  const chunks = db.prepare('SELECT hash FROM audit_chunks ORDER BY chunk').pluck().all() as Buffer[];
  const full = Math.floor(size / CHUNK_SIZE);
  if (chunks.length !== full) throw new WardenError('internal', `audit.db is inconsistent: ${chunks.length} chunk hashes for ${size} entries; run \`warden audit verify\``);
  tree.restore(chunks, readHashes.all(full * CHUNK_SIZE, size) as Buffer[]);
  return { tree, size };
}

export class LogReader implements AuditReads, AuditProofs {
  private readonly readRange;
  private readonly readHashes;

  constructor(
    db: SqliteDatabase,
    private readonly tree: TreeState,
    /** The durable size, from the appender. */
    private readonly durable: () => number,
    private readonly keys: DataKeyManager | undefined,
  ) {
    this.readRange = db.prepare('SELECT idx, entry, leaf_hash FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx');
    this.readHashes = db.prepare(LEAF_HASHES).pluck();
  }

  size(): number {
    return this.durable();
  }

  read(fromIndex: number, limit: number): AuditRecord[] {
    return this.readRaw(fromIndex, limit).map((r) => {
      const text = r.entry.toString('utf8');
      let event = decodeEntry(r.entry).event;
      if (this.keys && mayHaveEnvelope(text)) event = decryptFields(event, this.keys.get);
      return { index: r.index, leafHash: r.leafHash.toString('hex'), event: event as unknown as WardenEvent };
    });
  }

  readRaw(fromIndex: number, limit: number): RawEntry[] {
    checkReadRange(fromIndex, limit);
    const end = Math.min(this.durable(), fromIndex + Math.min(limit, MAX_READ));
    if (fromIndex >= end) return [];
    return (this.readRange.all(fromIndex, end) as { idx: number; entry: Buffer; leaf_hash: Buffer }[]).map((r) => ({
      index: r.idx,
      entry: r.entry,
      leafHash: r.leaf_hash,
    }));
  }

  rootHash(treeSize: number): string {
    checkTreeSize(treeSize, this.durable(), 'the tree size');
    return this.tree.subtree(0, treeSize).toString('hex');
  }

  subtreeHash(start: number, end: number): Buffer {
    checkTreeSize(end, this.durable(), 'the range end');
    return this.tree.subtree(start, end);
  }

  inclusionProof(index: number, treeSize: number): InclusionProof {
    checkTreeSize(treeSize, this.durable(), 'the tree size');
    checkLeafIndex(index, treeSize);
    const leaf = this.readHashes.all(index, index + 1) as Buffer[];
    return proveInclusion(index, treeSize, leaf[0]!, this.tree.subtree);
  }

  consistencyProof(fromSize: number, toSize: number): ConsistencyProof {
    checkTreeSize(toSize, this.durable(), 'toSize');
    checkFromSize(fromSize, toSize);
    return proveConsistency(fromSize, toSize, this.tree.subtree);
  }
}
