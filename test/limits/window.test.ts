/** The window arithmetic every counter store shares (src/limits/window.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketOf, evaluate, retryAfter, weightedCount } from '../../src/limits/window.js';

const MIN = 60_000;
const fixed = (limit: number, cost = 1) => ({ windowMs: MIN, sliding: false, limit, cost });
const sliding = (limit: number, cost = 1) => ({ windowMs: MIN, sliding: true, limit, cost });

test('buckets are window-long and aligned to the epoch', () => {
  assert.equal(bucketOf(0, MIN), 0);
  assert.equal(bucketOf(MIN - 1, MIN), 0);
  assert.equal(bucketOf(MIN, MIN), 1);
  assert.equal(bucketOf(3_600_000 * 24 * 365, 86_400_000), 365);
});

test('a fixed window counts only the current bucket and admits up to the limit exactly', () => {
  assert.equal(weightedCount(fixed(10), { now: MIN + 1, previous: 1000, current: 3 }), 3);
  const ninth = evaluate(fixed(10), { now: MIN + 1, previous: 0, current: 9 });
  assert.deepEqual(ninth, { allowed: true, used: 10, remaining: 0, retryAfterMs: 0 });
  const tenth = evaluate(fixed(10), { now: MIN + 1_000, previous: 0, current: 10 });
  assert.equal(tenth.allowed, false);
  assert.equal(tenth.used, 10);
  // Refused until the bucket ends.
  assert.equal(tenth.retryAfterMs, MIN - 1_000);
});

test('a sliding window weighs the previous bucket by the share of it still inside the window', () => {
  // 30 s into the bucket: half of the previous bucket still counts.
  assert.equal(weightedCount(sliding(10), { now: MIN + 30_000, previous: 10, current: 2 }), 7);
  assert.deepEqual(evaluate(sliding(10), { now: MIN + 30_000, previous: 10, current: 2 }), { allowed: true, used: 8, remaining: 2, retryAfterMs: 0 });
  // At the bucket start all of it counts; at its end none.
  assert.equal(weightedCount(sliding(10), { now: MIN, previous: 10, current: 0 }), 10);
  assert.equal(weightedCount(sliding(10), { now: 2 * MIN - 1, previous: 10, current: 0 }), 10 / MIN);
});

test('a sliding refusal waits until enough of the previous bucket has slid out', () => {
  // weighted 10*0.5 + 5 = 10: full. One request fits once 10*(1-e)+5 <= 9, i.e. e >= 0.6 of the bucket.
  const counts = { now: MIN + 30_000, previous: 10, current: 5 };
  const verdict = evaluate(sliding(10), counts);
  assert.equal(verdict.allowed, false);
  assert.equal(verdict.retryAfterMs, 6_000);
  assert.equal(evaluate(sliding(10), { ...counts, now: counts.now + verdict.retryAfterMs }).allowed, true);
  assert.equal(evaluate(sliding(10), { ...counts, now: counts.now + verdict.retryAfterMs - 1 }).allowed, false);
});

test('a sliding refusal with a full current bucket waits into the next bucket', () => {
  // current 10 of 10: the next bucket must let 1 of the 10 slide out (6 s of it) after this one ends (30 s).
  const counts = { now: MIN + 30_000, previous: 0, current: 10 };
  const wait = retryAfter(sliding(10), counts);
  assert.equal(wait, 30_000 + 6_000);
  const later = counts.now + wait;
  assert.equal(evaluate(sliding(10), { now: later, previous: 10, current: 0 }).allowed, true);
  assert.equal(evaluate(sliding(10), { now: later - 1, previous: 10, current: 0 }).allowed, false);
});

test('a limit of one: the sliding window waits the whole next bucket out', () => {
  assert.equal(retryAfter(sliding(1), { now: MIN, previous: 0, current: 1 }), 2 * MIN);
});

test('a token budget (cost 0) is admitted while it has room and refused at or past its limit', () => {
  assert.deepEqual(evaluate(fixed(1000, 0), { now: 5, previous: 0, current: 999 }), { allowed: true, used: 999, remaining: 1, retryAfterMs: 0 });
  const spent = evaluate(fixed(1000, 0), { now: 5, previous: 0, current: 1000 });
  assert.equal(spent.allowed, false);
  assert.equal(spent.retryAfterMs, MIN - 5);
  // Overspent by a large answer: still refused, remaining never negative.
  assert.deepEqual(evaluate(fixed(1000, 0), { now: 5, previous: 0, current: 5000 }), { allowed: false, used: 5000, remaining: 0, retryAfterMs: MIN - 5 });
});

test('a retry is never less than 1 ms and a fractional weight rounds the used count up', () => {
  assert.equal(retryAfter(fixed(1), { now: MIN - 1, previous: 0, current: 1 }), 1);
  assert.equal(evaluate(sliding(10), { now: MIN + 59_999, previous: 3, current: 0 }).used, 2);
});
