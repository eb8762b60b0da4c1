/**
 * Two instances' key stores and policy managers on one PostgreSQL schema: what one writes, the other
 * serves after its next refresh or poll, still deciding from memory. And `/readyz`'s database check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKeyStore, PgApiKeyRepository } from '../../src/identity/index.js';
import { PgPolicyRepository, PolicyDecisionPoint, PolicyManager, demoPolicyDir, readBundle } from '../../src/policy/index.js';
import { createLogger } from '../../src/core/logger.js';
import { DatabaseHealth } from '../../src/store/health.js';
import { openPostgres } from '../../src/store/postgres.js';
import { freshSchema, TEST_DATABASE_URL } from '../helpers/postgres.js';

test('a key created on one instance works on the other after a refresh; a revocation there reaches the first', async () => {
  const fresh = await freshSchema();
  const otherPool = await openPostgres(TEST_DATABASE_URL, { schema: fresh.schema, max: 2 });
  try {
    const one = await ApiKeyStore.open(await PgApiKeyRepository.open(fresh.pool));
    const two = await ApiKeyStore.open(await PgApiKeyRepository.open(otherPool));
    const { key, record } = await one.create({ principal: 'alice', scopes: ['chat'] });
    assert.equal(one.verify(key).principal, 'alice', 'at once on the instance that created it');
    assert.throws(() => two.verify(key), /invalid/i, 'the other reads memory only: not before its refresh');
    await two.refresh();
    assert.deepEqual(two.verify(key).scopes, ['chat']);
    assert.equal(await two.revoke(record.id), true);
    assert.throws(() => two.verify(key), /revoked/);
    await one.refresh();
    assert.throws(() => one.verify(key), /revoked/);
    await one.flushLastUsed();
    assert.ok((await two.list('alice'))[0]!.lastUsedAt, 'the last use reached the shared table');
  } finally {
    await otherPool.end();
    await fresh.close();
  }
});

test('a policy version activated through one manager is loaded by the other at its next check', async () => {
  const fresh = await freshSchema();
  const otherPool = await openPostgres(TEST_DATABASE_URL, { schema: fresh.schema, max: 2 });
  try {
    const logger = createLogger('silent');
    const demo = readBundle(demoPolicyDir(), '', '');
    const [pdpOne, pdpTwo] = [new PolicyDecisionPoint('wasm'), new PolicyDecisionPoint('wasm')];
    const one = new PolicyManager(await PgPolicyRepository.open(fresh.pool), pdpOne, logger);
    const two = new PolicyManager(await PgPolicyRepository.open(otherPool), pdpTwo, logger);
    // Both start together from the same files: one version, not two.
    await Promise.all([one.bootstrap(demo, 'config'), two.bootstrap(demo, 'config')]);
    assert.equal(pdpOne.version, pdpTwo.version);
    const report = await one.publish({ ...demo, files: { 'all.cedar': 'permit(principal, action, resource);' } }, 'admin');
    await two.checkForActivation();
    assert.equal(pdpTwo.version, report.version);
    assert.deepEqual((await two.store.list()).map((v) => v.active), [false, true]);
  } finally {
    await otherPool.end();
    await fresh.close();
  }
});

test('database health: ready while SELECT 1 answers, not ready once the pool is gone; probes share one query', async () => {
  const fresh = await freshSchema();
  let queries = 0;
  const health = new DatabaseHealth(async () => {
    queries++;
    await fresh.pool.query('SELECT 1');
  });
  const answers = await Promise.all(Array.from({ length: 50 }, () => health.ready()));
  assert.ok(answers.every(Boolean));
  assert.equal(queries, 1, 'fifty concurrent probes, one query');
  await fresh.close();
  const later = Date.now() + 5_000;
  assert.equal(await health.ready(later), false, 'a failing SELECT 1 is not ready');
});

test('database health: a check that never answers reports not ready after the timeout', async () => {
  const health = new DatabaseHealth(() => new Promise<void>(() => undefined), { timeoutMs: 50 });
  assert.equal(await health.ready(), false);
});

test('with the database gone, writes fail and are not remembered; verification goes on from memory', async () => {
  const fresh = await freshSchema();
  const pool = await openPostgres(TEST_DATABASE_URL, { schema: fresh.schema, max: 2 });
  try {
    const store = await ApiKeyStore.open(await PgApiKeyRepository.open(pool));
    const { key, record } = await store.create({ principal: 'alice' });
    await pool.end();
    await assert.rejects(store.create({ principal: 'mallory' }));
    await assert.rejects(store.revoke(record.id));
    await assert.rejects(store.refresh(true));
    assert.equal(store.verify(key).principal, 'alice', 'the loaded keys still verify');
    assert.equal(store.record(record.id)?.revokedAt, null, 'a revocation that was not committed is not applied');
    await assert.rejects(store.flushLastUsed());
  } finally {
    await fresh.close();
  }
});
