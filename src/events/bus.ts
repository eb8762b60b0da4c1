/**
 * The event bus: one interface, in-process by default. Publishing never blocks the hot path and never
 * throws into it: subscribers run after the current tick, and a failing subscriber is logged and isolated.
 */
import { randomUUID } from 'node:crypto';
import type { NewEvent, WardenEvent, WardenEventType } from '../core/events.js';

export type EventHandler = (event: WardenEvent) => void | Promise<void>;

export interface Subscription {
  unsubscribe(): void;
}

export interface EventBus {
  /** Stamps id and time if missing and hands the event to every subscriber. Returns the stamped event. */
  publish(event: NewEvent): WardenEvent;
  /** `types` narrows the events delivered; omitted means all. */
  subscribe(handler: EventHandler, options?: { name?: string; types?: WardenEventType[] }): Subscription;
  /** Resolves when every event published so far has been handed to its subscribers. */
  drain(): Promise<void>;
}

export interface InProcessBusOptions {
  onSubscriberError?: (name: string, error: unknown) => void;
}

/** Completes an event with id and time. */
export function stampEvent(event: NewEvent): WardenEvent {
  return { ...event, id: event.id ?? randomUUID(), time: event.time ?? new Date().toISOString() } as WardenEvent;
}

export class InProcessBus implements EventBus {
  private readonly subscribers = new Set<{ name: string; handler: EventHandler; types?: Set<WardenEventType> }>();
  private queue: WardenEvent[] = [];
  private scheduled = false;
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly options: InProcessBusOptions = {}) {}

  publish(event: NewEvent): WardenEvent {
    const stamped = stampEvent(event);
    this.queue.push(stamped);
    if (!this.scheduled) {
      this.scheduled = true;
      // Delivery in batches after the current tick keeps publish O(1) on the request path.
      this.pending = new Promise((resolve) => setImmediate(() => resolve(this.flush())));
    }
    return stamped;
  }

  subscribe(handler: EventHandler, options: { name?: string; types?: WardenEventType[] } = {}): Subscription {
    const entry = { name: options.name ?? 'anonymous', handler, ...(options.types ? { types: new Set(options.types) } : {}) };
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
    for (const event of batch) {
      for (const sub of this.subscribers) {
        if (sub.types && !sub.types.has(event.type)) continue;
        try {
          const result = sub.handler(event);
          if (result) waits.push(result.catch((error: unknown) => this.report(sub.name, error)));
        } catch (error) {
          this.report(sub.name, error);
        }
      }
    }
    await Promise.all(waits);
  }

  private report(name: string, error: unknown): void {
    this.options.onSubscriberError?.(name, error);
  }
}
