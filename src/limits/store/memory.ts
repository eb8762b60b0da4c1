/**
 * Counters in this process, for a single instance (no `cluster.redisUrl`). Each counter holds its current
 * and previous bucket; counters idle for two windows are swept.
 */
import { bucketOf, evaluate } from '../window.js';
import type { CounterCharge, CounterCheck, CounterStore, TakeResult } from './types.js';

interface Counter {
  bucket: number;
  current: number;
  previous: number;
  windowMs: number;
}

/** Operations between sweeps of idle counters. */
const SWEEP_EVERY = 4096;

export class MemoryCounterStore implements CounterStore {
  readonly kind = 'memory';
  private readonly counters = new Map<string, Counter>();
  private operations = 0;

  take(checks: readonly CounterCheck[], now = Date.now()): Promise<TakeResult> {
    this.maybeSweep(now);
    const counters = checks.map((c) => this.rolled(c.key, c.windowMs, now));
    const verdicts = checks.map((c, i) => evaluate(c, { now, previous: c.sliding ? counters[i]!.previous : 0, current: counters[i]!.current }));
    const allowed = verdicts.every((v) => v.allowed);
    if (allowed) checks.forEach((c, i) => (counters[i]!.current += c.cost));
    return Promise.resolve({ allowed, counters: verdicts });
  }

  charge(charges: readonly CounterCharge[], now = Date.now()): Promise<void> {
    this.maybeSweep(now);
    for (const c of charges) this.rolled(c.key, c.windowMs, now).current += c.amount;
    return Promise.resolve();
  }

  healthy(): boolean {
    return true;
  }

  close(): Promise<void> {
    this.counters.clear();
    return Promise.resolve();
  }

  /** The counter moved to the bucket of `now`: the current count becomes the previous one after one boundary, both reset after two. */
  private rolled(key: string, windowMs: number, now: number): Counter {
    const bucket = bucketOf(now, windowMs);
    let c = this.counters.get(key);
    if (!c) {
      c = { bucket, current: 0, previous: 0, windowMs };
      this.counters.set(key, c);
    } else if (c.bucket !== bucket) {
      c.previous = c.bucket === bucket - 1 ? c.current : 0;
      c.current = 0;
      c.bucket = bucket;
    }
    return c;
  }

  private maybeSweep(now: number): void {
    if (++this.operations % SWEEP_EVERY !== 0) return;
    for (const [key, c] of this.counters) if (c.bucket < bucketOf(now, c.windowMs) - 1) this.counters.delete(key);
  }
}
