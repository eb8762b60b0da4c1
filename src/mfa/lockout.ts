/**
 * Guessing protection for factors: failures per principal in a sliding window; at the limit the
 * principal's factors are locked for a while and the caller learns it (to raise a detection event) once
 * per lock. A correct code does not clear a lock early: the attacker may be the one who guessed it.
 */
export interface LockoutPolicy {
  maxFailures: number;
  windowSeconds: number;
  lockSeconds: number;
}

interface State {
  failures: number[];
  lockedUntil: number;
}

export class Lockout {
  private readonly states = new Map<string, State>();

  constructor(private readonly policy: LockoutPolicy) {}

  /** Milliseconds until the lock ends, or 0 when not locked. */
  lockedFor(principal: string, nowMs = Date.now()): number {
    const state = this.states.get(principal);
    return state && state.lockedUntil > nowMs ? state.lockedUntil - nowMs : 0;
  }

  /** Records a failure; true when this failure started a lock. */
  fail(principal: string, nowMs = Date.now()): boolean {
    const state = this.states.get(principal) ?? { failures: [], lockedUntil: 0 };
    this.states.set(principal, state);
    const since = nowMs - this.policy.windowSeconds * 1000;
    state.failures = state.failures.filter((t) => t > since);
    state.failures.push(nowMs);
    if (state.failures.length < this.policy.maxFailures || state.lockedUntil > nowMs) return false;
    state.lockedUntil = nowMs + this.policy.lockSeconds * 1000;
    state.failures = [];
    return true;
  }

  succeed(principal: string): void {
    const state = this.states.get(principal);
    if (state && state.lockedUntil === 0) this.states.delete(principal);
    else if (state) state.failures = [];
  }
}
