/**
 * The single-process log's durable group-commit pipeline. It owns the queue of appends not yet durable,
 * the next index and the durable size, the writer thread, the fail-closed state, and who waits on it (idle
 * waiters, `onAppend` listeners). An append is acknowledged only once the writer thread has committed
 * (fsynced) the batch holding it; while one batch is written the next appends queue, so under load many
 * share one transaction. A batch carries with its entries the chunk hashes they complete, the data keys
 * they are sealed with and the checkpoint signed for it, so all of them are durable together or not at all.
 */
import { WardenError, type WardenEvent } from '../core/index.js';
import type { EventBus, Subscription } from '../events/index.js';
import type { DataKeyManager } from './data-keys.js';
import { encodeLeafInput } from './encoding.js';
import { eventProblem } from './log-checks.js';
import type { BatchCheckpoint, CheckpointPipeline, LogCheckpoints } from './log-checkpoints.js';
import type { AuditAppend, AuditLogger } from './log-types.js';
import { AUDIT_DB_FILE } from './migrations.js';
import { encryptFields, type FieldMatcher } from './sensitive.js';
import { hashPrefixedLeaf } from './tree.js';
import type { TreeState } from './tree-state.js';
import { BatchWriter } from './writer.js';

interface Pending {
  entry: Buffer;
  leafHash: Buffer;
  index: number;
  resolve: (r: { index: number; leafHash: string }) => void;
  reject: (e: unknown) => void;
}

const MAX_BATCH_BYTES = 64 * 1024 * 1024;

/** What a batch asks of the checkpoints: whether it carries one, the signature, and its durability. */
export type BatchCheckpoints = Pick<LogCheckpoints, 'due' | 'sign' | 'published'>;

export interface LogAppenderOptions {
  dataDir: string;
  maxBatch: number;
  /** The data keys that seal sensitive fields (none when encryption is off). */
  keys: DataKeyManager | undefined;
  matcher: FieldMatcher;
  logger: AuditLogger | undefined;
}

export class LogAppender implements AuditAppend, CheckpointPipeline {
  private readonly writer: BatchWriter;
  private readonly listeners = new Set<(n: number) => void>();
  private pending: Pending[] = [];
  private nextIndex: number;
  private durable: number;
  private inFlight = false;
  private scheduled = false;
  private stopped = false;
  private failed: Error | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(
    /** The tree state after the durable entries; the appender alone extends it. */
    private readonly tree: TreeState,
    size: number,
    private readonly checkpoints: BatchCheckpoints,
    private readonly options: LogAppenderOptions,
  ) {
    this.nextIndex = this.durable = size;
    this.writer = new BatchWriter(options.dataDir, AUDIT_DB_FILE);
  }

  size(): number {
    return this.durable;
  }

  append(event: WardenEvent): Promise<{ index: number; leafHash: string }> {
    if (this.failed) return Promise.reject(new WardenError('not_ready', 'the audit log failed and is read-only until restart', { cause: this.failed }));
    if (this.stopped) return Promise.reject(new WardenError('not_ready', 'the audit log is closed'));
    const problem = eventProblem(event);
    if (problem) return Promise.reject(new WardenError('validation_failed', `not an event: ${problem}`));
    let input: Buffer;
    const index = this.nextIndex;
    try {
      const keys = this.options.keys;
      const stored = keys ? encryptFields(event, this.options.matcher, () => keys.current()) : event;
      input = encodeLeafInput(index, stored);
    } catch (error) {
      return Promise.reject(error instanceof WardenError ? error : new WardenError('validation_failed', 'the event cannot be encoded', { cause: error }));
    }
    this.nextIndex++;
    return new Promise((resolve, reject) => {
      this.pending.push({ entry: input.subarray(1), leafHash: hashPrefixedLeaf(input), index, resolve, reject });
      if (this.pending.length >= this.options.maxBatch) this.flush();
      else this.schedule();
    });
  }

  subscribeTo(bus: EventBus): Subscription {
    return bus.subscribe(
      async (event) => {
        await this.append(event);
      },
      { name: 'audit', durable: true },
    );
  }

  onAppend(listener: (newSize: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  flush(): void {
    if (this.inFlight || this.failed) return;
    // Up to maxBatch entries and about 64 MiB per transaction (offsets are 32-bit; one huge event still goes alone).
    let take = 0;
    for (let bytes = 0; take < this.pending.length && take < this.options.maxBatch && (take === 0 || bytes < MAX_BATCH_BYTES); take++) {
      bytes += this.pending[take]!.entry.length;
    }
    const batch = this.pending.splice(0, take);
    const end = (batch.at(-1)?.index ?? this.durable - 1) + 1;
    if (batch.length === 0 && !this.checkpoints.due(end)) {
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
    const signed: BatchCheckpoint | null = this.checkpoints.due(end) ? this.checkpoints.sign(end, this.tree.root()) : null;
    const checkpoint = signed?.checkpoint ?? null;
    this.inFlight = true;
    this.writer
      .write({
        first,
        count: batch.length,
        data: data.buffer as ArrayBuffer,
        offsets: offsets.buffer,
        leafHashes: hashes.buffer as ArrayBuffer,
        chunks,
        keys: this.options.keys?.takeOps() ?? [],
        checkpoint: checkpoint && { size: checkpoint.size, note: checkpoint.note, createdAt: checkpoint.time },
      })
      .then(
        () => {
          this.durable = end;
          if (checkpoint) this.checkpoints.published(checkpoint);
          for (const p of batch) p.resolve({ index: p.index, leafHash: p.leafHash.toString('hex') });
          for (const w of signed?.waiters ?? []) w.resolve(checkpoint!);
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
          // A `checkpoint()` whose batch failed is answered too: it would otherwise wait forever.
          for (const w of signed?.waiters ?? []) w.reject(err);
          this.inFlight = false;
          this.notifyIdle();
        },
      );
  }

  writing(): boolean {
    return this.inFlight;
  }

  failure(): Error | undefined {
    return this.failed;
  }

  isIdle(): boolean {
    return !this.inFlight && this.pending.length === 0;
  }

  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Refuses appends from now on; those already queued are still written (the final checkpoint waits for them). */
  refuseAppends(): void {
    this.stopped = true;
  }

  /** Refuses further appends and stops the writer thread (the composer has waited for the queue). */
  async close(): Promise<void> {
    this.stopped = true;
    await this.writer.close();
  }
}

function safeCall(listener: (n: number) => void, n: number): void {
  try {
    listener(n);
  } catch {
    // a listener's failure never affects the log
  }
}
