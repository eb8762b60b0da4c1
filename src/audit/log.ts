/**
 * The audit log: every event appended to an RFC 9162 Merkle tree in `audit.db`, acknowledged only once
 * durable (group commit on a writer thread), with signed checkpoints and proofs.
 *
 * @example
 * const log = await createAuditLog({ dataDir, config: auditConfigSchema.parse({}) });
 * const { index } = await log.append(event);
 * const proof = log.inclusionProof(index, log.size());
 */
import { renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { WardenError, type WardenEvent } from '../core/index.js';
import type { EventBus, Subscription } from '../events/index.js';
import { applyMigrations, openDatabase, type SqliteDatabase } from '../store/index.js';
import { signCheckpoint, type SignedCheckpoint } from './checkpoint.js';
import { DataKeyManager } from './data-keys.js';
import { decodeEntry, encodeLeafInput } from './encoding.js';
import { AUDIT_DB_FILE, AUDIT_MODULE, CHUNK_SIZE, auditMigrations } from './migrations.js';
import type { AuditRecord } from './reader.js';
import { FieldMatcher, decryptFields, encryptFields, loadKeyring, mayHaveEnvelope } from './sensitive.js';
import { loadOrCreateSigningKey, verifierKeyString, type NoteSigner } from './signing-key.js';
import { consistencyProof, hashPrefixedLeaf, inclusionProof } from './tree.js';
import { TreeState } from './tree-state.js';
import { BatchWriter } from './writer.js';
import { eventProblem, parseOwnNote } from './log-checks.js';
import type { AuditLog, AuditLogOptions } from './log-types.js';

export type { AuditLog, AuditLogOptions, AuditLogger } from './log-types.js';

interface Pending {
  entry: Buffer;
  leafHash: Buffer;
  index: number;
  resolve: (r: { index: number; leafHash: string }) => void;
  reject: (e: unknown) => void;
}

const CHECKPOINT_FILE = 'audit.checkpoint';
const MAX_BATCH_BYTES = 64 * 1024 * 1024;

function resolvePath(dataDir: string, p: string): string {
  return isAbsolute(p) ? p : join(dataDir, p);
}

class AuditLogImpl implements AuditLog {
  private readonly tree: TreeState;
  private readonly signer: NoteSigner;
  private readonly keys: DataKeyManager | undefined;
  private readonly matcher: FieldMatcher;
  private readonly writer: BatchWriter;
  private readonly listeners = new Set<(n: number) => void>();
  private readonly readRange;
  private readonly readHashes;
  private pending: Pending[] = [];
  private nextIndex: number;
  private durable: number;
  private inFlight = false;
  private scheduled = false;
  private closed = false;
  private failed: Error | undefined;
  private latest: SignedCheckpoint | null;
  private lastCheckpointAt = Date.now();
  private forceCheckpoint: ((c: SignedCheckpoint) => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly options: AuditLogOptions,
  ) {
    const { dataDir, config } = options;
    this.signer = loadOrCreateSigningKey(resolvePath(dataDir, config.signingKeyFile), config.origin);
    this.matcher = new FieldMatcher(config.encryption.enabled ? config.encryption.fields : []);
    if (config.encryption.enabled) {
      const keyring = loadKeyring(resolvePath(dataDir, config.encryption.kekFile), (options.env ?? process.env)[config.encryption.kekEnv]);
      this.keys = new DataKeyManager(db, keyring, config.encryption.dataKeyRotationHours * 3_600_000);
    }
    this.readRange = db.prepare('SELECT idx, entry, leaf_hash FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx');
    this.readHashes = db.prepare('SELECT leaf_hash FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx').pluck();
    this.tree = new TreeState((start, end) => this.readHashes.all(start, end) as Buffer[]);
    const size = (db.prepare('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM audit_entries').get() as { n: number }).n;
    const chunks = db.prepare('SELECT hash FROM audit_chunks ORDER BY chunk').pluck().all() as Buffer[];
    const full = Math.floor(size / CHUNK_SIZE);
    if (chunks.length !== full) throw new WardenError('internal', `audit.db is inconsistent: ${chunks.length} chunk hashes for ${size} entries; run \`warden audit verify\``);
    this.tree.restore(chunks, this.readHashes.all(full * CHUNK_SIZE, size) as Buffer[]);
    this.nextIndex = this.durable = size;
    const last = db.prepare('SELECT note, created_at FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1').get() as
      | { note: string; created_at: string }
      | undefined;
    this.latest = last ? parseOwnNote(last.note) : null;
    this.writer = new BatchWriter(dataDir, AUDIT_DB_FILE);
    const everyMs = config.checkpoint.everySeconds * 1000;
    this.timer = setInterval(() => this.onTimer(), Math.min(everyMs, 60_000));
    this.timer.unref();
    if (options.bus && config.enabled) this.subscribeTo(options.bus);
  }

  size(): number {
    return this.durable;
  }

  append(event: WardenEvent): Promise<{ index: number; leafHash: string }> {
    if (this.failed) return Promise.reject(new WardenError('not_ready', 'the audit log failed and is read-only until restart', { cause: this.failed }));
    if (this.closed) return Promise.reject(new WardenError('not_ready', 'the audit log is closed'));
    const problem = eventProblem(event);
    if (problem) return Promise.reject(new WardenError('validation_failed', `not an event: ${problem}`));
    let input: Buffer;
    const index = this.nextIndex;
    try {
      const stored = this.keys ? encryptFields(event, this.matcher, () => this.keys!.current()) : event;
      input = encodeLeafInput(index, stored);
    } catch (error) {
      return Promise.reject(error instanceof WardenError ? error : new WardenError('validation_failed', 'the event cannot be encoded', { cause: error }));
    }
    this.nextIndex++;
    return new Promise((resolve, reject) => {
      this.pending.push({ entry: input.subarray(1), leafHash: hashPrefixedLeaf(input), index, resolve, reject });
      if (this.pending.length >= this.options.config.maxBatch) this.flush();
      else this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private checkpointDue(size: number): boolean {
    const lastSize = this.latest?.size ?? 0;
    if (this.forceCheckpoint.length) return true;
    if (size <= lastSize) return false;
    const { everyEntries, everySeconds } = this.options.config.checkpoint;
    return size - lastSize >= everyEntries || Date.now() - this.lastCheckpointAt >= everySeconds * 1000;
  }

  private flush(): void {
    if (this.inFlight || this.failed) return;
    // Up to maxBatch entries and about 64 MiB per transaction (offsets are 32-bit; one huge event still goes alone).
    let take = 0;
    for (let bytes = 0; take < this.pending.length && take < this.options.config.maxBatch && (take === 0 || bytes < MAX_BATCH_BYTES); take++) {
      bytes += this.pending[take]!.entry.length;
    }
    const batch = this.pending.splice(0, take);
    const end = (batch.at(-1)?.index ?? this.durable - 1) + 1;
    if (batch.length === 0 && !this.checkpointDue(end)) {
      this.notifyIdle();
      return;
    }
    const first = this.durable;
    const total = batch.reduce((s, p) => s + p.entry.length, 0);
    const data = Buffer.allocUnsafeSlow(total);
    const offsets = new Uint32Array(batch.length + 1);
    const hashes = Buffer.allocUnsafeSlow(batch.length * 32);
    const chunks: { chunk: number; hash: Uint8Array }[] = [];
    let at = 0;
    batch.forEach((p, i) => {
      offsets[i] = at;
      p.entry.copy(data, at);
      at += p.entry.length;
      p.leafHash.copy(hashes, i * 32);
      const done = this.tree.append(p.leafHash);
      if (done) chunks.push(done);
    });
    offsets[batch.length] = at;
    let checkpoint: SignedCheckpoint | null = null;
    if (this.checkpointDue(end)) {
      checkpoint = signCheckpoint({ origin: this.signer.name, size: end, rootHash: this.tree.root(), time: new Date().toISOString() }, this.signer);
    }
    const waiters = checkpoint ? this.forceCheckpoint.splice(0) : [];
    this.inFlight = true;
    this.writer
      .write({
        first,
        count: batch.length,
        data: data.buffer as ArrayBuffer,
        offsets: offsets.buffer,
        leafHashes: hashes.buffer as ArrayBuffer,
        chunks,
        keys: this.keys?.takeOps() ?? [],
        checkpoint: checkpoint && { size: checkpoint.size, note: checkpoint.note, createdAt: checkpoint.time },
      })
      .then(
        () => {
          this.durable = end;
          if (checkpoint) this.published(checkpoint);
          for (const p of batch) p.resolve({ index: p.index, leafHash: p.leafHash.toString('hex') });
          for (const w of waiters) w(checkpoint!);
          if (batch.length) for (const l of this.listeners) safeCall(l, end);
          this.inFlight = false;
          if (this.pending.length) this.flush();
          else this.notifyIdle();
        },
        (error: unknown) => {
          // Fail closed: nothing after this point is acknowledged; a restart reloads the durable state.
          this.failed = error as Error;
          this.options.logger?.error({ err: (error as Error).message }, 'audit log write failed');
          const err = new WardenError('internal', 'the audit log could not write', { cause: error });
          for (const p of [...batch, ...this.pending.splice(0)]) p.reject(err);
          this.inFlight = false;
          this.notifyIdle();
        },
      );
  }

  private published(checkpoint: SignedCheckpoint): void {
    this.latest = checkpoint;
    this.lastCheckpointAt = Date.now();
    try {
      const path = join(this.options.dataDir, CHECKPOINT_FILE);
      writeFileSync(path + '.tmp', checkpoint.note, { mode: 0o644 });
      renameSync(path + '.tmp', path);
    } catch (error) {
      this.options.logger?.error({ err: (error as Error).message }, 'could not write the checkpoint file');
    }
  }

  private onTimer(): void {
    if (this.keys && this.options.config.retention.sensitiveDays > 0) {
      this.shred(new Date(Date.now() - this.options.config.retention.sensitiveDays * 86_400_000));
    }
    if (!this.inFlight && this.checkpointDue(this.durable)) this.flush();
  }

  private notifyIdle(): void {
    if (this.inFlight || this.pending.length) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private idle(): Promise<void> {
    if (!this.inFlight && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  read(fromIndex: number, limit: number): AuditRecord[] {
    return this.readRaw(fromIndex, limit).map((r) => {
      const text = r.entry.toString('utf8');
      let event = decodeEntry(r.entry).event;
      if (this.keys && mayHaveEnvelope(text)) event = decryptFields(event, this.keys.get);
      return { index: r.index, leafHash: r.leafHash.toString('hex'), event: event as unknown as WardenEvent };
    });
  }

  readRaw(fromIndex: number, limit: number): { index: number; entry: Buffer; leafHash: Buffer }[] {
    if (!Number.isSafeInteger(fromIndex) || fromIndex < 0 || !Number.isSafeInteger(limit) || limit < 0) {
      throw new WardenError('bad_request', 'fromIndex and limit must be non-negative integers');
    }
    const end = Math.min(this.durable, fromIndex + Math.min(limit, 100_000));
    if (fromIndex >= end) return [];
    return (this.readRange.all(fromIndex, end) as { idx: number; entry: Buffer; leaf_hash: Buffer }[]).map((r) => ({
      index: r.idx,
      entry: r.entry,
      leafHash: r.leaf_hash,
    }));
  }

  onAppend(listener: (newSize: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  subscribeTo(bus: EventBus): Subscription {
    return bus.subscribe(
      async (event) => {
        await this.append(event);
      },
      { name: 'audit', durable: true },
    );
  }

  latestCheckpoint(): SignedCheckpoint | null {
    return this.latest;
  }

  async checkpoint(): Promise<SignedCheckpoint> {
    await this.idle();
    if (this.failed) throw new WardenError('not_ready', 'the audit log failed and is read-only until restart', { cause: this.failed });
    if (this.latest && this.latest.size === this.durable) return this.latest;
    const done = new Promise<SignedCheckpoint>((resolve) => this.forceCheckpoint.push(resolve));
    this.flush();
    return done;
  }

  checkpointNotes(fromSize = 0, limit = 10_000): { size: number; note: string }[] {
    return this.db
      .prepare('SELECT tree_size AS size, note FROM audit_checkpoints WHERE tree_size >= ? ORDER BY tree_size LIMIT ?')
      .all(fromSize, Math.min(Math.max(limit, 0), 100_000)) as { size: number; note: string }[];
  }

  checkpoints(fromSize = 0, limit = 1000): SignedCheckpoint[] {
    const rows = this.db
      .prepare('SELECT note FROM audit_checkpoints WHERE tree_size >= ? ORDER BY tree_size LIMIT ?')
      .pluck()
      .all(fromSize, Math.min(Math.max(limit, 0), 10_000)) as string[];
    return rows.map(parseOwnNote).filter((c): c is SignedCheckpoint => c !== null);
  }

  private checkSize(treeSize: number, what: string): void {
    if (!Number.isSafeInteger(treeSize) || treeSize < 0 || treeSize > this.durable) {
      throw new WardenError('bad_request', `${what} must be an integer between 0 and ${this.durable}`);
    }
  }

  rootHash(treeSize: number): string {
    this.checkSize(treeSize, 'the tree size');
    return this.tree.subtree(0, treeSize).toString('hex');
  }

  subtreeHash(start: number, end: number): Buffer {
    this.checkSize(end, 'the range end');
    return this.tree.subtree(start, end);
  }

  inclusionProof(index: number, treeSize: number) {
    this.checkSize(treeSize, 'the tree size');
    if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize) throw new WardenError('bad_request', `index must be below the tree size ${treeSize}`);
    const leaf = this.readHashes.all(index, index + 1) as Buffer[];
    return {
      index,
      treeSize,
      leafHash: leaf[0]!.toString('hex'),
      rootHash: this.rootHash(treeSize),
      proof: inclusionProof(index, treeSize, this.tree.subtree).map((h) => h.toString('hex')),
    };
  }

  consistencyProof(fromSize: number, toSize: number) {
    this.checkSize(toSize, 'toSize');
    if (!Number.isSafeInteger(fromSize) || fromSize < 0 || fromSize > toSize) throw new WardenError('bad_request', 'fromSize must be between 0 and toSize');
    return {
      fromSize,
      toSize,
      fromRoot: this.rootHash(fromSize),
      toRoot: this.rootHash(toSize),
      proof: consistencyProof(fromSize, toSize, this.tree.subtree).map((h) => h.toString('hex')),
    };
  }

  publicKey(): { verifierKey: string; pem: string } {
    return { verifierKey: verifierKeyString(this.signer), pem: this.signer.publicKey.export({ format: 'pem', type: 'spki' }).toString() };
  }

  shred(cutoff: Date): string[] {
    const destroyed = this.keys?.shred(cutoff) ?? [];
    if (destroyed.length) this.options.logger?.info({ dataKeys: destroyed.length }, 'audit data keys destroyed by retention');
    return destroyed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.idle();
    if (!this.failed && this.durable > (this.latest?.size ?? 0)) await this.checkpoint();
    this.closed = true;
    clearInterval(this.timer);
    await this.writer.close();
    this.db.close();
  }
}

function safeCall(listener: (n: number) => void, n: number): void {
  try {
    listener(n);
  } catch {
    // a listener's failure never affects the log
  }
}

/** Opens (creating if needed) the audit log in `dataDir/audit.db`. */
export async function createAuditLog(options: AuditLogOptions): Promise<AuditLog> {
  const db = openDatabase(options.dataDir, AUDIT_DB_FILE);
  try {
    db.pragma('secure_delete = ON');
    applyMigrations(db, AUDIT_MODULE, auditMigrations);
    return new AuditLogImpl(db, options);
  } catch (error) {
    db.close();
    throw error;
  }
}
