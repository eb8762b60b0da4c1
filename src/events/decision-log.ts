/**
 * The writer of the decision table (a `DecisionRepository`, SQLite or PostgreSQL). With a single-process
 * audit log it follows the log from a cursor stored with the rows (one transaction), so after a crash it
 * catches up from where it was and holds every decision the log holds. With the cluster's log in
 * PostgreSQL it writes nothing: the audit leader writes the rows with each append (`insertDecisionsWithin`),
 * and `flush` waits for the leader to have drained what this instance acknowledged (`writtenBy`).
 * Without an audit log it subscribes to the bus: this instance's decisions are written in batches; a batch
 * the database refused is kept (up to `maxPending` decisions) and written again a second later.
 * The tamper-evident, durable copy of every decision is the audit log's job; this table serves queries.
 *
 * @example
 * const decisions = new DecisionLog(stores.decisions, { onError: (err) => logger.error({ err }, '…') });
 * await decisions.follow(auditLog); // or decisions.subscribeTo(bus)
 * await decisions.flush();
 * const page = await decisions.repo.query({ principal: 'User::alice', limit: 50 });
 */
import type { DecisionEvent, WardenEvent } from '../core/index.js';
import type { EventBus, Subscription } from './bus.js';
import type { DecisionRepository } from './store/types.js';

/** What the table follows: the audit log's reading side (structural, so events does not depend on audit). */
export interface DecisionSource {
  size(): number;
  read(fromIndex: number, limit: number): { index: number; event: WardenEvent }[];
  onAppend(listener: (newSize: number) => void): () => void;
}

/** Who writes the table when this instance does not (the cluster's audit leader; structural, as `DecisionSource`). */
export interface DecisionWriter {
  /** Resolves once what this instance published so far is written (bounded by the writer). */
  settled(): Promise<void>;
}

export interface DecisionLogOptions {
  /** How long a decision waits to be written with others (a batch also goes at 1000 decisions). */
  flushIntervalMs?: number;
  /** How long to wait before writing a refused batch again. */
  retryMs?: number;
  /** Most decisions kept while the database refuses them; the oldest beyond are dropped and reported. */
  maxPending?: number;
  /** A write or catch-up that failed (it is retried; nothing is thrown to callers). */
  onError?: (error: unknown) => void;
}

const CATCH_UP_BATCH = 2000;
const BATCH = 1000;

export class DecisionLog {
  private buffer: DecisionEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private subscription: Subscription | undefined;
  private unfollow: (() => void) | undefined;
  private source: DecisionSource | undefined;
  private writer: DecisionWriter | undefined;
  private following: NodeJS.Timeout | undefined;
  /** Writes run one at a time, in order. */
  private writing: Promise<void> = Promise.resolve();
  private readonly flushIntervalMs: number;
  /** A flush started because the buffer is full; records arriving meanwhile join it rather than queue another. */
  private fullFlush: Promise<void> | undefined;
  /** After a refused batch, a full buffer waits for the retry timer too. */
  private backoffUntil = 0;

  constructor(
    readonly repo: DecisionRepository,
    private readonly options: DecisionLogOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 50;
  }

  /** Catches up with `source` now, then follows it as it grows; a failed catch-up is retried on the next append. */
  async follow(source: DecisionSource): Promise<void> {
    await this.serial(() => this.catchUpWith(source));
    this.source = source;
    this.unfollow = source.onAppend(() => {
      this.following ??= setTimeout(() => {
        this.following = undefined;
        void this.flush();
      }, this.flushIntervalMs);
    });
  }

  /** Applies every decision between the stored position and the end of `source`; returns how many entries it read. */
  catchUp(source: DecisionSource): Promise<number> {
    return this.serial(() => this.catchUpWith(source));
  }

  private async catchUpWith(source: DecisionSource): Promise<number> {
    let position = await this.repo.position();
    const start = position;
    while (position < source.size()) {
      const records = source.read(position, CATCH_UP_BATCH);
      if (records.length === 0) break;
      const next = records.at(-1)!.index + 1;
      const decisions = records.flatMap((r) => (r.event.type === 'decision' ? [r.event] : []));
      await this.repo.appendFromLog(decisions, next);
      position = next;
    }
    return position - start;
  }

  /**
   * The table is written by `writer` (the cluster's audit leader, with each append): nothing is written
   * here, and `flush` waits for the writer, so that a caller reads the decisions it was just answered on
   * this instance, as it does when this instance writes them.
   */
  writtenBy(writer: DecisionWriter): void {
    this.writer = writer;
  }

  subscribeTo(bus: EventBus): void {
    this.subscription = bus.subscribe((event: WardenEvent) => this.record(event as DecisionEvent), { name: 'decision-log', types: ['decision'] });
  }

  record(event: DecisionEvent): void {
    this.buffer.push(event);
    if (this.buffer.length < BATCH || Date.now() < this.backoffUntil) this.schedule(this.flushIntervalMs);
    else
      this.fullFlush ??= this.flush().finally(() => {
        this.fullFlush = undefined;
        // Records that arrived after the last batch was taken wait for the timer, not for the next record.
        if (this.buffer.length > 0) this.schedule(this.flushIntervalMs);
      });
  }

  private schedule(ms: number): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
  }

  /**
   * Brings the table up to date: the log's durable entries when following it, else the buffered events.
   * Never rejects: a failure goes to `onError` and is retried.
   */
  flush(): Promise<void> {
    return this.serial(async () => {
      if (this.source) await this.catchUpWith(this.source).catch((error: unknown) => this.report(error));
      if (this.writer) await this.writer.settled().catch((error: unknown) => this.report(error));
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      while (this.buffer.length > 0) {
        const batch = this.buffer.splice(0, BATCH);
        try {
          await this.repo.append(batch);
        } catch (error) {
          this.keep(batch);
          this.report(error);
          this.backoffUntil = Date.now() + (this.options.retryMs ?? 1000);
          this.schedule(this.options.retryMs ?? 1000);
          return;
        }
      }
    });
  }

  /** Puts a refused batch back in front, dropping the oldest beyond `maxPending`. */
  private keep(batch: DecisionEvent[]): void {
    this.buffer = batch.concat(this.buffer);
    const excess = this.buffer.length - (this.options.maxPending ?? 100_000);
    if (excess > 0) {
      this.buffer.splice(0, excess);
      this.report(new Error(`${excess} decisions were not written to the decision table (the audit log has them)`));
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.writing.then(work);
    this.writing = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private report(error: unknown): void {
    this.options.onError?.(error);
  }

  async close(): Promise<void> {
    // Nothing of this instance's is left to write: the writer's log drains it on its own close.
    this.writer = undefined;
    this.subscription?.unsubscribe();
    this.unfollow?.();
    if (this.following) clearTimeout(this.following);
    // A clean stop leaves the table level with the log (a crash is caught up at the next start).
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.source = undefined;
  }
}
