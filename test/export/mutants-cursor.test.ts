/**
 * Export retry edges that the mutation check (`npm run mutate -- export-cursor`, docs/mutation.md) found
 * unchecked: the backoff formula's jitter, cap and Retry-After, and a sleep that a stop cuts short. What
 * the cursor repository keeps (across a reopen, dead-letter limits) is in test/store/export-cursors.test.ts.
 */
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

test('sleep: an aborted signal returns at once, an abort during the wait ends it early, and it cleans up its listener', async () => {
  const stopped = new AbortController();
  stopped.abort();
  // ten-minute waits: if the abort did not end them, the test would hang until the runner's timeout
  await sleep(600_000, stopped.signal);
  const running = new AbortController();
  const waiting = sleep(600_000, running.signal);
  setImmediate(() => running.abort());
  await waiting;
  const plain = new AbortController();
  let listeners = 0;
  const signal = plain.signal;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((...args: Parameters<AbortSignal['addEventListener']>) => {
    listeners++;
    add(...args);
  }) as AbortSignal['addEventListener'];
  signal.removeEventListener = ((...args: Parameters<AbortSignal['removeEventListener']>) => {
    listeners--;
    remove(...args);
  }) as AbortSignal['removeEventListener'];
  await sleep(1, signal);
  assert.equal(listeners, 0, 'the abort listener is removed when the wait ends by itself');
});
