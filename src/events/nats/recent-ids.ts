/**
 * Consumer-side idempotency: JetStream delivers at least once (a lost ack, a consumer restarted before it
 * acked), so a consumer remembers the ids it has handled and acks a repeat without handling it again.
 * The memory is bounded: the oldest ids are forgotten first, and a redelivery comes soon after the first
 * delivery (within the ack wait), so a window of recent ids is enough. A consumer whose handler writes to
 * a store can pass its own filter that asks the store instead (the audit log knows which ids it holds).
 *
 * @example
 * const seen = new RecentIds(100_000);
 * if (!seen.has(event.id)) { await handle(event); seen.add(event.id); }
 */
export interface IdempotencyFilter {
  has(id: string): boolean | Promise<boolean>;
  add(id: string): void | Promise<void>;
}

export class RecentIds implements IdempotencyFilter {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 100_000) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    // A Set iterates in insertion order: the first entry is the oldest.
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
  }

  get size(): number {
    return this.ids.size;
  }
}
