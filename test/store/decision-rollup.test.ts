/**
 * The SQLite decision table's per-minute rollup (src/events/decision-rollup.ts), which the console's
 * overview and compliance figures read instead of the decisions themselves. The aggregates' results are
 * checked on both backends in test/store/decisions.test.ts; these cases are the rollup's own.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { DecisionEvent } from '../../src/core/events.js';
import { SqliteDecisionRepository } from '../../src/events/index.js';
import { openDatabase } from '../../src/store/index.js';
import { tempDir } from '../helpers/warden-process.js';

function decision(minutesAgo: number, over: Partial<DecisionEvent> = {}): DecisionEvent {
  return {
    type: 'decision', id: randomUUID(), time: new Date(Date.now() - minutesAgo * 60_000).toISOString(), requestId: randomUUID(), decisionId: randomUUID(),
    principal: { type: 'User', id: 'alice' }, action: 'invoke', resource: { type: 'Model', id: 'chat' }, route: 'openai.chat', method: 'POST', path: '/v1/chat/completions',
    sourceIp: '10.0.0.1', outcome: 'allow', enforced: true, policyIds: [], status: 200, latencyMs: { total: 1 }, risk: 5, ...over,
  };
}

const hourAgo = (): Date => new Date(Date.now() - 60 * 60_000);

test('the rollup counts a decision once, also when the log replays it, and totals count every route', async () => {
  const db = openDatabase(tempDir('warden-rollup-'));
  const repo = new SqliteDecisionRepository(db);
  await repo.append([decision(30), decision(20, { outcome: 'deny', principal: { type: 'User', id: 'mallory' } }), decision(5, { outcome: 'deny', route: 'console GET /overview' })]);
  const before = await repo.overview(hourAgo());
  const again = decision(2, { outcome: 'deny', principal: { type: 'User', id: 'eve' } });
  await repo.append([again]);
  await repo.appendFromLog([again], 10);
  const after = await repo.overview(hourAgo());
  assert.equal(after.totals.deny, before.totals.deny + 1);
  assert.deepEqual(after.topDeniedPrincipals.find((p) => p.principal === 'User::eve'), { principal: 'User::eve', count: 1 });
  // The console's own calls are left out of the overview, not of the compliance report's totals.
  assert.deepEqual(after.totals, { allow: 1, deny: 2, step_up: 0 });
  assert.deepEqual(await repo.totals(hourAgo()), { allow: 1, deny: 3, step_up: 0 });
  db.close();
});

test('a table recorded before the rollup existed is rolled up by the migration to the same counts', async () => {
  const dir = tempDir('warden-rollup-');
  const first = openDatabase(dir);
  const repo = new SqliteDecisionRepository(first);
  await repo.append([decision(50, { outcome: 'deny', risk: 33 }), decision(40), decision(3, { outcome: 'step_up', risk: 99 }), decision(2, { route: 'console GET /x', outcome: 'deny' })]);
  const since = hourAgo();
  const written = await repo.overview(since);
  // As if the table predates migration 4: no rollup, no record of it.
  first.exec(`DROP TABLE decisions_rollup; DROP INDEX decisions_principal; DELETE FROM schema_migrations WHERE module = 'decisions' AND version >= 4`);
  first.close();
  const reopened = openDatabase(dir);
  const migrated = new SqliteDecisionRepository(reopened);
  assert.deepEqual(await migrated.overview(since), written);
  assert.deepEqual(await migrated.totals(since), { allow: 1, deny: 2, step_up: 1 });
  reopened.close();
});

test('a page of one principal’s newest decisions is read from an index in seq order, not sorted', () => {
  const db = openDatabase(tempDir('warden-plan-'));
  new SqliteDecisionRepository(db);
  const plan = (db.prepare(`EXPLAIN QUERY PLAN SELECT seq, event FROM decisions INDEXED BY decisions_principal WHERE principal = 'User::a' AND route NOT LIKE 'console %' ORDER BY seq DESC LIMIT 51`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
  assert.match(plan, /decisions_principal/);
  assert.doesNotMatch(plan, /TEMP B-TREE/);
  db.close();
});
