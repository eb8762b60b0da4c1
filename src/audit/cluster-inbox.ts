/**
 * The writing side every instance of a cluster has: events go into the shared inbox, many per INSERT
 * (group commit), and an append settles only once its INSERT has committed, so `publishDurably` (and the
 * response's last byte) waits for the event to be durable in PostgreSQL, whichever instance leads.
 */
import { WardenError, type WardenEvent } from '../core/index.js';
import { canonicalJson } from './canonical-json.js';
import { eventProblem } from './log-checks.js';
import type { ClusterAuditStore } from './store/types.js';

interface Queued {
  event: WardenEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Most events in one INSERT: bounds the statement's size. */
const MAX_GROUP = 1000;

export class InboxWriter {
  private queued: Queued[] = [];
  private inFlight: Promise<void> | undefined;
  private closed = false;
  /** Highest inbox position of an acknowledged append: groups are written one after another, so every earlier one is below it. */
  lastSeq: string | undefined;

  constructor(
    private readonly store: ClusterAuditStore,
    private readonly onError: (error: unknown) => void,
  ) {}

  append(event: WardenEvent): Promise<void> {
    if (this.closed) return Promise.reject(new WardenError('not_ready', 'the audit log is closed'));
    const problem = eventProblem(event);
    if (problem) return Promise.reject(new WardenError('validation_failed', `not an event: ${problem}`));
    try {
      // What the leader could not encode must be refused here, to its publisher, not acknowledged.
      canonicalJson(event);
    } catch (error) {
      return Promise.reject(new WardenError('validation_failed', 'the event cannot be encoded', { cause: error }));
    }
    return new Promise((resolve, reject) => {
      this.queued.push({ event, resolve, reject });
      this.inFlight ??= this.pump();
    });
  }

  private async pump(): Promise<void> {
    // Let the current tick's appends join the group.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queued.length) {
      const group = this.queued.splice(0, MAX_GROUP);
      try {
        this.lastSeq = (await this.store.enqueue(group.map((q) => q.event))) ?? this.lastSeq;
        for (const q of group) q.resolve();
      } catch (error) {
        // Fail closed for these events (their requests are cut); later appends try again.
        this.onError(error);
        const err = new WardenError('internal', 'the audit inbox could not be written', { cause: error });
        for (const q of group) q.reject(err);
      }
    }
    this.inFlight = undefined;
  }

  /** Refuses new appends and waits for the queued ones to settle. */
  async close(): Promise<void> {
    this.closed = true;
    await this.inFlight;
  }
}
