/**
 * Where counters live: in this process (one instance) or in Redis (every instance shares them). Both
 * decide with the arithmetic of ../window.ts; a take is atomic across all of its counters.
 */
import type { WindowRule, WindowVerdict } from '../window.js';

export interface CounterCheck extends WindowRule {
  /** The counter's identity (rule, window, dimension values), without the bucket. */
  key: string;
}

export interface CounterCharge {
  key: string;
  windowMs: number;
  sliding: boolean;
  amount: number;
}

export interface TakeResult {
  /** True when every counter had room; only then was each one's cost added. */
  allowed: boolean;
  /** One verdict per check, in order. */
  counters: WindowVerdict[];
}

export interface CounterStore {
  readonly kind: 'memory' | 'redis';
  /**
   * Checks every counter and, only if all have room, adds each its cost: all or nothing, atomically, so two
   * callers can never both take the last unit. `now` (ms) is for tests; by default the store's clock
   * (Redis's own for the Redis store, so that instances with skewed clocks share buckets).
   */
  take(checks: readonly CounterCheck[], now?: number): Promise<TakeResult>;
  /** Adds to counters without a check (a token budget's actual usage, after the answer). */
  charge(charges: readonly CounterCharge[], now?: number): Promise<void>;
  /** True when the store can answer now. */
  healthy(): boolean;
  close(): Promise<void>;
}

/** Errors of the store itself (unreachable, timed out), as opposed to a refusal. */
export class CounterStoreUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CounterStoreUnavailable';
  }
}
