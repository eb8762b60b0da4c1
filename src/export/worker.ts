/**
 * One sink's delivery loop: take the sink's lease, read from its cursor, format, send one batch at a time
 * (so order holds), retry with backoff until the receiver takes it, then persist the cursor. Nothing is
 * skipped except a record the receiver itself rejects as malformed, which goes to the dead-letter table.
 * In a cluster every instance runs a worker per sink, but only the lease holder delivers; the others
 * stand by and take over from the stored cursor when the holder dies (at-least-once, never a gap).
 */
import type { AuditReader } from '../audit/index.js';
import { backoffDelay, sleep } from './backoff.js';
import type { ExportSinkConfig } from './config.js';
import type { ExportCursorRepository, SinkLease } from './store/types.js';
import { epochMs } from './formats/context.js';
import { eventSeverity, formatRecord, type ExportRecord, type FormatContext } from './formats/index.js';
import { RejectedError, RetryableError, describeError, type EncodedRecord, type Sink } from './sinks/types.js';

export interface ExportLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** `standby`: another exporter holds this sink's lease. */
export type SinkState = 'starting' | 'standby' | 'idle' | 'sending' | 'retrying' | 'stopped' | 'error';

export interface SinkStatus {
  name: string;
  type: ExportSinkConfig['type'];
  format: ExportSinkConfig['format'];
  state: SinkState;
  /** Next log position this sink will send. */
  position: number;
  /** Persisted cursor: everything before it is delivered. */
  committed: number;
  logSize: number;
  /** Log entries not yet durably delivered (`logSize - committed`). */
  lag: number;
  /** Records delivered since start (duplicates after a rewind or retry included). */
  sentRecords: number;
  deliveredTotal: number;
  deadLettered: number;
  retries: number;
  rewinds: number;
  lastError?: string;
  lastErrorAt?: string;
  lastDeliveryAt?: string;
}

/**
 * `stop` ends waits (idle polls, retry backoff) and starts no new attempt; `send` cuts an attempt already
 * in flight. They differ so that a stop drains: a batch handed to the receiver before stop is awaited and
 * its cursor committed, rather than abandoned after the receiver took it.
 */
export interface WorkerSignals {
  stop: AbortSignal;
  send: AbortSignal;
}

/** How often a standby worker tries to take the sink's lease: the failover delay after a holder dies. */
const LEASE_RETRY_MS = 500;

class Stopped extends Error {}
/** The lease was lost: stop delivering and stand by. */
class LeaseLost extends Error {}
/** The batch in hand comes after a rewind point: the step restarts from the (rewound) position. */
class RewindRequired extends Error {}

export class SinkWorker {
  private position = 0;
  private committed = -1;
  private deliveredTotal = 0;
  private sentRecords = 0;
  private retries = 0;
  private rewinds = 0;
  private deadLettered = 0;
  private state: SinkState = 'starting';
  private lastError: string | undefined;
  private lastErrorAt: string | undefined;
  private lastDeliveryAt: string | undefined;
  private readonly types: Set<string> | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly signal: AbortSignal;
  private readonly sendSignal: AbortSignal;

  private lease: SinkLease | undefined;
  /** The log size as last read (status reports lag from it). */
  private logSize = 0;
  /** Where a sink with no stored cursor starts. */
  private startPosition = 0;

  constructor(
    private readonly config: ExportSinkConfig,
    private readonly sink: Sink,
    private readonly reader: AuditReader,
    private readonly repo: ExportCursorRepository,
    private readonly ctx: FormatContext,
    private readonly pollIntervalMs: number,
    signals: WorkerSignals,
    private readonly logger?: ExportLogger,
  ) {
    this.signal = signals.stop;
    this.sendSignal = signals.send;
    this.types = config.types ? new Set(config.types) : undefined;
  }

