/**
 * Conformance of the console session repository on SQLite and PostgreSQL, and the cross-instance
 * behaviour of `ConsoleSessions` over one PostgreSQL schema: two instances, as behind a round-robin
 * balancer without sticky sessions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Identity } from '../../src/core/types.js';
import { ConsoleSessions } from '../../src/console/session/store.js';
import { PostgresConsoleSessionRepository } from '../../src/console/store/postgres.js';
import { SqliteConsoleSessionRepository } from '../../src/console/store/sqlite.js';
import type { ConsoleSessionRecord, ConsoleSessionRepository } from '../../src/console/store/types.js';
import { openPostgres } from '../../src/store/postgres.js';
import { freshSchema, TEST_DATABASE_URL } from '../helpers/postgres.js';
import { conformance, type BackendFactories } from './backends.js';

const factories: BackendFactories<ConsoleSessionRepository> = {
  sqlite: (db) => new SqliteConsoleSessionRepository(db),
  postgres: (pool) => PostgresConsoleSessionRepository.open(pool),
};

const identity: Identity = {
  principal: { kind: 'User', id: 'root', attributes: { team: 'ops' }, groups: ['staff'], roles: ['admin'] },
  authentication: { method: 'apikey', strength: 1, mfa: false, credentialId: 'k1', scopes: ['admin:*'] },
};
const T0 = 1_765_000_000_000;
const record = (id: string, at = T0): ConsoleSessionRecord => ({ id, identity, role: 'admin', csrfToken: `csrf-${id}`, authenticatedAt: at, lastSeenAt: at, expiresAt: at + 3_600_000 });
const bound = (now = T0, max = 100) => ({ max, now, idleSince: now - 600_000 });

conformance<ConsoleSessionRepository>('a session is stored by its hash and read back whole from another repository', factories, async ({ open }) => {
  const repo = await open();
  await repo.create(record('hash-a'), bound());
  const other = await open();
  assert.deepEqual(await other.find('hash-a'), record('hash-a'));
  assert.equal(await other.find('hash-b'), undefined);
  // ms times past 2^32 come back as exact numbers (pg returns BIGINT as a string)
  assert.equal(typeof (await other.find('hash-a'))!.expiresAt, 'number');
});

conformance<ConsoleSessionRepository>('last use and fresh MFA only move forward; an ended session is gone everywhere', factories, async ({ open }) => {
  const [x, y] = [await open(), await open()];
  await x.create(record('s'), bound());
  await x.touch('s', T0 + 5_000);
  await y.touch('s', T0 + 2_000);
  assert.equal((await y.find('s'))!.lastSeenAt, T0 + 5_000);
  assert.equal(await x.recordMfa('s', T0 + 3_000), true);
  assert.equal(await y.recordMfa('s', T0 + 1_000), true);
  assert.equal((await x.find('s'))!.mfaAt, T0 + 3_000);
  assert.equal(await y.end('s'), true);
  assert.equal(await x.find('s'), undefined);
  assert.equal(await x.end('s'), false);
  assert.equal(await x.recordMfa('s', T0 + 4_000), false);
  await x.touch('s', T0 + 6_000);
  assert.equal(await y.find('s'), undefined);
});

conformance<ConsoleSessionRepository>('several sessions are read back in one call, the unknown and ended ones left out', factories, async ({ open }) => {
  const [x, y] = [await open(), await open()];
  for (const id of ['m1', 'm2', 'm3']) await x.create(record(id), bound());
  await x.end('m2');
  const found = await y.findMany(['m1', 'm2', 'm3', 'nope']);
  assert.deepEqual(found.sort((p, q) => p.id.localeCompare(q.id)), [record('m1'), record('m3')]);
  assert.deepEqual(await y.findMany([]), []);
});

conformance<ConsoleSessionRepository>('creating drops expired and idle sessions, then the oldest beyond the bound', factories, async ({ open }) => {
  const repo = await open();
  await repo.create({ ...record('expired'), expiresAt: T0 + 10 }, bound());
  await repo.create({ ...record('idle'), lastSeenAt: T0 - 700_000 }, bound(T0 - 700_000));
  await repo.create(record('kept'), bound(T0 + 10));
  for (const id of ['expired', 'idle']) assert.equal(await repo.find(id), undefined, id);
  for (const id of ['b1', 'b2', 'b3']) await repo.create(record(id, T0 + 20), bound(T0 + 20, 3));
  assert.equal(await repo.find('kept'), undefined, 'the oldest is dropped beyond 3');
  for (const id of ['b1', 'b2', 'b3']) assert.ok(await repo.find(id), id);
  await repo.create(record('b4', T0 + 30), bound(T0 + 30, 3));
  assert.equal(await repo.find('b1'), undefined);
  for (const id of ['b2', 'b3', 'b4']) assert.ok(await repo.find(id), id);
});

test('two instances on one PostgreSQL: a session opened on one is found on the other, its fresh MFA counts there, and an end on either is refused on the other once its copy is 500 ms old', async () => {
  const fresh = await freshSchema('csess');
  const pools = [await openPostgres(TEST_DATABASE_URL, { schema: fresh.schema, max: 2 }), await openPostgres(TEST_DATABASE_URL, { schema: fresh.schema, max: 2 })];
  try {
    const limits = { ttlMs: 3_600_000, idleMs: 600_000, max: 100 };
    const [one, two] = await Promise.all(pools.map(async (pool) => new ConsoleSessions(await PostgresConsoleSessionRepository.open(pool), limits)));
    const { token, session } = await one!.create(identity, 'admin');
    const there = (await two!.find(token))!;
    assert.ok(there, 'found on the other instance');
    assert.deepEqual({ ...there, lastSeenAt: 0 }, { ...session, lastSeenAt: 0 });
    assert.equal(there.mfaAt, undefined);

    // A factor verified on one; the next state-changing call on the other reads it.
    await one!.recordMfa(session);
    assert.equal((await two!.find(token, Date.now(), { fresh: true }))!.mfaAt, session.mfaAt);

    // Signed out on one: refused on the other, whose cache held the session, once its copy is 500 ms old
    // (the clock is the test's, so the bound is checked exactly, not raced).
    const cachedAt = Date.now();
    assert.ok(await two!.find(token, cachedAt));
    await one!.end(session);
    assert.equal(await two!.find(token, cachedAt + 500), undefined, 'refused 500 ms after the copy was read');
    await two!.revalidateAll([there]);
    assert.equal(two!.isLive(there), false, 'its live stream closes too');

    // And the other way round, for a session the ending instance never cached.
    const second = await two!.create(identity, 'analyst');
    const seenAt = Date.now();
    assert.ok(await one!.find(second.token, seenAt));
    await two!.end(second.session);
    assert.equal(await one!.find(second.token, seenAt + 500), undefined);
    assert.equal(await one!.find(second.token, Date.now(), { fresh: true }), undefined);
  } finally {
    for (const pool of pools) await pool.end();
    await fresh.close();
  }
});
