/**
 * The step-up state a cluster shares in Redis (`cluster.redisUrl` or `WARDEN_REDIS_URL`): the DPoP replay
 * cache and the factor lock-out, so that an attacker gains nothing by spreading proofs or guesses over the
 * instances behind a load balancer. Each operation is one round trip (a `SET NX` or one Lua script, atomic
 * in Redis). Keys hold principal ids, proof-key thumbprints, `jti`s and times only: never a code, a seed or
 * a token. When Redis cannot answer, every operation rejects with `mfa_unavailable` (503): the caller
 * refuses the request rather than skip the check (fail closed).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { REDIS_NOW_LUA } from '../cluster/index.js';
import { WardenError } from '../core/index.js';
import type { Lockout, LockoutPolicy } from './lockout.js';
import type { ReplayCache } from './replay-cache.js';

/**
 * KEYS: the failures list, the lock. ARGV: now, maxFailures, windowMs, lockMs. The list keeps the newest
 * `maxFailures` failure times (only those can make the count); a lock is the time it ends. Returns 1 for
 * the one failure that started a lock, else 0 (as MemoryLockout.fail step for step).
 */
const FAIL_SCRIPT = `${REDIS_NOW_LUA}
local max = tonumber(ARGV[2])
local windowMs = tonumber(ARGV[3])
local lockMs = tonumber(ARGV[4])
local lockedUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
redis.call('RPUSH', KEYS[1], string.format('%d', now))
redis.call('LTRIM', KEYS[1], -max, -1)
redis.call('PEXPIRE', KEYS[1], windowMs + 1000)
if lockedUntil > now or redis.call('LLEN', KEYS[1]) < max then return 0 end
if tonumber(redis.call('LINDEX', KEYS[1], 0)) <= now - windowMs then return 0 end
redis.call('SET', KEYS[2], string.format('%d', now + lockMs), 'PX', lockMs + 1000)
redis.call('DEL', KEYS[1])
return 1
`;

/** KEYS: the lock. ARGV: now. Returns the milliseconds until the lock ends, 0 when not locked. */
const LOCKED_FOR_SCRIPT = `${REDIS_NOW_LUA}
local lockedUntil = tonumber(redis.call('GET', KEYS[1]) or '0')
return math.max(0, lockedUntil - now)
`;

interface ScriptedRedis {
  wardenMfaFail(numKeys: number, ...args: (string | number)[]): Promise<number>;
  wardenMfaLockedFor(numKeys: number, ...args: (string | number)[]): Promise<number>;
}

/** Principal ids are at most 200 characters in the configuration; a longer one (a token's `sub`) is hashed to bound the key. */
function principalKey(principal: string): string {
  return principal.length <= 200 ? `p:${principal}` : `h:${createHash('sha256').update(principal).digest('base64url')}`;
}

async function orUnavailable<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (error) {
    // The client's message can carry the address; the cause keeps it for the log, never for a client.
    throw new WardenError('mfa_unavailable', undefined, { cause: error, details: { retryAfterSeconds: 1 } });
  }
}

export class RedisLockout implements Lockout {
  private readonly scripts: ScriptedRedis;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly policy: LockoutPolicy,
  ) {
    redis.defineCommand('wardenMfaFail', { lua: FAIL_SCRIPT });
    redis.defineCommand('wardenMfaLockedFor', { lua: LOCKED_FOR_SCRIPT });
    this.scripts = redis as unknown as ScriptedRedis;
  }

  async lockedFor(principal: string, nowMs?: number): Promise<number> {
    return orUnavailable(() => this.scripts.wardenMfaLockedFor(1, this.lockKey(principal), nowMs ?? ''));
  }

  async fail(principal: string, nowMs?: number): Promise<boolean> {
    const { maxFailures, windowSeconds, lockSeconds } = this.policy;
    const started = await orUnavailable(() => this.scripts.wardenMfaFail(2, this.failuresKey(principal), this.lockKey(principal), nowMs ?? '', maxFailures, windowSeconds * 1000, lockSeconds * 1000));
    return started === 1;
  }

  /**
   * Best effort: the verification already succeeded, and failures left behind (Redis did not answer) only
   * make a lock come sooner; they expire with their window.
   */
  async succeed(principal: string): Promise<void> {
    await this.redis.del(this.failuresKey(principal)).catch(() => undefined);
  }

  private failuresKey(principal: string): string {
    return `${this.keyPrefix}lockout:failures:${principalKey(principal)}`;
  }

  private lockKey(principal: string): string {
    return `${this.keyPrefix}lockout:lock:${principalKey(principal)}`;
  }
}

export class RedisReplayCache implements ReplayCache {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  /**
   * One `SET NX PX`: the first instance to store the key wins, cluster-wide; Redis forgets it when it
   * expires. Bounded by the DPoP verifier: a 43-character thumbprint and a `jti` of at most 256, kept at
   * most `iat` + `dpopSkewSeconds` + 1 s, that is under about 10 minutes (the skew is at most 300 s).
   */
  async add(key: string, expiresAtMs: number, nowMs = Date.now()): Promise<boolean> {
    const ttlMs = Math.ceil(expiresAtMs - nowMs);
    // Already stale: nothing to remember (as in memory); the DPoP verifier refuses stale proofs before.
    if (ttlMs <= 0) return true;
    return (await orUnavailable(() => this.redis.set(`${this.keyPrefix}replay:${key}`, '1', 'PX', ttlMs, 'NX'))) === 'OK';
  }
}
