/**
 * The step-up state decides alike in memory and in Redis (127.0.0.1:6379, or WARDEN_TEST_REDIS_URL; a
 * random key prefix per run, deleted after): the same cases run against both. Then what only Redis gives:
 * two independent clients (two Warden instances) share replays and failures. And it fails closed: with
 * Redis unreachable, a DPoP proof and a factor verification are refused with 503 `mfa_unavailable`.
 * The Redis cases are skipped only when no Redis answers (CI has one).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { Redis } from 'ioredis';
import { closeRedis, openRedis, whenReady } from '../../src/cluster/redis-client.js';
import { DpopVerifier } from '../../src/mfa/dpop.js';
import { TotpFactors, type FactorContext } from '../../src/mfa/factors.js';
import { MemoryLockout, type Lockout, type LockoutPolicy } from '../../src/mfa/lockout.js';
import { RedisLockout, RedisReplayCache } from '../../src/mfa/redis-state.js';
import { MemoryReplayCache, type ReplayCache } from '../../src/mfa/replay-cache.js';

const REDIS_URL = process.env.WARDEN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `warden-test:mfa:${randomBytes(6).toString('hex')}:`;
const POLICY: LockoutPolicy = { maxFailures: 3, windowSeconds: 60, lockSeconds: 120 };
const clients: Redis[] = [];

/** A new client, as another Warden instance would open; undefined when no Redis answers. */
async function client(): Promise<Redis | undefined> {
  const redis = openRedis(REDIS_URL, 2000);
  clients.push(redis);
  try {
    await whenReady(redis, 2000);
    return redis;
  } catch {
    return undefined;
  }
}

const redisUp = (await client()) !== undefined;

after(async () => {
  if (redisUp) {
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
  for (const c of clients) await closeRedis(c);
});

interface Backend {
  lockout(policy: LockoutPolicy): Promise<Lockout>;
  replay(): Promise<ReplayCache>;
}

const backends: [string, Backend, boolean][] = [
  ['memory', { lockout: async (p) => new MemoryLockout(p), replay: async () => new MemoryReplayCache() }, false],
  ['redis', { lockout: async (p) => new RedisLockout((await client())!, PREFIX, p), replay: async () => new RedisReplayCache((await client())!, PREFIX) }, !redisUp],
];

/** Polls until `probe` holds (no fixed sleeps); fails after five seconds. */
async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await probe())) {
    if (Date.now() > deadline) assert.fail(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

for (const [name, backend, skip] of backends) {
  describe(`${name} step-up state`, { skip: skip && 'no Redis answers at ' + REDIS_URL }, () => {
    test('a replayed key is refused; the same jti under another proof key is not', async () => {
      const cache = await backend.replay();
      const now = Date.now();
      const jti = randomUUID();
      assert.equal(await cache.add(`jkt-a:${jti}`, now + 60_000, now), true);
      assert.equal(await cache.add(`jkt-a:${jti}`, now + 60_000, now + 1), false);
      assert.equal(await cache.add(`jkt-b:${jti}`, now + 60_000, now + 1), true);
    });

    test('a key is forgotten once it expires, not before', async () => {
      const cache = await backend.replay();
      const key = `jkt-a:${randomUUID()}`;
      const expiresAt = Date.now() + 200;
      assert.equal(await cache.add(key, expiresAt), true);
      assert.equal(await cache.add(key, expiresAt), false);
      await until('the key expires', () => cache.add(key, Date.now() + 200));
      assert.ok(Date.now() >= expiresAt - 20, 'accepted again only once it had expired');
    });

    test('locks after maxFailures within the sliding window, not with older failures', async () => {
      const lockout = await backend.lockout(POLICY);
      const p = `alice-${randomUUID()}`;
      const t = Date.now();
      assert.equal(await lockout.fail(p, t), false);
      // Out of the window by the time of the next two: three failures, but not within 60 s.
      assert.equal(await lockout.fail(p, t + 60_000), false);
      assert.equal(await lockout.fail(p, t + 60_001), false);
      assert.equal(await lockout.lockedFor(p, t + 60_001), 0);
      assert.equal(await lockout.fail(p, t + 60_002), true, 'three failures within the window');
      assert.equal(await lockout.lockedFor(p, t + 60_002), 120_000);
      assert.equal(await lockout.lockedFor(p, t + 70_002), 110_000);
    });

    test('the lock expires, and then it takes maxFailures new failures to lock again', async () => {
      const lockout = await backend.lockout(POLICY);
      const p = `bob-${randomUUID()}`;
      const t = Date.now();
      for (let i = 0; i < 3; i++) await lockout.fail(p, t + i);
      const end = t + 2 + 120_000;
      assert.equal(await lockout.lockedFor(p, end - 1), 1);
      assert.equal(await lockout.lockedFor(p, end), 0);
      assert.equal(await lockout.fail(p, end + 1), false);
      assert.equal(await lockout.fail(p, end + 2), false);
      assert.equal(await lockout.fail(p, end + 3), true);
    });

    test('concurrent failures start exactly one lock (one detection event)', async () => {
      const lockout = await backend.lockout(POLICY);
      const p = `carol-${randomUUID()}`;
      const t = Date.now();
      const started = await Promise.all(Array.from({ length: 20 }, (_, i) => lockout.fail(p, t + i)));
      assert.equal(started.filter(Boolean).length, 1);
      assert.ok((await lockout.lockedFor(p, t + 20)) > 0);
    });

    test('a success forgets failures but does not end a lock early', async () => {
      const lockout = await backend.lockout(POLICY);
      const p = `dave-${randomUUID()}`;
      const t = Date.now();
      await lockout.fail(p, t);
      await lockout.fail(p, t + 1);
      await lockout.succeed(p);
      assert.equal(await lockout.fail(p, t + 2), false, 'the two earlier failures were forgotten');
      await lockout.fail(p, t + 3);
      assert.equal(await lockout.fail(p, t + 4), true);
      await lockout.succeed(p);
      assert.equal(await lockout.lockedFor(p, t + 5), 119_999, 'still locked after a correct code');
    });

    test('principals are locked independently', async () => {
      const lockout = await backend.lockout(POLICY);
      const t = Date.now();
      const [p, q] = [`erin-${randomUUID()}`, `frank-${randomUUID()}`];
      for (let i = 0; i < 3; i++) await lockout.fail(p, t + i);
      assert.ok((await lockout.lockedFor(p, t + 3)) > 0);
      assert.equal(await lockout.lockedFor(q, t + 3), 0);
    });
  });
}

describe('two instances sharing Redis', { skip: !redisUp && 'no Redis answers at ' + REDIS_URL }, () => {
  test('a jti accepted by one instance is refused by the other', async () => {
    const [one, two] = [new RedisReplayCache((await client())!, PREFIX), new RedisReplayCache((await client())!, PREFIX)];
    const key = `jkt:${randomUUID()}`;
    const now = Date.now();
    assert.equal(await one.add(key, now + 60_000, now), true);
    assert.equal(await two.add(key, now + 60_000, now), false);
    // Offered to both at once: exactly one accepts it.
    const raced = `jkt:${randomUUID()}`;
    const answers = await Promise.all([one, two, one, two].map((c) => c.add(raced, now + 60_000, now)));
    assert.equal(answers.filter(Boolean).length, 1);
  });

  test('failures split across instances lock the principal at the shared limit, once', async () => {
    const [one, two] = [new RedisLockout((await client())!, PREFIX, POLICY), new RedisLockout((await client())!, PREFIX, POLICY)];
    const p = `mallory-${randomUUID()}`;
    const t = Date.now();
    assert.equal(await one.fail(p, t), false);
    assert.equal(await two.fail(p, t + 1), false);
    assert.equal(await one.fail(p, t + 2), true);
    assert.equal(await two.lockedFor(p, t + 3), 119_999, 'the other instance sees the lock');
    const q = `trudy-${randomUUID()}`;
    const started = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? one : two).fail(q, t + i)));
    assert.equal(started.filter(Boolean).length, 1, 'one detection cluster-wide');
  });

  test('keys hold ids and times only, and expire', async () => {
    const redis = (await client())!;
    const lockout = new RedisLockout(redis, PREFIX, POLICY);
    const cache = new RedisReplayCache(redis, PREFIX);
    const p = `grace-${randomUUID()}`;
    await lockout.fail(p);
    await cache.add(`jkt:${p}`, Date.now() + 5000);
    const keys = await redis.keys(`${PREFIX}*${p}`);
    assert.deepEqual(keys.map((k) => k.slice(PREFIX.length).replace(p, 'P')).sort(), ['lockout:failures:p:P', 'replay:jkt:P']);
    for (const key of keys) {
      const ttl = await redis.pttl(key);
      assert.ok(ttl > 0 && ttl <= 61_000, `${key} expires (${ttl} ms)`);
    }
    const long = 'x'.repeat(500);
    await lockout.fail(long);
    assert.equal((await redis.keys(`${PREFIX}lockout:failures:h:*`)).length >= 1, true, 'a long principal id is hashed to bound the key');
  });
});

