/**
 * Guessing protection for factors: failures per principal in a sliding window; at the limit the
 * principal's factors are locked for a while and the caller learns it (to raise a detection event) once
 * per lock. A correct code does not clear a lock early: the attacker may be the one who guessed it.
 *
 * Two implementations decide alike: `MemoryLockout` (one instance) and `RedisLockout` (./redis-state.ts,
 * shared by every instance of a cluster, so that N instances do not give N times the guesses).
 */
export interface LockoutPolicy {
  maxFailures: number;
  windowSeconds: number;
  lockSeconds: number;
}

export interface Lockout {
  /** Milliseconds until the lock ends, or 0 when not locked. `nowMs` is for tests. */
  lockedFor(principal: string, nowMs?: number): Promise<number>;
  /** Records a failure; true when this failure started a lock (for exactly one caller per lock). */
  fail(principal: string, nowMs?: number): Promise<boolean>;
  /** Forgets the failures (not a lock in force). */
  succeed(principal: string): Promise<void>;
}

interface State {
  /** The newest failures, oldest first; at most `maxFailures` (only the newest can make the count). */
  failures: number[];
  lockedUntil: number;
}

export class MemoryLockout implements Lockout {
  private readonly states = new Map<string, State>();

  constructor(private readonly policy: LockoutPolicy) {}

  async lockedFor(principal: string, nowMs = Date.now()): Promise<number> {
    const state = this.states.get(principal);
    return state && state.lockedUntil > nowMs ? state.lockedUntil - nowMs : 0;
  }

  async fail(principal: string, nowMs = Date.now()): Promise<boolean> {
    const state = this.states.get(principal) ?? { failures: [], lockedUntil: 0 };
    this.states.set(principal, state);
    state.failures.push(nowMs);
    if (state.failures.length > this.policy.maxFailures) state.failures.shift();
    // Locking takes `maxFailures` failures, the oldest of them still inside the window.
    const full = state.failures.length === this.policy.maxFailures && state.failures[0]! > nowMs - this.policy.windowSeconds * 1000;
    if (!full || state.lockedUntil > nowMs) return false;
    state.lockedUntil = nowMs + this.policy.lockSeconds * 1000;
    state.failures = [];
    return true;
  }

  async succeed(principal: string): Promise<void> {
    const state = this.states.get(principal);
    if (state && state.lockedUntil === 0) this.states.delete(principal);
    else if (state) state.failures = [];
  }
}
