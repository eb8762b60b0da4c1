/**
 * Remembers one-time values (DPoP proof `jti`s, Security Event Token `jti`s) until they could no longer be
 * accepted anyway. Bounded: when full of unexpired entries it refuses new ones (fail closed) rather than
 * forgetting one that an attacker could then replay.
 */
export class ReplayCache {
  private readonly seen = new Map<string, number>();

  constructor(private readonly maxEntries = 200_000) {}

  /** True the first time `key` is offered before `expiresAtMs`; false for a replay or when full. */
  add(key: string, expiresAtMs: number, nowMs = Date.now()): boolean {
    const known = this.seen.get(key);
    if (known !== undefined && known > nowMs) return false;
    if (this.seen.size >= this.maxEntries) this.purge(nowMs);
    if (this.seen.size >= this.maxEntries) return false;
    this.seen.set(key, expiresAtMs);
    return true;
  }

  private purge(nowMs: number): void {
    for (const [key, expiry] of this.seen) if (expiry <= nowMs) this.seen.delete(key);
  }

  get size(): number {
    return this.seen.size;
  }
}
