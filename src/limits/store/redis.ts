/**
 * Counters in Redis, shared by every Warden instance (`cluster.redisUrl` or `WARDEN_REDIS_URL`). Each take
 * or charge is one Lua script (atomic in Redis, sent by EVALSHA after the first call). The client
 * (../../cluster/redis-client.ts) fails fast, so an unreachable Redis is known within
 * `limits.redisTimeoutMs` and the limiter's fail mode applies, instead of requests waiting.
 */
import type { Redis } from 'ioredis';
import { closeRedis, openRedis, whenReady } from '../../cluster/index.js';
import { CHARGE_SCRIPT, TAKE_SCRIPT } from './redis-script.js';
import { CounterStoreUnavailable, type CounterCharge, type CounterCheck, type CounterStore, type TakeResult } from './types.js';

interface ScriptedRedis {
  wardenLimitTake(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
  wardenLimitCharge(numKeys: number, ...args: (string | number)[]): Promise<number>;
}

export interface RedisCounterStoreOptions {
  url: string;
  /** Prepended to every key (per cluster, or per test file). */
  keyPrefix: string;
  timeoutMs: number;
}

export class RedisCounterStore implements CounterStore {
  readonly kind = 'redis';
  private readonly redis: Redis;
  private readonly scripts: ScriptedRedis;

  constructor(private readonly options: RedisCounterStoreOptions) {
    this.redis = openRedis(options.url, options.timeoutMs);
    this.redis.defineCommand('wardenLimitTake', { lua: TAKE_SCRIPT });
    this.redis.defineCommand('wardenLimitCharge', { lua: CHARGE_SCRIPT });
    this.scripts = this.redis as unknown as ScriptedRedis;
  }

  /** Resolves once connected (at start, so that a wrong URL is reported then); rejects after `timeoutMs`. */
  async ready(timeoutMs: number): Promise<void> {
    try {
      await whenReady(this.redis, timeoutMs);
    } catch (error) {
      throw new CounterStoreUnavailable(`Redis did not answer within ${timeoutMs} ms`, { cause: error });
    }
  }

  async take(checks: readonly CounterCheck[], now?: number): Promise<TakeResult> {
    const args: (string | number)[] = [];
    for (const c of checks) args.push(this.options.keyPrefix + c.key);
    args.push(now === undefined ? '' : now);
    for (const c of checks) args.push(c.windowMs, c.sliding ? 1 : 0, c.limit, c.cost);
    const reply = await this.call(() => this.scripts.wardenLimitTake(checks.length, ...args));
    const counters = checks.map((_, i) => ({ allowed: reply[1 + i * 4] === 1, used: reply[2 + i * 4]!, remaining: reply[3 + i * 4]!, retryAfterMs: reply[4 + i * 4]! }));
    return { allowed: reply[0] === 1, counters };
  }

  async charge(charges: readonly CounterCharge[], now?: number): Promise<void> {
    if (!charges.length) return;
    const args: (string | number)[] = [];
    for (const c of charges) args.push(this.options.keyPrefix + c.key);
    args.push(now === undefined ? '' : now);
    for (const c of charges) args.push(c.windowMs, c.sliding ? 1 : 0, c.amount);
    await this.call(() => this.scripts.wardenLimitCharge(charges.length, ...args));
  }

  healthy(): boolean {
    return this.redis.status === 'ready';
  }

  async close(): Promise<void> {
    await closeRedis(this.redis);
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      // The client's message can carry the address; the cause keeps it for the log, never for a client.
      throw new CounterStoreUnavailable('the Redis counter store did not answer', { cause: error });
    }
  }
}
