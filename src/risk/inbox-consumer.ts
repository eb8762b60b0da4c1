/**
 * The engine's side of the risk inbox: takes and renews the consumer lease, processes what waits after
 * the saved cursor, and knows which cursor to save with the baselines. Only one engine consumes at a
 * time (see inbox.ts for why).
 *
 * @example
 * const consumer = new InboxConsumer(inbox, 'host:1234', config.inbox, { process, flush, reload });
 * consumer.claim(true);      // at start: take the lease if free
 * consumer.drain();          // { processed: 14, detections: [...] }
 */
import type { WardenEvent } from '../core/index.js';
import type { RiskConfig } from './config.js';
import type { RiskInbox } from './inbox.js';
import type { DetectionRecord, IngestResult } from './types.js';

export interface ConsumerHooks {
  process(event: WardenEvent): readonly DetectionRecord[];
  /** Saves the baselines and, in the same transaction, calls `saveCursor`. */
  flush(): void;
  /** Reloads the baselines another consumer saved. */
  reload(): void;
}

export class InboxConsumer {
  /** Highest inbox sequence processed (saved with the baselines on flush). */
  private consumed = 0;
  private holding = false;

  constructor(
    private readonly inbox: RiskInbox,
    private readonly owner: string | undefined,
    private readonly config: RiskConfig['inbox'],
    private readonly hooks: ConsumerHooks,
  ) {}

  /**
   * Takes or renews the lease. On taking it (not at start, when the baselines were just loaded), reloads
   * the baselines another consumer may have saved meanwhile, and its cursor.
   */
  claim(starting: boolean): boolean {
    if (this.owner === undefined) return false;
    const ok = this.inbox.acquire(this.owner, Date.now(), this.config.leaseSeconds * 1000);
    if (ok && !this.holding) {
      if (!starting) this.hooks.reload();
      this.consumed = this.inbox.cursor();
    }
    this.holding = ok;
    return ok;
  }

  ingest(events: readonly WardenEvent[], origin: string): IngestResult {
    const { first, last } = this.inbox.append(events, origin);
    if (!this.claim(false)) return { first, last, queued: true, processed: 0, detections: [] };
    const { processed, detections } = this.drain();
    return { first, last, queued: this.consumed < last, processed, detections };
  }

  drain(): { processed: number; detections: DetectionRecord[] } {
    const detections: DetectionRecord[] = [];
    let processed = 0;
    if (!this.holding && !this.claim(false)) return { processed, detections };
    for (;;) {
      const entries = this.inbox.read(this.consumed, this.config.batch);
      for (const { seq, event } of entries) {
        for (const d of this.hooks.process(event)) detections.push(d);
        this.consumed = seq;
        processed++;
      }
      if (entries.length < this.config.batch) break;
      if (!this.claim(false)) break; // a long drain renews its lease batch by batch
    }
    if (processed > 0) this.hooks.flush();
    return { processed, detections };
  }

  /** Inside the flush transaction: the cursor that matches the baselines being saved. */
  saveCursor(): void {
    if (this.holding) this.inbox.saveCursor(this.consumed);
  }

  release(): void {
    if (this.holding && this.owner !== undefined) this.inbox.release(this.owner);
    this.holding = false;
  }
}