  /**
   * Loads the stored cursor (for status; the lease holder reads it again). A new sink starts where
   * `startAt` says as of now, when the exporter is created, not when it first gets the lease.
   */
  async load(): Promise<void> {
    const row = await this.repo.cursor(this.config.name);
    this.logSize = await this.reader.size();
    if (row) {
      this.position = row.position;
      this.deliveredTotal = row.delivered;
      this.committed = row.position;
    } else {
      this.position = this.config.startAt === 'end' ? this.logSize : 0;
    }
    this.startPosition = this.position;
  }

  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  status(): SinkStatus {
    const logSize = this.logSize;
    const committed = Math.max(this.committed, 0);
    return {
      name: this.config.name,
      type: this.config.type,
      format: this.config.format,
      state: this.state,
      position: this.position,
      committed,
      logSize,
      lag: Math.max(0, logSize - committed),
      sentRecords: this.sentRecords,
      deliveredTotal: this.deliveredTotal,
      deadLettered: this.deadLettered,
      retries: this.retries,
      rewinds: this.rewinds,
      ...(this.lastError ? { lastError: this.lastError, lastErrorAt: this.lastErrorAt } : {}),
      ...(this.lastDeliveryAt ? { lastDeliveryAt: this.lastDeliveryAt } : {}),
    };
  }

  /** Runs until the exporter stops; never throws. */
  async run(): Promise<void> {
    while (!this.signal.aborted) {
      try {
        this.lease = (await this.repo.tryLease(this.config.name)) ?? undefined;
      } catch (error) {
        this.fail(error, 'error');
        this.logger?.error({ sink: this.config.name, error: this.lastError }, 'export sink lease could not be taken; will retry');
      }
      if (!this.lease) {
        if (this.state === 'starting') this.state = 'standby';
        await sleep(LEASE_RETRY_MS, this.signal);
        continue;
      }
      try {
        await this.deliverWhileLeased(this.lease);
      } finally {
        // A stopped holder keeps its lease until the final commit; a lost one lets it go now.
        if (!this.signal.aborted) await this.dropLease();
      }
    }
    this.state = 'stopped';
  }

  /** The holder's loop: from the stored cursor (another holder may have moved it) until stopped or the lease is lost. */
  private async deliverWhileLeased(lease: SinkLease): Promise<void> {
    let failures = 0;
    try {
      const row = await this.repo.cursor(this.config.name);
      this.committed = -1;
      if (row) {
        this.position = row.position;
        this.deliveredTotal = row.delivered;
        this.committed = row.position;
      } else {
        this.position = this.startPosition;
      }
      this.deadLettered = await this.repo.deadLetterCount(this.config.name);
      this.state = 'idle';
    } catch (error) {
      this.fail(error, 'error');
      await sleep(LEASE_RETRY_MS, this.signal);
      return;
    }
    this.logger?.info({ sink: this.config.name, position: this.position }, 'this exporter delivers the sink');
    while (!this.signal.aborted) {
      try {
        if (!lease.alive) throw new LeaseLost();
        this.takeRewind();
        await this.commit();
        const size = (this.logSize = await this.reader.size());
        if (this.position > size) {
          this.fail(new Error(`cursor ${this.position} is beyond the end of the log (${size})`), 'error');
          await this.idle();
          continue;
        }
        if (this.position === size) {
          this.state = 'idle';
          await this.idle();
          continue;
        }
        await this.step();
        failures = 0;
      } catch (error) {
        if (error instanceof Stopped) break;
        if (error instanceof LeaseLost || !lease.alive) {
          this.fail(new Error('the sink\'s lease was lost'), 'standby');
          this.logger?.warn({ sink: this.config.name, position: this.position }, 'export sink lease lost; standing by');
          return;
        }
        // Reading the log or writing the cursor failed: keep the cursor where it is and try again later.
        this.fail(error, 'error');
        this.logger?.error({ sink: this.config.name, position: this.position, error: this.lastError }, 'export sink failed; will retry');
        await sleep(backoffDelay(failures++, this.config.retry), this.signal);
      }
    }
  }

  private async dropLease(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    await lease?.release().catch(() => undefined);
  }

  /** Called by the exporter after the sink is closed: settles what a clean close confirmed, then lets the lease go. */
  async finalCommit(): Promise<void> {
    try {
      if (this.lease?.alive) {
        this.takeRewind();
        await this.commit();
      }
    } finally {
      await this.dropLease();
    }
  }

  private takeRewind(): void {
    const rewind = this.sink.takeRewind?.();
    if (rewind !== undefined && rewind < this.position) {
      this.logger?.warn({ sink: this.config.name, from: this.position, to: rewind }, 'export connection dropped; resending unsettled records');
      this.position = rewind;
      this.rewinds++;
    }
  }

