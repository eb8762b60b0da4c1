/**
 * Where the step-up state that guards against guessing and replay lives: in Redis when the cluster has
 * one (every instance, and the CLI, share it), else in this process (one instance).
 */
import type { Logger } from '../core/index.js';
import { closeRedis, openRedis, whenReady } from '../cluster/index.js';
import type { MfaConfig } from './config.js';
import { MemoryLockout, type Lockout } from './lockout.js';
import { RedisLockout, RedisReplayCache } from './redis-state.js';
import { MemoryReplayCache, type ReplayCache } from './replay-cache.js';

/** How long start-up waits for Redis before serving (DPoP-bound requests and factor checks get 503 until it answers). */
const CONNECT_WAIT_MS = 5_000;

export interface StepUpState {
  lockout: Lockout;
  replay: ReplayCache;
  close(): Promise<void>;
}

export async function openStepUpState(mfa: MfaConfig, redisUrl: string | undefined, logger: Logger): Promise<StepUpState> {
  if (!redisUrl) return { lockout: new MemoryLockout(mfa.lockout), replay: new MemoryReplayCache(), close: async () => undefined };
  const redis = openRedis(redisUrl, mfa.redis.timeoutMs);
  try {
    await whenReady(redis, CONNECT_WAIT_MS);
  } catch {
    logger.error('Redis for the step-up state is unreachable; DPoP-bound requests and factor verifications are refused (503 mfa_unavailable) until it answers');
  }
  return {
    lockout: new RedisLockout(redis, mfa.redis.keyPrefix, mfa.lockout),
    replay: new RedisReplayCache(redis, mfa.redis.keyPrefix),
    close: () => closeRedis(redis),
  };
}
