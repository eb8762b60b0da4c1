/**
 * The event bus: one interface, in-process by default. Publishing never blocks the hot path and never
 * throws into it: subscribers run after the current tick, and a failing subscriber is logged and isolated.
 */
import { randomUUID } from 'node:crypto';
import type { NewEvent, WardenEvent, WardenEventType } from '../core/index.js';

export type EventHandler = (event: WardenEvent) => void | Promise<void>;

export interface Subscription {
  unsubscribe(): void;
}

export interface EventBus {
  /** Stamps id and time if missing and hands the event to every subscriber. Returns the stamped event. */
  publish(event: NewEvent): WardenEvent;
  /**
   * Publishes like `publish`; the promise settles once every `durable` subscriber has handled the event
   * (resolves when all succeeded, rejects with the first failure). The gateway holds a response's last
   * byte on it, so an answered request always has its event in the durable record.
   */
  publishDurably(event: NewEvent): Promise<WardenEvent>;
  /** `types` narrows the events delivered; omitted means all. `durable` marks the record of events. */
  subscribe(handler: EventHandler, options?: SubscribeOptions): Subscription;
  /** Resolves when every event published so far has been handed to its subscribers. */
  drain(): Promise<void>;
}

export interface SubscribeOptions {
  name?: string;
  types?: WardenEventType[];
  /** This subscriber keeps the durable record: `publishDurably` waits for its handler to resolve. */
  durable?: boolean;
}

interface Queued {
  event: WardenEvent;
  settle?: { resolve: (e: WardenEvent) => void; reject: (error: unknown) => void };
}

export interface InProcessBusOptions {
  onSubscriberError?: (name: string, error: unknown) => void;
}

/** Completes an event with id and time. */
export function stampEvent(event: NewEvent): WardenEvent {
  return { ...event, id: event.id ?? randomUUID(), time: event.time ?? new Date().toISOString() } as WardenEvent;
}

export class InProcessBus implements EventBus {
  private readonly subscribers = new Set<{ name: string; handler: EventHandler; types?: Set<WardenEventType>; durable: boolean }>();
  private queue: Queued[] = [];
  private scheduled = false;
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly options: InProcessBusOptions = {}) {}

  publish(event: NewEvent): WardenEvent {
    return this.enqueue({ event: stampEvent(event) });
  }

  publishDurably(event: NewEvent): Promise<WardenEvent> {
    return new Promise((resolve, reject) => this.enqueue({ event: stampEvent(event), settle: { resolve, reject } }));
  }

  private enqueue(queued: Queued): WardenEvent {
    this.queue.push(queued);
    if (!this.scheduled) {
      this.scheduled = true;
      // Delivery in batches after the current tick keeps publish O(1) on the request path.
      this.pending = new Promise((resolve) => setImmediate(() => resolve(this.flush())));
    }
    return queued.event;
  }

  subscribe(handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    const entry = { name: options.name ?? 'anonymous', handler, durable: options.durable === true, ...(options.types ? { types: new Set(options.types) } : {}) };
    this.subscribers.add(entry);
    return { unsubscribe: () => this.subscribers.delete(entry) };
  }

  async drain(): Promise<void> {
    while (this.scheduled || this.queue.length) await this.pending;
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    this.scheduled = false;
    const waits: Promise<void>[] = [];
    for (const { event, settle } of batch) {
      const durable: Promise<void>[] = [];
      for (const sub of this.subscribers) {
        if (sub.types && !sub.types.has(event.type)) continue;
        try {
          const result = sub.handler(event);
          if (result) {
            waits.push(result.catch((error: unknown) => this.report(sub.name, error)));
            if (sub.durable) durable.push(result);
          }
        } catch (error) {
          this.report(sub.name, error);
          if (sub.durable) durable.push(Promise.reject(error as Error));
        }
      }
      if (settle) Promise.all(durable).then(() => settle.resolve(event), settle.reject);
    }
    await Promise.all(waits);
  }

  private report(name: string, error: unknown): void {
    this.options.onSubscriberError?.(name, error);
  }
}
