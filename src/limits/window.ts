/**
 * Window arithmetic shared by every counter store. The Redis store's Lua script (store/redis-script.ts)
 * is this same arithmetic, step for step, so that memory and Redis decide identically (the conformance
 * suite runs the same cases against both).
 *
 * A counter keeps one count per window-long bucket (`floor(now / window)`). A fixed window counts only the
 * current bucket. A sliding window also counts the previous bucket, weighted by the share of it that still
 * lies inside the window ending now (the "sliding window counter": two numbers per counter, at most a
 * small overestimate when the previous bucket's requests came early in it).
 *
 * @example
 * evaluate({ windowMs: 60_000, sliding: true, limit: 10, cost: 1 }, { now: 90_000, previous: 10, current: 2 })
 * // weighted 10 * 0.5 + 2 = 7: allowed, used 8, remaining 2
 */

export interface WindowRule {
  windowMs: number;
  sliding: boolean;
  /** The most the weighted count may reach. */
  limit: number;
  /**
   * What this request adds now: 1 for a request. 0 for a token budget, which only needs room now and is
   * charged its actual usage after the answer.
   */
  cost: number;
}

export interface WindowCounts {
  now: number;
  /** The count of the bucket before the current one (read only for sliding windows). */
  previous: number;
  current: number;
}

export interface WindowVerdict {
  allowed: boolean;
  /** The weighted count after this request (rounded up). */
  used: number;
  remaining: number;
  /** When refused: how long until a request like this one would fit, with no other traffic (ms, at least 1). */
  retryAfterMs: number;
}

export function bucketOf(now: number, windowMs: number): number {
  return Math.floor(now / windowMs);
}

/** The weighted count at `now`. */
export function weightedCount(rule: WindowRule, counts: WindowCounts): number {
  const elapsed = counts.now - bucketOf(counts.now, rule.windowMs) * rule.windowMs;
  return rule.sliding ? (counts.previous * (rule.windowMs - elapsed)) / rule.windowMs + counts.current : counts.current;
}

export function evaluate(rule: WindowRule, counts: WindowCounts): WindowVerdict {
  const weighted = weightedCount(rule, counts);
  // A token budget (cost 0) is admitted while it has room; a request needs room for itself.
  const allowed = weighted < rule.limit && weighted + rule.cost <= rule.limit;
  const after = allowed ? weighted + rule.cost : weighted;
  const used = Math.ceil(after);
  return { allowed, used, remaining: Math.max(0, rule.limit - used), retryAfterMs: allowed ? 0 : retryAfter(rule, counts) };
}

/**
 * Time until the weighted count falls to `limit - max(cost, 1)` with no other traffic: the end of the
 * bucket for a fixed window; for a sliding one, until enough of the previous bucket has slid out (or,
 * when the current bucket alone is too full, until enough of it has slid out in the next bucket).
 */
export function retryAfter(rule: WindowRule, counts: WindowCounts): number {
  const w = rule.windowMs;
  const elapsed = counts.now - bucketOf(counts.now, w) * w;
  const target = rule.limit - Math.max(rule.cost, 1);
  let wait: number;
  if (!rule.sliding) wait = w - elapsed;
  else if (counts.current <= target) wait = w - ((target - counts.current) * w) / counts.previous - elapsed;
  else wait = w - elapsed + (w - (target * w) / counts.current);
  return Math.max(1, Math.ceil(wait));
}