describe('Redis unreachable: refused, never unchecked', () => {
  const down = (): Redis => {
    const redis = openRedis('redis://127.0.0.1:1', 200);
    clients.push(redis);
    return redis;
  };

  test('the replay cache and the lock-out reject with 503 mfa_unavailable', async () => {
    const unavailable = { code: 'mfa_unavailable', status: 503 };
    await assert.rejects(new RedisReplayCache(down(), PREFIX).add('k', Date.now() + 1000), unavailable);
    const lockout = new RedisLockout(down(), PREFIX, POLICY);
    await assert.rejects(lockout.lockedFor('alice'), unavailable);
    await assert.rejects(lockout.fail('alice'), unavailable);
  });

  test('a valid DPoP proof is refused (503), not accepted unchecked', async () => {
    const verifier = new DpopVerifier(new RedisReplayCache(down(), PREFIX), 60);
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const url = 'http://localhost:1/x';
    const proof = await new SignJWT({ htm: 'GET', htu: url, jti: randomUUID(), iat: Math.floor(Date.now() / 1000) })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })
      .sign(privateKey);
    await assert.rejects(verifier.verify(proof, { method: 'GET', urls: [url] }), { code: 'mfa_unavailable', status: 503 });
  });

  test('a factor verification is refused (503) before any code is checked', async () => {
    // Only the lock-out is reachable from here: a repository call would throw a TypeError instead.
    const totp = new TotpFactors({ lockout: new RedisLockout(down(), PREFIX, POLICY) } as unknown as FactorContext);
    await assert.rejects(totp.verify('alice', '123456'), { code: 'mfa_unavailable' });
    await assert.rejects(totp.verifyRecoveryCode('alice', 'ABCDE-FGHIJ'), { code: 'mfa_unavailable' });
  });
});
