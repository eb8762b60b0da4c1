/**
 * Export cursor and retry edges that the mutation check (`npm run mutate -- export-cursor`,
 * docs/mutation.md) found unchecked: what the cursor store keeps across a reopen, dead-letter limits,
 * the backoff formula's jitter, cap and Retry-After, and a sleep that a stop cuts short.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CursorStore } from '../../src/export/index.js';
import { backoffDelay, sleep } from '../../src/export/backoff.js';
import { tempDir } from './helpers.js';

test('cursor store: a cursor set is the one read back after a reopen, per sink, and an update replaces it', () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = new CursorStore(dir);
    assert.equal(store.get('siem'), undefined);
    store.set('siem', 10, 10);
    store.set('archive', 3, 7);
    store.set('siem', 25, 31);
    store.close();
    store.close();
    const reopened = new CursorStore(dir);
    const siem = reopened.get('siem')!;
    assert.deepEqual({ sink: siem.sink, position: siem.position, delivered: siem.delivered }, { sink: 'siem', position: 25, delivered: 31 });
    assert.ok(Math.abs(Date.parse(siem.updatedAt) - Date.now()) < 60_000, siem.updatedAt);
    assert.deepEqual(reopened.list().map((c) => [c.sink, c.position, c.delivered]), [['archive', 3, 7], ['siem', 25, 31]]);
    reopened.close();
  } finally {
    cleanup();
  }
});

test('cursor store: dead letters are kept per sink, in position order, with the error cut to 500 characters', () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = new CursorStore(dir);
    for (const position of [7, 2, 5]) store.addDeadLetter({ sink: 'siem', position, leafHash: `h${position}`, error: `e${position}`.padEnd(800, 'x') });
    store.addDeadLetter({ sink: 'other', position: 1, leafHash: 'h', error: 'short' });
    store.addDeadLetter({ sink: 'siem', position: 5, leafHash: 'h5', error: 'again' });
    assert.equal(store.deadLetterCount('siem'), 3);
    assert.equal(store.deadLetterCount('other'), 1);
    assert.equal(store.deadLetterCount('none'), 0);
    const letters = store.deadLetters('siem');
    assert.deepEqual(letters.map((d) => [d.sink, d.position, d.leafHash]), [['siem', 2, 'h2'], ['siem', 5, 'h5'], ['siem', 7, 'h7']]);
    assert.equal(letters[0]!.error.length, 500);
    assert.equal(letters[1]!.error, 'again');
    assert.ok(!Number.isNaN(Date.parse(letters[0]!.at)), letters[0]!.at);
    assert.deepEqual(store.deadLetters('siem', 2).map((d) => d.position), [2, 5]);
    store.close();
  } finally {
    cleanup();
  }
});

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
