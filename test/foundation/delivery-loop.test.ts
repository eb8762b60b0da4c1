/** The outboxes' pass runner (src/core/delivery-loop.ts): one pass at a time, kicks coalesced, nothing after stop. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeliveryLoop } from '../../src/core/delivery-loop.js';

test('kicks during a pass run one more pass after it, not one each; a failing pass is reported; stop waits and ends', async () => {
  let passes = 0;
  let release: () => void = () => undefined;
  const errors: unknown[] = [];
  const loop = new DeliveryLoop(
    () => {
      passes++;
      if (passes === 3) return Promise.reject(new Error('receiver down'));
      return new Promise<void>((resolve) => (release = resolve));
    },
    60_000,
    (error) => errors.push(error),
  );
  loop.kick();
  loop.kick();
  loop.kick();
  assert.equal(passes, 1, 'one pass at a time');
  release();
  await new Promise((r) => setImmediate(r));
  assert.equal(passes, 2, 'the kicks made mid-pass run exactly one more pass');
  release();
  await new Promise((r) => setImmediate(r));
  assert.equal(passes, 2, 'and no more');
  loop.kick();
  await new Promise((r) => setImmediate(r));
  assert.equal(passes, 3);
  assert.equal(errors.length, 1, 'a failing pass is reported, not thrown');
  loop.kick();
  const stopped = loop.stop();
  release();
  await stopped;
  loop.kick();
  assert.equal(passes, 4, 'no pass after stop');
});
