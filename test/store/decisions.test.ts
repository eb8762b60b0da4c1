/**
 * Conformance of the decision repository, the same cases on SQLite and on PostgreSQL: writes (idempotent,
 * with the log position), the admin API's oldest-first query and the console's newest-first list, the
 * console's aggregates, and the writer (`DecisionLog`) keeping a batch the database refused.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { DecisionEvent, WardenEvent } from '../../src/core/events.js';
import { DecisionLog, PgDecisionRepository, SqliteDecisionRepository, type DecisionRepository, type DecisionSource } from '../../src/events/index.js';
import { conformance, type BackendFactories } from './backends.js';

const factories: BackendFactories<DecisionRepository> = { sqlite: (db) => new SqliteDecisionRepository(db), postgres: (pool) => PgDecisionRepository.open(pool) };

function decision(minutesAgo: number, over: Partial<DecisionEvent> = {}): DecisionEvent {
  return {
    type: 'decision', id: randomUUID(), time: new Date(Date.now() - minutesAgo * 60_000).toISOString(), requestId: randomUUID(), decisionId: randomUUID(),
    principal: { type: 'User', id: 'alice' }, action: 'invoke', resource: { type: 'Model', id: 'chat' }, route: 'openai.chat', method: 'POST', path: '/v1/chat/completions',
    sourceIp: '10.0.0.1', outcome: 'allow', enforced: true, policyIds: [], status: 200, latencyMs: { total: 1 }, risk: 5, ...over,
  };
}

/** Seven decisions over the last 200 minutes: traffic, one console call and one admin call. */
function sample(): DecisionEvent[] {
  return [
    decision(200, { outcome: 'deny', principal: { type: 'User', id: 'mallory' }, risk: 95 }),
    decision(30),
    decision(20, { outcome: 'deny', principal: { type: 'User', id: 'mallory' }, risk: 71 }),
    decision(10, { outcome: 'step_up', resource: { type: 'Model', id: 'secure' }, risk: 42 }),
    decision(5, { outcome: 'deny', route: 'console GET /overview', resource: { type: 'Warden::Console', id: '/overview' } }),
    decision(4, { route: 'admin GET /keys', action: 'admin' }),
    decision(1, { outcome: 'deny', principal: { type: 'User', id: 'mallory' }, risk: 80 }),
  ];
}

const strip = ({ seq: _seq, ...event }: DecisionEvent & { seq: number }): DecisionEvent => event;

conformance<DecisionRepository>('a decision reads back exactly as written; a repeated id is stored once', factories, async ({ open }) => {
  const repo = await open();
  const events = sample();
  await repo.append(events);
  await repo.append([events[1]!, { ...events[2]!, outcome: 'allow' }]);
  const all = await repo.query({ limit: 100 });
  assert.deepEqual(all.items.map(strip), events);
  assert.equal(await repo.lastSeq(), all.items.at(-1)!.seq);
  const one = await repo.get(events[3]!.decisionId);
  assert.deepEqual(one && strip(one), events[3]);
  assert.equal(await repo.get('no-such-decision'), undefined);
  const other = await open();
  assert.equal((await other.query({ limit: 100 })).items.length, 7, 'another connection (instance, CLI) sees the rows');
});

conformance<DecisionRepository>('the oldest-first query filters and pages with `after`', factories, async ({ open }) => {
  const repo = await open();
  await repo.append(sample());
  const first = await repo.query({ limit: 3 });
  assert.equal(first.items.length, 3);
  assert.ok(first.next !== undefined);
  const rest = await repo.query({ limit: 10, after: first.next });
  assert.equal(rest.items.length, 4);
  assert.equal(rest.next, undefined);
  assert.ok(rest.items[0]!.seq > first.items[2]!.seq);
  assert.equal((await repo.query({ principal: 'User::mallory' })).items.length, 3);
  assert.equal((await repo.query({ principal: 'mallory' })).items.length, 3, 'a bare id matches any type');
  assert.equal((await repo.query({ principal: 'mal_ory' })).items.length, 0, 'an id is not a pattern');
  assert.equal((await repo.query({ outcome: 'step_up' })).items.length, 1);
  const since = new Date(Date.now() - 25 * 60_000).toISOString();
  const until = new Date(Date.now() - 2 * 60_000).toISOString();
  assert.equal((await repo.query({ since, until })).items.length, 4);
  assert.equal((await repo.query({ limit: 5000 })).items.length, 7, 'the limit is bounded, not refused');
});

conformance<DecisionRepository>('the newest-first list pages with `before`, filters, and leaves console calls out unless asked', factories, async ({ open }) => {
  const repo = await open();
  await repo.append(sample());
  const first = await repo.list({ limit: 2 });
  assert.deepEqual(first.items.map((d) => d.outcome), ['deny', 'allow']);
  assert.ok(first.next !== undefined);
  const second = await repo.list({ limit: 10, before: first.next });
  assert.equal(second.items.length, 4);
  assert.equal(second.next, undefined);
  assert.equal((await repo.list({ limit: 10, principal: 'User::mallory', outcome: 'deny' })).items.length, 3);
  assert.equal((await repo.list({ limit: 10, resource: 'Model::secure' })).items.length, 1);
  assert.equal((await repo.list({ limit: 10, since: new Date(Date.now() - 60 * 60_000).toISOString(), until: new Date(Date.now() - 15 * 60_000).toISOString() })).items.length, 2);
  assert.equal((await repo.list({ limit: 10, includeConsole: true })).items.length, 7);
});

