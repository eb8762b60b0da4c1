/**
 * Events recorded by a process that has no audit log of its own (a CLI command changing factors or access
 * requests on the store), waiting for a running Warden to publish them on its bus, and so into its audit
 * log, with their original id and time. SQLite (the data directory's database) and PostgreSQL (the
 * cluster's, so any instance relays them); one conformance suite (test/events/deferred.test.ts).
 */
import type { WardenEvent } from '../../core/index.js';

export interface DeferredEvent {
  seq: number;
  event: WardenEvent;
}

export interface DeferredEventRepository {
  add(events: readonly WardenEvent[]): Promise<void>;
  /**
   * Claims up to `limit` of the oldest events not claimed by someone else since `now - leaseMs`: two
   * instances never relay the same event at once, and one that died mid-relay leaves them to the next.
   */
  claim(limit: number, now: Date, leaseMs: number): Promise<DeferredEvent[]>;
  /** Removes events once they are in the audit log. */
  remove(seqs: readonly number[]): Promise<void>;
}
