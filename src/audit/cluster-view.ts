/**
 * The reading side of the cluster's audit log in PostgreSQL, for any instance and for the CLI: entries
 * (decrypted when the instance has the key-encryption keys), checkpoints, and RFC 9162 proofs. It keeps a
 * mirror of the tree's upper levels (one hash per 256 entries, as the single-process log does) and reads a
 * chunk's 256 leaf hashes only when a proof needs them. It never writes: the leader alone appends.
 *
 * @example
 * const view = new ClusterAuditView(pool, { keyring });
 * const proof = await view.inclusionProof(5, await view.size());
 */
import { type WardenEvent, WardenError } from '../core/index.js';
import type { PgPool } from '../store/index.js';
import type { SignedCheckpoint } from './checkpoint.js';
import { decodeEntry } from './encoding.js';
import { parseOwnNote } from './log-checks.js';
import { MAX_READ, checkFromSize, checkLeafIndex, checkReadRange, checkTreeSize, proveConsistency, proveInclusion } from './log-proofs.js';
import { CHUNK_SIZE } from './migrations.js';
import type { AuditRecord } from './reader.js';
import { decryptFields, mayHaveEnvelope, unwrapDataKey, type Keyring } from './sensitive.js';
import type { ConsistencyProof, InclusionProof, RawEntry } from './source.js';
import { TreeState } from './tree-state.js';

/** How often the size is polled while someone follows the log (`onAppend`). */
const FOLLOW_POLL_MS = 250;
/** Chunks of leaf hashes kept for proofs; beyond that the cache starts over. */
const LEAF_CACHE_CHUNKS = 64;
/** A mirror further behind than this many entries is rebuilt from the chunk hashes instead of leaf by leaf. */
const REBUILD_GAP = 4 * CHUNK_SIZE;

/** A proof needed leaf hashes not read yet: read them and compute again. */
class MissingLeaves extends Error {
  constructor(readonly chunk: number) {
    super(`leaf hashes of chunk ${chunk} are not loaded`);
  }
}

export class ClusterAuditView {
  private tree: TreeState;
  private readonly leaves = new Map<number, Buffer[]>();
  private readonly dataKeys = new Map<string, Buffer | null>();
  private syncing: Promise<void> | undefined;
  private readonly listeners = new Set<(size: number) => void>();
  private follower: NodeJS.Timeout | undefined;
  private lastSize = -1;

  constructor(
    private readonly pool: PgPool,
    private readonly options: { keyring?: Keyring | undefined } = {},
  ) {
    this.tree = this.newTree();
  }

  private newTree(): TreeState {
    // The tree asks for leaf hashes only of aligned ranges inside one complete chunk.
    return new TreeState((start, end) => {
      const chunk = Math.floor(start / CHUNK_SIZE);
      const hashes = this.leaves.get(chunk);
      if (!hashes) throw new MissingLeaves(chunk);
      const base = chunk * CHUNK_SIZE;
      return hashes.slice(start - base, end - base);
    });
  }

  async size(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM audit_entries');
    return Number(rows[0]!.n);
  }

  async readRaw(fromIndex: number, limit: number): Promise<RawEntry[]> {
    checkReadRange(fromIndex, limit);
    const { rows } = await this.pool.query<{ idx: string; entry: Buffer; leaf_hash: Buffer }>(
      'SELECT idx, entry, leaf_hash FROM audit_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx',
      [fromIndex, fromIndex + Math.min(limit, MAX_READ)],
    );
    return rows.map((r) => ({ index: Number(r.idx), entry: r.entry, leafHash: r.leaf_hash }));
  }

  async read(fromIndex: number, limit: number): Promise<AuditRecord[]> {
    const raw = await this.readRaw(fromIndex, limit);
    const decoded = raw.map((r) => ({ r, event: decodeEntry(r.entry).event as object, sealed: this.options.keyring !== undefined && mayHaveEnvelope(r.entry.toString('utf8')) }));
    if (decoded.some((d) => d.sealed)) await this.loadDataKeys(decoded.filter((d) => d.sealed).map((d) => d.event));
    return decoded.map(({ r, event, sealed }) => ({
      index: r.index,
      leafHash: r.leafHash.toString('hex'),
      event: (sealed ? decryptFields(event, (kid) => this.dataKeys.get(kid) ?? undefined) : event) as WardenEvent,
    }));
  }

  /** Unwraps the data keys these events name that are not cached yet (a shredded key stays missing). */
  private async loadDataKeys(events: object[]): Promise<void> {
    const wanted = new Set<string>();
    for (const event of events) {
      decryptFields(event, (kid) => {
        if (!this.dataKeys.has(kid)) wanted.add(kid);
        return undefined;
      });
    }
    if (wanted.size === 0) return;
    const { rows } = await this.pool.query<{ kid: string; kek_id: string; wrapped: Buffer | null }>('SELECT kid, kek_id, wrapped FROM audit_data_keys WHERE kid = ANY($1::text[])', [[...wanted]]);
    for (const row of rows) {
      const kek = row.wrapped ? this.options.keyring?.byId.get(row.kek_id) : undefined;
      let key: Buffer | null = null;
      if (kek && row.wrapped) {
        try {
          key = unwrapDataKey(kek, row.kid, row.wrapped);
        } catch {
          // A key that does not unwrap (wrong or damaged KEK) reads as erased: the sealed fields stay sealed (fail closed).
          key = null;
        }
      }
      this.dataKeys.set(row.kid, key);
    }
  }

