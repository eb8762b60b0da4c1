/** The decision table's aggregates and newest-first pages for the console, and the replay's request mapping. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { DecisionEvent } from '../../src/core/events.js';
import { configuredAttributes, requestOf } from '../../src/console/replay.js';
import { DecisionLog, DecisionStats } from '../../src/events/index.js';
import type { DetectionRecord } from '../../src/risk/index.js';
import { RiskStore } from '../../src/risk/store.js';
import { openDatabase } from '../../src/store/index.js';
import { tempDir } from '../helpers/warden-process.js';

function decision(minutesAgo: number, over: Partial<DecisionEvent> = {}): DecisionEvent {
  return {
    type: 'decision', id: randomUUID(), time: new Date(Date.now() - minutesAgo * 60_000).toISOString(), requestId: randomUUID(), decisionId: randomUUID(),
    principal: { type: 'User', id: 'alice' }, action: 'invoke', resource: { type: 'Model', id: 'chat' }, route: 'openai.chat', method: 'POST', path: '/v1/chat/completions',
    sourceIp: '10.0.0.1', outcome: 'allow', enforced: true, policyIds: [], status: 200, latencyMs: { total: 1 }, risk: 5, ...over,
  };
}

function fixture(): { stats: DecisionStats; log: DecisionLog; close(): void } {
  const db = openDatabase(tempDir('warden-stats-'));
  const log = new DecisionLog(db);
  const events = [
    decision(200, { outcome: 'deny', principal: { type: 'User', id: 'mallory' }, risk: 95 }),
    decision(30),
    decision(20, { outcome: 'deny', principal: { type: 'User', id: 'mallory' }, risk: 71 }),
    decision(10, { outcome: 'step_up', resource: { type: 'Model', id: 'secure' }, risk: 42 }),
    decision(5, { outcome: 'deny', route: 'console GET /overview', resource: { type: 'Warden::Console', id: '/overview' } }),
    decision(4, { route: 'admin GET /keys', action: 'admin' }),
    decision(1, { outcome: 'deny', principal: { type: 'User', id: 'mallory' }, risk: 80 }),
  ];
  for (const e of events) log.record(e);
  log.flush();
  return { stats: new DecisionStats(db), log, close: () => db.close() };
}

test('the overview counts a window by outcome, ranks the denied and bands risk, without the console’s own calls', () => {
  const { stats, close } = fixture();
  const o = stats.overview(new Date(Date.now() - 60 * 60_000));
  assert.deepEqual(o.totals, { allow: 2, deny: 2, step_up: 1 });
  assert.deepEqual(o.topDeniedPrincipals, [{ principal: 'User::mallory', count: 2 }]);
  assert.deepEqual(o.topDeniedResources, [{ resource: 'Model::chat', count: 2 }]);
  assert.equal(o.riskBands.find((b) => b.band === '70-79')!.count, 1);
  assert.equal(o.riskBands.find((b) => b.band === '80-89')!.count, 1);
  assert.equal(o.riskBands.reduce((n, b) => n + b.count, 0), 5);
  assert.equal(o.perMinute.reduce((n, m) => n + m.allow + m.deny + m.step_up, 0), 5);
  close();
});

test('pages run newest first with a `before` cursor and filters; console calls only when asked', () => {
  const { stats, close } = fixture();
  const first = stats.list({ limit: 2 });
  assert.deepEqual(first.items.map((d) => d.outcome), ['deny', 'allow']);
  assert.ok(first.next !== undefined);
  const second = stats.list({ limit: 10, before: first.next });
  assert.equal(second.items.length, 4);
  assert.equal(second.next, undefined);
  assert.equal(stats.list({ limit: 10, principal: 'User::mallory', outcome: 'deny' }).items.length, 3);
  assert.equal(stats.list({ limit: 10, resource: 'Model::secure' }).items.length, 1);
  assert.equal(stats.list({ limit: 10, since: new Date(Date.now() - 60 * 60_000).toISOString(), until: new Date(Date.now() - 15 * 60_000).toISOString() }).items.length, 2);
  assert.equal(stats.list({ limit: 10, includeConsole: true }).items.length, 7);
  close();
});

test('recent traffic leaves out admin and console calls; risk over time is the hourly peak', () => {
  const { stats, close } = fixture();
  const recent = stats.recent(new Date(Date.now() - 4 * 3600_000), 100);
  assert.equal(recent.length, 5);
  assert.ok(recent.every((e) => !e.route.startsWith('admin') && !e.route.startsWith('console')));
  assert.ok(recent[0]!.time >= recent.at(-1)!.time, 'newest first');
  const hours = stats.riskOverTime('User::mallory', new Date(Date.now() - 5 * 3600_000));
  assert.equal(Math.max(...hours.map((h) => h.risk ?? 0)), 95);
  assert.equal(hours.reduce((n, h) => n + h.refused, 0), 3);
  close();
});

test('a recorded decision becomes the request it describes, with configured and integrity attributes', () => {
  const configured = configuredAttributes({ models: [{ id: 'chat', sensitivity: 'internal', owner: 'ml' }] as never, routes: [] });
  const assets = { attributes: (type: string) => (type === 'Model' ? { verified: true } : undefined) };
  const request = requestOf(decision(1, { authMethod: 'jwt', device: { id: 'laptop-1' }, model: 'chat', delegation: { actor: { type: 'Agent', id: 'bot' }, onBehalfOf: { type: 'User', id: 'alice' } } }), { configured, assets });
  assert.deepEqual(request, {
    principal: { type: 'User', id: 'alice' },
    action: 'invoke',
    resource: { type: 'Model', id: 'chat', attributes: { sensitivity: 'internal', owner: 'ml', verified: true } },
    context: { sourceIp: '10.0.0.1', authentication: { method: 'jwt', mfa: false }, deviceId: 'laptop-1', onBehalfOf: 'alice', model: 'chat' },
  });
  const unknown = requestOf(decision(1, { authMethod: 'weird', resource: { type: 'Dataset', id: 'x' } }), { configured, assets });
  assert.equal(unknown.context.authentication!.method, 'none');
  assert.equal(unknown.resource.attributes, undefined);
});

test('the per-minute rollup counts a decision once, also when the log replays it, and totals count every route', () => {
  const { stats, log, close } = fixture();
  const before = stats.overview(new Date(Date.now() - 60 * 60_000));
  const again = decision(2, { outcome: 'deny', principal: { type: 'User', id: 'eve' } });
  log.record(again);
  log.record(again);
  log.flush();
  const after = stats.overview(new Date(Date.now() - 60 * 60_000));
  assert.equal(after.totals.deny, before.totals.deny + 1);
  assert.deepEqual(after.topDeniedPrincipals.find((p) => p.principal === 'User::eve'), { principal: 'User::eve', count: 1 });
  // The console's own calls are left out of the overview, not of the compliance report's totals.
  assert.deepEqual(stats.totals(new Date(Date.now() - 60 * 60_000)), { allow: 2, deny: 4, step_up: 1 });
  close();
});

test('a table recorded before the rollup existed is rolled up by the migration to the same counts', () => {
  const dir = tempDir('warden-rollup-');
  const first = openDatabase(dir);
  const log = new DecisionLog(first);
  for (const e of [decision(50, { outcome: 'deny', risk: 33 }), decision(40), decision(3, { outcome: 'step_up', risk: 99 }), decision(2, { route: 'console GET /x', outcome: 'deny' })]) log.record(e);
  log.flush();
  const since = new Date(Date.now() - 60 * 60_000);
  const written = new DecisionStats(first).overview(since);
  // As if the table predates migration 4: no rollup, no record of it.
  first.exec(`DROP TABLE decisions_rollup; DROP INDEX decisions_principal; DELETE FROM schema_migrations WHERE module = 'decisions' AND version >= 4`);
  first.close();
  const reopened = openDatabase(dir);
  new DecisionLog(reopened);
  const migrated = new DecisionStats(reopened);
  assert.deepEqual(migrated.overview(since), written);
  assert.deepEqual(migrated.totals(since), { allow: 1, deny: 2, step_up: 1 });
  reopened.close();
});

test('a page of one principal’s newest decisions is read from an index in seq order, not sorted', () => {
  const db = openDatabase(tempDir('warden-plan-'));
  new DecisionLog(db);
  const plan = (db.prepare(`EXPLAIN QUERY PLAN SELECT seq, event FROM decisions INDEXED BY decisions_principal WHERE principal = 'User::a' AND route NOT LIKE 'console %' ORDER BY seq DESC LIMIT 51`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
  assert.match(plan, /decisions_principal/);
  assert.doesNotMatch(plan, /TEMP B-TREE/);
  db.close();
});

test('the risk store counts a window’s detections by detector without reading them whole', () => {
  const db = openDatabase(tempDir('warden-detcount-'));
  const store = new RiskStore(db);
  const at = (minutesAgo: number): string => new Date(Date.now() - minutesAgo * 60_000).toISOString();
  const detection = (detector: string, minutesAgo: number): DetectionRecord => ({ id: randomUUID(), time: at(minutesAgo), detector, category: 'behaviour', entity: { type: 'User', id: 'a' }, score: 0.5, severity: 'medium', explanation: 'x', contribution: 5 });
  store.saveDetections([detection('guard.injection', 5), detection('guard.injection', 10), detection('risk.volume', 20), detection('risk.volume', 120)]);
  assert.deepEqual(store.countDetections(at(60)), [
    { detector: 'guard.injection', count: 2 },
    { detector: 'risk.volume', count: 1 },
  ]);
  db.close();
});
