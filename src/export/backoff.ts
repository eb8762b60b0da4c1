/** Exponential backoff with jitter, and a sleep that a stop cuts short. */
import type { RetryConfig } from './config.js';

/** Wait before retry number `attempt` (0-based); a receiver's `Retry-After` is honoured when longer. */
export function backoffDelay(attempt: number, retry: RetryConfig, retryAfterMs?: number, random: () => number = Math.random): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.initialDelayMs * retry.multiplier ** Math.min(attempt, 60));
  const delay = ceiling * (1 - retry.jitter * random());
  return Math.round(Math.max(delay, Math.min(retryAfterMs ?? 0, retry.maxDelayMs)));
}

/** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