conformance<DecisionRepository>('the overview counts a window by outcome, ranks the denied and bands risk, without the console’s own calls', factories, async ({ open }) => {
  const repo = await open();
  await repo.append(sample());
  const o = await repo.overview(new Date(Date.now() - 60 * 60_000));
  assert.deepEqual(o.totals, { allow: 2, deny: 2, step_up: 1 });
  assert.deepEqual(o.topDeniedPrincipals, [{ principal: 'User::mallory', count: 2 }]);
  assert.deepEqual(o.topDeniedResources, [{ resource: 'Model::chat', count: 2 }]);
  assert.equal(o.riskBands.find((b) => b.band === '70-79')!.count, 1);
  assert.equal(o.riskBands.find((b) => b.band === '80-89')!.count, 1);
  assert.equal(o.riskBands.reduce((n, b) => n + b.count, 0), 5);
  assert.equal(o.perMinute.reduce((n, m) => n + m.allow + m.deny + m.step_up, 0), 5);
  assert.match(o.perMinute[0]!.minute, /^\d{4}-\d\d-\d\dT\d\d:\d\d$/);
  assert.deepEqual(await repo.totals(new Date(Date.now() - 60 * 60_000)), { allow: 2, deny: 3, step_up: 1 }, 'totals count every route, console and admin calls included');
});

conformance<DecisionRepository>('recent traffic leaves out admin and console calls; risk over time is the hourly peak', factories, async ({ open }) => {
  const repo = await open();
  await repo.append(sample());
  const recent = await repo.recent(new Date(Date.now() - 4 * 3600_000), 100);
  assert.equal(recent.length, 5);
  assert.ok(recent.every((e) => !e.route.startsWith('admin') && !e.route.startsWith('console')));
  assert.ok(recent[0]!.time >= recent.at(-1)!.time, 'newest first');
  const hours = await repo.riskOverTime('User::mallory', new Date(Date.now() - 5 * 3600_000));
  assert.equal(Math.max(...hours.map((h) => h.risk ?? 0)), 95);
  assert.equal(hours.reduce((n, h) => n + h.refused, 0), 3);
  assert.match(hours[0]!.hour, /^\d{4}-\d\d-\d\dT\d\d$/);
});

/** An audit log stand-in: entries in memory, appends announced. */
function memorySource(events: WardenEvent[]): DecisionSource & { push(e: WardenEvent): void } {
  const listeners = new Set<(n: number) => void>();
  return {
    size: () => events.length,
    read: (from, limit) => events.slice(from, from + limit).map((event, i) => ({ index: from + i, event })),
    onAppend: (l) => (listeners.add(l), () => listeners.delete(l)),
    push(e) {
      events.push(e);
      for (const l of listeners) l(events.length);
    },
  };
}

conformance<DecisionRepository>('following the audit log: the position is stored with the rows, and a restart resumes from it', factories, async ({ open }) => {
  const other: WardenEvent = { type: 'admin', id: randomUUID(), time: new Date().toISOString(), principal: { type: 'User', id: 'root' }, action: 'keys.create', outcome: 'success' } as unknown as WardenEvent;
  const source = memorySource([...sample().slice(0, 3), other, ...sample().slice(0, 2)]);
  const log = new DecisionLog(await open());
  assert.equal(await log.catchUp(source), 6);
  assert.equal(await log.repo.position(), 6);
  assert.equal((await log.repo.query({ limit: 100 })).items.length, 5, 'only decisions become rows');
  const restarted = new DecisionLog(await open());
  assert.equal(await restarted.catchUp(source), 0, 'nothing is read twice');
  await restarted.follow(source);
  source.push(decision(0));
  await restarted.close();
  assert.equal(await restarted.repo.position(), 7);
  assert.equal((await restarted.repo.query({ limit: 100 })).items.length, 6);
});

conformance<DecisionRepository>('from the bus: a batch the database refused is kept and written later, in order', factories, async ({ open }) => {
  const repo = await open();
  let refuse = true;
  const errors: unknown[] = [];
  const flaky: DecisionRepository = Object.assign(Object.create(repo) as DecisionRepository, {
    append: (events: readonly DecisionEvent[]) => (refuse ? Promise.reject(new Error('database away')) : repo.append(events)),
  });
  const log = new DecisionLog(flaky, { retryMs: 10, onError: (e) => errors.push(e) });
  const events = sample();
  for (const e of events.slice(0, 4)) log.record(e);
  await log.flush();
  assert.equal(errors.length, 1);
  assert.equal((await repo.query({ limit: 100 })).items.length, 0);
  refuse = false;
  for (const e of events.slice(4)) log.record(e);
  await log.close();
  assert.deepEqual((await repo.query({ limit: 100 })).items.map(strip), events);
});

test('the writer keeps at most `maxPending` refused decisions and reports the ones it dropped', async () => {
  const errors: Error[] = [];
  const refusing = { append: () => Promise.reject(new Error('database away')) } as unknown as DecisionRepository;
  const log = new DecisionLog(refusing, { maxPending: 3, retryMs: 60_000, onError: (e) => errors.push(e as Error) });
  for (const e of sample()) log.record(e);
  await log.flush();
  assert.ok(errors.some((e) => /4 decisions were not written/.test(e.message)), errors.map((e) => e.message).join('; '));
  await log.close();
});

test('a full buffer (1000 decisions) is written at once, without waiting for the timer', async () => {
  const written: number[] = [];
  const repo = { append: async (events: readonly DecisionEvent[]) => void written.push(events.length) } as unknown as DecisionRepository;
  const log = new DecisionLog(repo, { flushIntervalMs: 60_000 });
  for (let i = 0; i < 1000; i++) log.record(decision(0));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(written, [1000], 'the full batch went before the 60 s timer');
  for (let i = 0; i < 500; i++) log.record(decision(0));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(written, [1000], 'a partial batch waits for the timer');
  await log.close();
  assert.deepEqual(written, [1000, 500], 'closing writes the rest');
});
