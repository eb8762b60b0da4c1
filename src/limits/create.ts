/**
 * Builds the limiter from the configuration: counters in Redis when a Redis URL is set (shared by every
 * instance), in memory otherwise. No rules, no limiter: the request path does nothing extra.
 */
import type { Registry } from 'prom-client';
import type { Logger } from '../core/index.js';
import type { LimitsConfig } from './config.js';
import { Limiter } from './limiter.js';
import { MemoryCounterStore } from './store/memory.js';
import { RedisCounterStore } from './store/redis.js';

/** How long start-up waits for Redis before serving with the fail mode in force. */
const CONNECT_WAIT_MS = 5_000;

export async function createLimiter(config: LimitsConfig, redisUrl: string | undefined, logger: Logger, registry: Registry): Promise<Limiter | undefined> {
  if (!config.rules.length) return undefined;
  if (!redisUrl) return new Limiter(config, new MemoryCounterStore(), logger, registry);
  const store = new RedisCounterStore({ url: redisUrl, keyPrefix: config.keyPrefix, timeoutMs: config.redisTimeoutMs });
  try {
    await store.ready(CONNECT_WAIT_MS);
  } catch {
    // Serving anyway: each request then gets the fail mode (503, or unlimited with failOpen) until Redis answers.
    logger.error({ failOpen: config.failOpen }, 'Redis for the limit counters is unreachable; requests under a limit get the fail mode until it answers');
  }
  return new Limiter(config, store, logger, registry);
}
