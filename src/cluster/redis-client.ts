/**
 * The one way Warden connects to the cluster's Redis (`cluster.redisUrl` or `WARDEN_REDIS_URL`): the limit
 * counters (src/limits) and the step-up state (src/mfa: DPoP replay cache, factor lock-out) each open a
 * client here. The client never queues commands while disconnected and every command has a timeout, so an
 * unreachable Redis is known within `timeoutMs` and the caller's fail mode applies instead of requests
 * waiting for a reconnect that may never come.
 */
import { Redis } from 'ioredis';

/**
 * Lua that sets `now` (ms) from ARGV[1], or from Redis's own clock (`TIME`) when ARGV[1] is '': every
 * instance then shares one clock whatever their skew; tests pass explicit times.
 */
export const REDIS_NOW_LUA = `
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
else
  now = tonumber(ARGV[1])
end
`;

export function openRedis(url: string, timeoutMs: number): Redis {
  const redis = new Redis(url, {
    // Fail now rather than queue: a request must not wait for a reconnect that may never come.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: timeoutMs,
    connectTimeout: Math.max(timeoutMs, 1000),
    // Keep reconnecting in the background (capped backoff); commands fail fast meanwhile.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    lazyConnect: false,
  });
  // Connection errors are reported by the failing commands (and the fail mode); the client's own 'error'
  // events would otherwise be unhandled and crash the process.
  redis.on('error', () => undefined);
  return redis;
}

/** Resolves once connected (at start, so that a wrong URL is reported then); rejects after `timeoutMs`. */
export async function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}

/** Quits politely, or drops the connection when Redis cannot be told. */
export async function closeRedis(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    // QUIT could not be sent (the connection is already down): dropping the socket is all that is left to do.
    redis.disconnect();
  }
}
