/**
 * Remembers one-time values (DPoP proof `jti`s) until they could no longer be accepted anyway. Two
 * implementations: `MemoryReplayCache` (one instance) and `RedisReplayCache` (./redis-state.ts,
 * shared by a cluster, so that a proof replayed to another instance is refused too). Received Security
 * Event Tokens are remembered in the state database instead (src/signals).
 */
export interface ReplayCache {
  /**
   * True the first time `key` is offered before `expiresAtMs`; false for a replay (or when the memory
   * cache is full). Rejects when the shared cache cannot be reached: the caller must refuse (fail closed).
   */
  add(key: string, expiresAtMs: number, nowMs?: number): Promise<boolean>;
}

/**
 * Bounded: when full of unexpired entries it refuses new ones (fail closed) rather than forgetting one
 * that an attacker could then replay.
 */
export class MemoryReplayCache implements ReplayCache {
  private readonly seen = new Map<string, number>();

  constructor(private readonly maxEntries = 200_000) {}

  async add(key: string, expiresAtMs: number, nowMs = Date.now()): Promise<boolean> {
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
