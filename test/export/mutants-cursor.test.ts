/**
 * Export retry edges that the mutation check (`npm run mutate -- export-cursor`, docs/mutation.md) found
 * unchecked: the backoff formula's jitter, cap and Retry-After, and a sleep that a stop cuts short. What
 * the cursor repository keeps (across a reopen, dead-letter limits) is in test/store/export-cursors.test.ts.
 */
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, sleep } from '../../src/export/backoff.js';

test('backoff: jitter takes off up to its fraction, the exponent stops at 60, Retry-After never exceeds the cap', () => {
  const retry = { initialDelayMs: 100, maxDelayMs: 5000, multiplier: 2, jitter: 0.5 };
  assert.equal(backoffDelay(2, retry, undefined, () => 0), 400);
  assert.equal(backoffDelay(2, retry, undefined, () => 0.5), 300);
  assert.equal(backoffDelay(2, retry, undefined, () => 1), 200);
  assert.equal(backoffDelay(20, retry, undefined, () => 0.5), 3750, 'the cap is applied before the jitter');
  // a Retry-After shorter than the backoff does not shorten it
  assert.equal(backoffDelay(3, { ...retry, jitter: 0 }, 10), 800);
  assert.equal(backoffDelay(3, { ...retry, jitter: 0 }, 801), 801);
  // rounding to whole milliseconds
  assert.equal(backoffDelay(0, { initialDelayMs: 3, maxDelayMs: 100, multiplier: 2, jitter: 0.5 }, undefined, () => 0.3), 3);
  // attempts past 60 grow no further (2^60 ms), even with no practical cap
  const uncapped = { initialDelayMs: 1, maxDelayMs: Number.MAX_VALUE, multiplier: 2, jitter: 0 };
  assert.equal(backoffDelay(60, uncapped), 2 ** 60);
  assert.equal(backoffDelay(200, uncapped), 2 ** 60);
  assert.equal(backoffDelay(59, uncapped), 2 ** 59);
});

test('backoff: with the default random source the jitter stays within its bounds and actually varies', () => {
  const retry = { initialDelayMs: 1000, maxDelayMs: 60_000, multiplier: 2, jitter: 0.2 };
  const delays = Array.from({ length: 200 }, () => backoffDelay(3, retry));
  // ceiling 8000 ms; the jitter takes off at most 20 %
  for (const d of delays) assert.ok(Number.isInteger(d) && d >= 6400 && d <= 8000, `delay ${d} outside [6400, 8000]`);
  assert.ok(new Set(delays).size > 20, `jitter varies (${new Set(delays).size} distinct delays of 200)`);
  assert.ok(Math.min(...delays) < 7200 && Math.max(...delays) > 7200, 'both halves of the jitter range occur');
  // no jitter: no randomness at all
  assert.deepEqual(new Set(Array.from({ length: 20 }, () => backoffDelay(3, { ...retry, jitter: 0 }))), new Set([8000]));
});

test('sleep: an aborted signal returns at once, an abort during the wait ends it early, and it cleans up its listener', async () => {
  const stopped = new AbortController();
  stopped.abort();
  // ten-minute waits: if the abort did not end them, the test would hang until the runner's timeout
  await sleep(600_000, stopped.signal);
  const running = new AbortController();
  const waiting = sleep(600_000, running.signal);
  setImmediate(() => running.abort());
  await waiting;
  const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  const cut = new AbortController();
  const pending = sleep(600_000, cut.signal);
  assert.equal(timers(), before + 1);
  cut.abort();
  await pending;
  assert.equal(timers(), before, 'an abort clears the timer (a ten-minute timer would keep the process alive)');
  // the stop signal lives as long as the exporter: every wait that ends by itself must take its abort
  // listener off, or each retry would leave one behind
  const plain = new AbortController();
  const pendingWait = sleep(1, plain.signal);
  assert.equal(getEventListeners(plain.signal, 'abort').length, 1);
  await pendingWait;
  assert.equal(getEventListeners(plain.signal, 'abort').length, 0, 'the abort listener is removed when the wait ends by itself');
  assert.equal(getEventListeners(cut.signal, 'abort').length, 0);
});