  /** Polls the size while anyone listens (the leader may be another instance). */
  onAppend(listener: (newSize: number) => void): () => void {
    this.listeners.add(listener);
    this.follower ??= setInterval(() => {
      this.size().then(
        (size) => {
          if (size === this.lastSize) return;
          this.lastSize = size;
          for (const l of this.listeners) l(size);
        },
        () => undefined, // the reader that is woken reports the failure
      );
    }, FOLLOW_POLL_MS);
    this.follower.unref();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.follower) {
        clearInterval(this.follower);
        this.follower = undefined;
      }
    };
  }

  async checkpointNotes(fromSize = 0, limit = 10_000): Promise<{ size: number; note: string }[]> {
    const { rows } = await this.pool.query<{ tree_size: string; note: string }>('SELECT tree_size, note FROM audit_checkpoints WHERE tree_size >= $1 ORDER BY tree_size LIMIT $2', [
      fromSize,
      Math.min(Math.max(limit, 0), 1_000_000),
    ]);
    return rows.map((r) => ({ size: Number(r.tree_size), note: r.note }));
  }

  async latestCheckpoint(): Promise<SignedCheckpoint | null> {
    const { rows } = await this.pool.query<{ note: string }>('SELECT note FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1');
    return rows[0] ? parseOwnNote(rows[0].note) : null;
  }

  /** Brings the tree mirror up to the stored size; returns that size. Runs one at a time (requests overlap). */
  private sync(): Promise<number> {
    const next = (this.syncing ?? Promise.resolve()).then(async () => {
      const size = await this.size();
      if (size !== this.tree.size) await this.extend(size);
      return size;
    });
    this.syncing = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  private async extend(size: number): Promise<void> {
    const from = this.tree.size;
    if (size < from) throw new WardenError('conflict', `the audit log shrank from ${from} to ${size} entries; run \`warden audit verify\``);
    if (from === 0 || size - from > REBUILD_GAP) {
      const full = Math.floor(size / CHUNK_SIZE);
      const chunks = await this.pool.query<{ hash: Buffer }>('SELECT hash FROM audit_chunks WHERE chunk < $1 ORDER BY chunk', [full]);
      if (chunks.rows.length !== full) throw new WardenError('conflict', `the audit log is inconsistent (${chunks.rows.length} chunk hashes for ${size} entries); run \`warden audit verify\``);
      const tail = await this.leafHashes(full * CHUNK_SIZE, size);
      const tree = this.newTree();
      tree.restore(chunks.rows.map((r) => r.hash), tail);
      this.tree = tree;
      return;
    }
    for (const hash of await this.leafHashes(from, size)) this.tree.append(hash);
  }

  private async leafHashes(start: number, end: number): Promise<Buffer[]> {
    const { rows } = await this.pool.query<{ idx: string; leaf_hash: Buffer }>('SELECT idx, leaf_hash FROM audit_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx', [start, end]);
    if (rows.length !== end - start) throw new WardenError('conflict', `entries ${start}..${end - 1} of the audit log are not all stored; run \`warden audit verify\``);
    return rows.map((r) => r.leaf_hash);
  }

  /** Runs a tree computation, reading the leaf hashes it turns out to need. */
  private async withLeaves<T>(compute: () => T): Promise<T> {
    for (;;) {
      try {
        return compute();
      } catch (error) {
        if (!(error instanceof MissingLeaves)) throw error;
        if (this.leaves.size >= LEAF_CACHE_CHUNKS) this.leaves.clear();
        this.leaves.set(error.chunk, await this.leafHashes(error.chunk * CHUNK_SIZE, (error.chunk + 1) * CHUNK_SIZE));
      }
    }
  }

  private async checkSize(treeSize: number, what: string): Promise<void> {
    checkTreeSize(treeSize, await this.sync(), what);
  }

  async subtreeHash(start: number, end: number): Promise<Buffer> {
    await this.checkSize(end, 'the range end');
    return this.withLeaves(() => this.tree.subtree(start, end));
  }

  async rootHash(treeSize: number): Promise<string> {
    await this.checkSize(treeSize, 'the tree size');
    return (await this.withLeaves(() => this.tree.subtree(0, treeSize))).toString('hex');
  }

  async inclusionProof(index: number, treeSize: number): Promise<InclusionProof> {
    await this.checkSize(treeSize, 'the tree size');
    checkLeafIndex(index, treeSize);
    const [leaf] = await this.readRaw(index, 1);
    return this.withLeaves(() => proveInclusion(index, treeSize, leaf!.leafHash, this.tree.subtree));
  }

  async consistencyProof(fromSize: number, toSize: number): Promise<ConsistencyProof> {
    await this.checkSize(toSize, 'toSize');
    checkFromSize(fromSize, toSize);
    return this.withLeaves(() => proveConsistency(fromSize, toSize, this.tree.subtree));
  }

  close(): void {
    if (this.follower) clearInterval(this.follower);
    this.follower = undefined;
    this.listeners.clear();
  }
}
