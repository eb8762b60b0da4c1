/**
 * Checkpoints of the single-process log: when one is due (`CheckpointSchedule`, which the cluster's leader
 * shares), signing it for the batch that reaches its size (it commits in that batch's transaction), the
 * `audit.checkpoint` file, checkpoints asked for on demand (`checkpoint()`, `close()`), the stored ones,
 * the signing key's public half, and the timer that commits a due checkpoint when no append comes.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WardenError } from '../core/index.js';
import type { SqliteDatabase } from '../store/index.js';
import { signCheckpoint, type SignedCheckpoint } from './checkpoint.js';
import type { AuditConfig } from './config.js';
import { parseOwnNote } from './log-checks.js';
import type { AuditCheckpoints, AuditLogger } from './log-types.js';
import { verifierKeyString, type NoteSigner } from './signing-key.js';

const CHECKPOINT_FILE = 'audit.checkpoint';

/** When a checkpoint is due: `everyEntries` new entries, or `everySeconds` after the last one once entries came. */
export class CheckpointSchedule {
  private lastAt = Date.now();

  constructor(
    private readonly every: AuditConfig['checkpoint'],
    private current: SignedCheckpoint | null,
  ) {}

  get latest(): SignedCheckpoint | null {
    return this.current;
  }

  due(size: number): boolean {
    const lastSize = this.current?.size ?? 0;
    if (size <= lastSize) return false;
    return size - lastSize >= this.every.everyEntries || Date.now() - this.lastAt >= this.every.everySeconds * 1000;
  }

  /** The checkpoint is durable: the next one is due counting from it. */
  published(checkpoint: SignedCheckpoint): void {
    this.current = checkpoint;
    this.lastAt = Date.now();
  }
}

/** Signs a checkpoint of the tree of `size` entries with root `rootHash`, dated now. */
export function signAt(signer: NoteSigner, size: number, rootHash: Buffer): SignedCheckpoint {
  return signCheckpoint({ origin: signer.name, size, rootHash, time: new Date().toISOString() }, signer);
}

/** The verifier key string and the SPKI PEM of the key that signs a log's checkpoints. */
export function publicKeyOf(signer: NoteSigner): { verifierKey: string; pem: string } {
  return { verifierKey: verifierKeyString(signer), pem: signer.publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}

/** What the checkpoints need of the append pipeline (`LogAppender`). */
export interface CheckpointPipeline {
  /** The durable size. */
  size(): number;
  /** Whether a batch is being written now. */
  writing(): boolean;
  /** Nothing queued and nothing being written. */
  isIdle(): boolean;
  /** Resolves when the pipeline is next idle. */
  idle(): Promise<void>;
  /** The write failure that made the log read-only, if any. */
  failure(): Error | undefined;
  /** Writes what is queued now, with a checkpoint if `due()` says so. */
  flush(): void;
}

type Waiter = { resolve: (checkpoint: SignedCheckpoint) => void; reject: (error: unknown) => void };

/** A checkpoint signed for a batch, and the `checkpoint()` calls it answers once the batch is durable. */
export interface BatchCheckpoint {
  checkpoint: SignedCheckpoint;
  waiters: Waiter[];
}

export interface LogCheckpointsOptions {
  dataDir: string;
  every: AuditConfig['checkpoint'];
  logger: AuditLogger | undefined;
}

export class LogCheckpoints implements AuditCheckpoints {
  private readonly schedule: CheckpointSchedule;
  /** `checkpoint()` calls not yet taken by a batch (the next flush takes them all). */
  private forced: Waiter[] = [];
  private pipeline: CheckpointPipeline | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly signer: NoteSigner,
    private readonly options: LogCheckpointsOptions,
  ) {
    const last = db.prepare('SELECT note FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1').pluck().get() as string | undefined;
    this.schedule = new CheckpointSchedule(options.every, last ? parseOwnNote(last) : null);
  }

  /** Starts the timer over the pipeline that commits the checkpoints; `onTick` runs first at every tick. */
  start(pipeline: CheckpointPipeline, onTick: () => void): void {
    this.pipeline = pipeline;
    this.timer = setInterval(
      () => {
        onTick();
        if (!pipeline.writing() && this.due(pipeline.size())) pipeline.flush();
      },
      Math.min(this.options.every.everySeconds * 1000, 60_000),
    );
    this.timer.unref();
  }

  /** Whether the batch that makes the log `size` entries long carries a checkpoint (asked for, or due). */
  due(size: number): boolean {
    return this.forced.length > 0 || this.schedule.due(size);
  }

  /** Signs the checkpoint of the batch ending at `size`; it answers every `checkpoint()` waiting now. */
  sign(size: number, rootHash: Buffer): BatchCheckpoint {
    return { checkpoint: signAt(this.signer, size, rootHash), waiters: this.forced.splice(0) };
  }

  /** The batch carrying `checkpoint` is durable: it is the latest, also in the checkpoint file. */
  published(checkpoint: SignedCheckpoint): void {
    this.schedule.published(checkpoint);
    try {
      const path = join(this.options.dataDir, CHECKPOINT_FILE);
      writeFileSync(path + '.tmp', checkpoint.note, { mode: 0o644 });
      renameSync(path + '.tmp', path);
    } catch (error) {
      this.options.logger?.error({ err: (error as Error).message }, 'could not write the checkpoint file');
    }
  }

  latestCheckpoint(): SignedCheckpoint | null {
    return this.schedule.latest;
  }

  async checkpoint(): Promise<SignedCheckpoint> {
    const pipeline = this.started();
    // Idle when going on, not only when woken: a batch started in between (a full queue is written at once)
    // was signed without this request, which then waited for the timer, and the timer signed that size twice.
    do await pipeline.idle();
    while (!pipeline.isIdle());
    const failure = pipeline.failure();
    if (failure) throw new WardenError('not_ready', 'the audit log failed and is read-only until restart', { cause: failure });
    const latest = this.schedule.latest;
    if (latest && latest.size === pipeline.size()) return latest;
    // Idle, so this flush writes (only) the checkpoint and takes this request with it.
    const done = new Promise<SignedCheckpoint>((resolve, reject) => this.forced.push({ resolve, reject }));
    pipeline.flush();
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

  publicKey(): { verifierKey: string; pem: string } {
    return publicKeyOf(this.signer);
  }

  /** Once the queued appends are durable, signs a final checkpoint if entries came after the last one (not after a failed write); stops the timer. */
  async close(): Promise<void> {
    const pipeline = this.started();
    try {
      await pipeline.idle();
      if (!pipeline.failure() && pipeline.size() > (this.schedule.latest?.size ?? 0)) await this.checkpoint();
    } finally {
      clearInterval(this.timer);
    }
  }

  private started(): CheckpointPipeline {
    if (!this.pipeline) throw new WardenError('internal', 'the audit checkpoints were not started');
    return this.pipeline;
  }
}
