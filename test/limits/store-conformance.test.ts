/**
 * The counter stores decide identically: the same cases run against the in-memory store and against Redis
 * on 127.0.0.1:6379 (a random key prefix per run, deleted after). Times are given explicitly, so the Lua
 * script's arithmetic is compared with window.ts step for step.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { MemoryCounterStore } from '../../src/limits/store/memory.js';
import { RedisCounterStore } from '../../src/limits/store/redis.js';
import { CounterStoreUnavailable, type CounterCheck, type CounterStore } from '../../src/limits/store/types.js';

const REDIS_URL = process.env.WARDEN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `warden-test:${randomBytes(6).toString('hex')}:`;
const MIN = 60_000;
const T0 = 1_800_000_000_000; // a bucket boundary for 1 s, 1 min, 1 h and 1 day windows
const opened: CounterStore[] = [];

function check(key: string, limit: number, options: Partial<CounterCheck> = {}): CounterCheck {
  return { key, windowMs: MIN, sliding: false, limit, cost: 1, ...options };
}

const backends: [string, () => Promise<CounterStore>][] = [
  ['memory', () => Promise.resolve(new MemoryCounterStore())],
  [
    'redis',
    async () => {
      const store = new RedisCounterStore({ url: REDIS_URL, keyPrefix: PREFIX, timeoutMs: 2000 });
      await store.ready(5000);
      opened.push(store);
      return store;
    },
  ],
];

after(async () => {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  for (const s of opened) await s.close();
});

for (const [name, open] of backends) {
  describe(`${name} counter store`, () => {
    test('admits up to the limit in a fixed window, then refuses until the next bucket', async () => {
      const store = await open();
      const k = `${name}:fixed`;
      for (let i = 1; i <= 3; i++) {
        const r = await store.take([check(k, 3)], T0 + i);
        assert.equal(r.allowed, true);
        assert.deepEqual(r.counters[0], { allowed: true, used: i, remaining: 3 - i, retryAfterMs: 0 });
      }
      const refused = await store.take([check(k, 3)], T0 + 10_000);
      assert.deepEqual(refused.counters[0], { allowed: false, used: 3, remaining: 0, retryAfterMs: 50_000 });
      // A refusal takes nothing: at the next bucket the count starts again.
      assert.equal((await store.take([check(k, 3)], T0 + MIN)).counters[0]!.used, 1);
    });

    test('a sliding window carries the previous bucket, weighted', async () => {
      const store = await open();
      const k = `${name}:sliding`;
      const c = check(k, 10, { sliding: true });
      for (let i = 0; i < 10; i++) assert.equal((await store.take([c], T0 + i)).allowed, true);
      // Half-way through the next bucket half of the previous ten count: five more fit.
      for (let i = 0; i < 5; i++) assert.equal((await store.take([c], T0 + MIN + 30_000)).allowed, true, `request ${i}`);
      const refused = await store.take([c], T0 + MIN + 30_000);
      assert.deepEqual(refused.counters[0], { allowed: false, used: 10, remaining: 0, retryAfterMs: 6_000 });
      assert.equal((await store.take([c], T0 + MIN + 36_000)).allowed, true);
      // Two buckets later nothing of the first remains.
      assert.equal((await store.take([c], T0 + 3 * MIN)).counters[0]!.used, 1);
    });

    test('a take is all or nothing across its counters', async () => {
      const store = await open();
      const roomy = check(`${name}:roomy`, 100);
      const tight = check(`${name}:tight`, 1);
      assert.equal((await store.take([roomy, tight], T0)).allowed, true);
      const refused = await store.take([roomy, tight], T0 + 1);
      assert.equal(refused.allowed, false);
      assert.equal(refused.counters[0]!.allowed, true, 'the roomy counter alone had room');
      assert.equal(refused.counters[1]!.allowed, false);
      // The roomy counter was not charged by the refused take.
      assert.equal((await store.take([roomy], T0 + 2)).counters[0]!.used, 2);
    });

    test('a token budget admits while it has room and is charged afterwards', async () => {
      const store = await open();
      const budget = check(`${name}:tokens`, 100, { cost: 0 });
      assert.deepEqual((await store.take([budget], T0)).counters[0], { allowed: true, used: 0, remaining: 100, retryAfterMs: 0 });
      await store.charge([{ key: budget.key, windowMs: MIN, sliding: false, amount: 99 }], T0 + 1);
      assert.equal((await store.take([budget], T0 + 2)).allowed, true, 'one token left');
      await store.charge([{ key: budget.key, windowMs: MIN, sliding: false, amount: 150 }], T0 + 3);
      assert.deepEqual((await store.take([budget], T0 + 4)).counters[0], { allowed: false, used: 249, remaining: 0, retryAfterMs: MIN - 4 });
    });

    test('large budgets count exactly (no float formatting of big amounts)', async () => {
      const store = await open();
      const budget = check(`${name}:big`, 1e15, { cost: 0 });
      await store.charge([{ key: budget.key, windowMs: MIN, sliding: false, amount: 999_999_999_999_999 }], T0);
      assert.deepEqual((await store.take([budget], T0 + 1)).counters[0], { allowed: true, used: 999_999_999_999_999, remaining: 1, retryAfterMs: 0 });
    });

    test('counters of different keys and windows are independent', async () => {
      const store = await open();
      assert.equal((await store.take([check(`${name}:a`, 1)], T0)).allowed, true);
      assert.equal((await store.take([check(`${name}:b`, 1)], T0)).allowed, true);
      assert.equal((await store.take([check(`${name}:a`, 1, { windowMs: 1000 })], T0)).allowed, true);
    });

    test('concurrent takes never exceed the limit: exactly N of many succeed', async () => {
      // Two stores stand for two instances (two Redis connections); the memory store is one instance.
      const a = await open();
      const b = name === 'redis' ? await open() : a;
      const c = check(`${name}:race`, 25);
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).take([c], T0 + 5)));
      assert.equal(results.filter((r) => r.allowed).length, 25);
    });
  });
}

test('an unreachable Redis fails fast with CounterStoreUnavailable, not a hang', async () => {
  const store = new RedisCounterStore({ url: 'redis://127.0.0.1:1', keyPrefix: PREFIX, timeoutMs: 200 });
  await assert.rejects(store.ready(300), CounterStoreUnavailable);
  await assert.rejects(store.take([check('x', 1)]), CounterStoreUnavailable);
  assert.equal(store.healthy(), false);
  await store.close();
});

test('Redis keys expire once no window can read them', async () => {
  const store = new RedisCounterStore({ url: REDIS_URL, keyPrefix: PREFIX, timeoutMs: 2000 });
  opened.push(store);
  await store.ready(5000);
  // No time given: Redis's own clock (TIME) places the bucket.
  await store.take([check('ttl', 5, { windowMs: 1000, sliding: true })]);
  const redis = new Redis(REDIS_URL);
  const [key] = await redis.keys(`${PREFIX}ttl:*`);
  const ttl = await redis.pttl(key!);
  await redis.quit();
  // Sliding: the bucket's end plus one window plus a second of margin, at most 3 s from now.
  assert.ok(ttl > 1000 && ttl <= 3000, `ttl ${ttl}`);
});
