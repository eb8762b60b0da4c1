/**
 * The audit log: every event appended to an RFC 9162 Merkle tree in `audit.db`, acknowledged only once
 * durable (group commit on a writer thread), with signed checkpoints and proofs. This file composes the
 * pieces, each owning one responsibility: `LogAppender` (log-appender.ts) the durable group-commit
 * pipeline, `LogCheckpoints` (log-checkpoints.ts) signing and the timer, `LogReader` (log-reader.ts) reads
 * and proofs over the tree state, `LogShredder` (log-shredder.ts) crypto-shredding.
 *
 * @example
 * const log = await createAuditLog({ dataDir, config: auditConfigSchema.parse({}) });
 * const { index } = await log.append(event);
 * const proof = log.inclusionProof(index, log.size());
 */
import type { WardenEvent } from '../core/index.js';
import type { EventBus, Subscription } from '../events/index.js';
import { applyMigrations, openDatabase, type SqliteDatabase } from '../store/index.js';
import type { SignedCheckpoint } from './checkpoint.js';
import { resolveDataPath } from './config.js';
import { DataKeyManager } from './data-keys.js';
import { LogAppender } from './log-appender.js';
import { LogCheckpoints } from './log-checkpoints.js';
import { LogReader, loadTree } from './log-reader.js';
import { LogShredder } from './log-shredder.js';
import type { AuditLog, AuditLogOptions } from './log-types.js';
import { AUDIT_DB_FILE, AUDIT_MODULE, auditMigrations } from './migrations.js';
import type { AuditRecord } from './reader.js';
import { FieldMatcher, loadKeyring } from './sensitive.js';
import { loadOrCreateSigningKey } from './signing-key.js';
import type { ConsistencyProof, InclusionProof, RawEntry } from './source.js';

export type {
  AuditAppend,
  AuditCheckpoints,
  AuditLog,
  AuditLogOptions,
  AuditLogger,
  AuditProofs,
  AuditReads,
  AuditShredding,
} from './log-types.js';

class AuditLogImpl implements AuditLog {
  private readonly checkpointer: LogCheckpoints;
  private readonly appender: LogAppender;
  private readonly reader: LogReader;
  private readonly shredder: LogShredder;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly db: SqliteDatabase,
    options: AuditLogOptions,
  ) {
    const { dataDir, config, logger } = options;
    // Keys and the stored state first (a missing KEK or an inconsistent audit.db fails before the writer
    // thread starts), the writer thread last, then its timer and the bus.
    const signer = loadOrCreateSigningKey(resolveDataPath(dataDir, config.signingKeyFile), config.origin);
    const matcher = new FieldMatcher(config.encryption.enabled ? config.encryption.fields : []);
    const keys = config.encryption.enabled
      ? new DataKeyManager(db, loadKeyring(resolveDataPath(dataDir, config.encryption.kekFile), (options.env ?? process.env)[config.encryption.kekEnv]), config.encryption.dataKeyRotationHours * 3_600_000)
      : undefined;
    const { tree, size } = loadTree(db);
    this.checkpointer = new LogCheckpoints(db, signer, { dataDir, every: config.checkpoint, logger });
    this.reader = new LogReader(db, tree, () => this.appender.size(), keys);
    this.shredder = new LogShredder(keys, config.retention.sensitiveDays, logger);
    this.appender = new LogAppender(tree, size, this.checkpointer, { dataDir, maxBatch: config.maxBatch, keys, matcher, logger });
    // One timer: the retention's shredding, then a checkpoint due by time when no append comes.
    this.checkpointer.start(this.appender, () => this.shredder.applyRetention());
    if (options.bus && config.enabled) this.subscribeTo(options.bus);
  }

  append(event: WardenEvent): Promise<{ index: number; leafHash: string }> {
    return this.appender.append(event);
  }
  subscribeTo(bus: EventBus): Subscription {
    return this.appender.subscribeTo(bus);
  }
  onAppend(listener: (newSize: number) => void): () => void {
    return this.appender.onAppend(listener);
  }

  size(): number {
    return this.reader.size();
  }
  read(fromIndex: number, limit: number): AuditRecord[] {
    return this.reader.read(fromIndex, limit);
  }
  readRaw(fromIndex: number, limit: number): RawEntry[] {
    return this.reader.readRaw(fromIndex, limit);
  }
  rootHash(treeSize: number): string {
    return this.reader.rootHash(treeSize);
  }
  subtreeHash(start: number, end: number): Buffer {
    return this.reader.subtreeHash(start, end);
  }
  inclusionProof(index: number, treeSize: number): InclusionProof {
    return this.reader.inclusionProof(index, treeSize);
  }
  consistencyProof(fromSize: number, toSize: number): ConsistencyProof {
    return this.reader.consistencyProof(fromSize, toSize);
  }

  latestCheckpoint(): SignedCheckpoint | null {
    return this.checkpointer.latestCheckpoint();
  }
  checkpoint(): Promise<SignedCheckpoint> {
    return this.checkpointer.checkpoint();
  }
  checkpoints(fromSize?: number, limit?: number): SignedCheckpoint[] {
    return this.checkpointer.checkpoints(fromSize, limit);
  }
  checkpointNotes(fromSize?: number, limit?: number): { size: number; note: string }[] {
    return this.checkpointer.checkpointNotes(fromSize, limit);
  }
  publicKey(): { verifierKey: string; pem: string } {
    return this.checkpointer.publicKey();
  }

  shred(cutoff: Date): string[] {
    return this.shredder.shred(cutoff);
  }

  /** Queued appends made durable, a final checkpoint signed, then the writer thread and the database closed. */
  close(): Promise<void> {
    // A second call waits for the first: its caller must not go on while the files are still open.
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    // First: an append accepted after the final checkpoint would be durable but covered by no checkpoint.
    this.appender.refuseAppends();
    try {
      await this.checkpointer.close();
    } finally {
      // Also when the final checkpoint could not be written: the log is read-only then, its files are released.
      await this.appender.close();
      this.db.close();
    }
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
