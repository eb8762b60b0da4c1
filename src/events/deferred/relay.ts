/**
 * The two ends of deferred events. A CLI command publishes on a bus whose durable subscriber stores what
 * it publishes (`deferringBus`); a running Warden claims them every second and publishes each durably on
 * its own bus (`relayDeferred`), so they reach its audit log exactly like the events it makes itself.
 *
 * @example
 * const deferred = deferringBus(stores.deferredEvents);
 * await enrolWith(deferred.bus);  // publishes mfa.totp_enrolment_started
 * await deferred.flush();         // stored before the command exits (throws if one could not be)
 */
import type { EventBus } from '../bus.js';
import { InProcessBus } from '../bus.js';
import type { DeferredEventRepository } from './types.js';

const BATCH = 500;
/** A claim older than this is taken over (its instance stopped mid-relay). */
const LEASE_MS = 30_000;

export interface DeferringBus {
  bus: EventBus;
  /** Waits until every event published so far is stored; throws when one could not be (the command fails). */
  flush(): Promise<void>;
}

export function deferringBus(repo: DeferredEventRepository): DeferringBus {
  const failures: unknown[] = [];
  const bus = new InProcessBus({ onSubscriberError: (_name, error) => failures.push(error) });
  bus.subscribe((event) => repo.add([event]), { name: 'deferred-events', durable: true });
  return {
    bus,
    async flush() {
      await bus.drain();
      if (failures.length) throw new Error('the audit events of this command could not be stored', { cause: failures[0] });
    },
  };
}

/** Publishes the stored events on `bus` (durably) and removes them once their record is committed; returns how many. */
export async function relayDeferred(repo: DeferredEventRepository, bus: EventBus, now = new Date()): Promise<number> {
  const claimed = await repo.claim(BATCH, now, LEASE_MS);
  const done: number[] = [];
  try {
    for (const { seq, event } of claimed) {
      await bus.publishDurably(event);
      done.push(seq);
    }
  } finally {
    await repo.remove(done);
  }
  return done.length;
}