  private async commit(): Promise<void> {
    const unconfirmed = this.sink.unconfirmedFrom?.();
    const durable = unconfirmed === undefined ? this.position : Math.min(this.position, unconfirmed);
    if (durable === this.committed) return;
    if (!this.lease) throw new LeaseLost();
    await this.lease.setCursor(durable, this.deliveredTotal);
    this.committed = durable;
  }

  private async deadLetter(position: number, leafHash: string, error: string): Promise<void> {
    if (!this.lease) throw new LeaseLost();
    await this.lease.addDeadLetter({ position, leafHash, error });
    this.deadLettered++;
  }

  private idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.pollIntervalMs);
      const signal = this.signal;
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      this.wakeUp = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private async step(): Promise<void> {
    const { maxRecords, maxBytes } = this.config.batch;
    const records = await this.reader.read(this.position, maxRecords);
    if (records.length === 0) {
      await this.idle();
      return;
    }
    if (records[0]!.index !== this.position) throw new Error(`log read at ${this.position} returned position ${records[0]!.index}`);
    const batch: EncodedRecord[] = [];
    const leafHashes = new Map<number, string>();
    let bytes = 0;
    let next = this.position;
    for (const record of records) {
      if (record.index !== next) throw new Error(`log read returned a gap at ${next}`);
      if (!this.types || this.types.has(record.event.type)) {
        let payload: string;
        try {
          payload = this.encode(record);
        } catch (error) {
          // An entry this format cannot express (not a well-formed event): recorded, never silently dropped.
          await this.deadLetter(record.index, record.leafHash, `format: ${describeError(error)}`);
          this.fail(error, 'sending');
          next = record.index + 1;
          continue;
        }
        const size = Buffer.byteLength(payload);
        if (batch.length > 0 && bytes + size > maxBytes) break;
        batch.push({ index: record.index, payload });
        leafHashes.set(record.index, record.leafHash);
        bytes += size;
      }
      next = record.index + 1;
    }
    if (batch.length) {
      this.state = 'sending';
      try {
        await this.deliver(batch, leafHashes);
      } catch (error) {
        if (error instanceof RewindRequired) return;
        throw error;
      }
      this.sentRecords += batch.length;
      this.deliveredTotal += batch.length;
      this.lastDeliveryAt = new Date().toISOString();
    }
    this.position = next;
    await this.commit();
  }

  private encode(record: ExportRecord): string {
    const e = record.event;
    return this.sink.encode({
      index: record.index,
      leafHash: record.leafHash,
      time: epochMs(e.time),
      severity: eventSeverity(record),
      body: formatRecord(this.config.format, record, this.ctx),
    });
  }

  private async deliver(batch: EncodedRecord[], leafHashes: Map<number, string>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.signal.aborted) throw new Stopped();
      try {
        await this.sink.send(batch, this.sendSignal);
        if (this.state === 'retrying') this.logger?.info({ sink: this.config.name, position: batch[0]!.index }, 'export sink recovered');
        this.state = 'sending';
        return;
      } catch (error) {
        if (this.signal.aborted) throw new Stopped();
        if (error instanceof RejectedError) {
          if (batch.length > 1) {
            const half = Math.ceil(batch.length / 2);
            await this.deliver(batch.slice(0, half), leafHashes);
            await this.deliver(batch.slice(half), leafHashes);
            return;
          }
          const only = batch[0]!;
          await this.deadLetter(only.index, leafHashes.get(only.index) ?? '', describeError(error));
          this.fail(error, 'sending');
          return;
        }
        this.retries++;
        this.fail(error, 'retrying');
        const wait = backoffDelay(attempt, this.config.retry, error instanceof RetryableError ? error.retryAfterMs : undefined);
        if (attempt === 0 || attempt % 10 === 0) this.logger?.warn({ sink: this.config.name, position: batch[0]!.index, attempt, waitMs: wait, error: this.lastError }, 'export delivery failed; retrying');
        await sleep(wait, this.signal);
        // A stream sink may have lost earlier, unsettled writes with the connection: resend from there.
        this.takeRewind();
        if (this.position < batch[0]!.index) throw new RewindRequired();
      }
    }
  }

  private fail(error: unknown, state: SinkState): void {
    this.lastError = describeError(error);
    this.lastErrorAt = new Date().toISOString();
    this.state = state;
  }
}
