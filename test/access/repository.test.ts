/** One conformance suite for just-in-time elevation's repository, on SQLite and a real PostgreSQL. */
import assert from 'node:assert/strict';
import { PostgresAccessRepository } from '../../src/access/store/postgres.js';
import { SqliteAccessRepository } from '../../src/access/store/sqlite.js';
import type { AccessRepository, AccessRequestRecord } from '../../src/access/store/types.js';
import { conformance, type BackendFactories } from '../store/backends.js';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:01:00.000Z';
const T2 = '2026-01-01T00:30:00.000Z';
const T3 = '2026-01-01T02:00:00.000Z';

const factories: BackendFactories<AccessRepository> = { sqlite: (db) => new SqliteAccessRepository(db), postgres: (pool) => PostgresAccessRepository.open(pool) };

function pending(id: string, approvalsRequired = 1, principal = 'alice', role = 'admin'): AccessRequestRecord {
  return { id, principal, role, reason: 'INC-1', durationSeconds: 3600, approvalsRequired, status: 'pending', createdAt: T0, pendingUntil: T2, activeFrom: null, activeUntil: null, endedAt: null, endedBy: null, approvers: [] };
}

async function add(repo: AccessRepository, r: AccessRequestRecord): Promise<void> {
  await repo.addRequest(r, { requestId: r.id, at: r.createdAt, kind: 'requested', actor: r.principal, details: { role: r.role } });
}

conformance('access requests: one approval activates for the duration from the approval; the history keeps every step', factories, async (t) => {
  const repo = await t.open();
  await add(repo, pending('r1'));
  const result = await repo.approve('r1', 'carol', T1, { verification: 'otp' });
  assert.equal(result.outcome, 'activated');
  const active = await repo.getRequest('r1');
  assert.equal(active?.status, 'active');
  assert.equal(active?.activeFrom, T1);
  assert.equal(active?.activeUntil, '2026-01-01T01:01:00.000Z');
  assert.deepEqual(active?.approvers, ['carol']);
  assert.deepEqual((await repo.active(T2)).map((r) => r.id), ['r1']);
  assert.deepEqual(await repo.approve('r1', 'dave', T1, {}), { outcome: 'not_pending' });
  const history = await repo.history('r1');
  assert.deepEqual(history.map((h) => [h.kind, h.actor]), [['requested', 'alice'], ['approved', 'carol'], ['activated', 'carol']]);
  assert.deepEqual(history[1]!.details, { verification: 'otp' });
});

conformance('two approvals: the same approver twice is a duplicate; the second distinct one activates', factories, async (t) => {
  const repo = await t.open();
  await add(repo, pending('r2', 2));
  assert.equal((await repo.approve('r2', 'carol', T1, {})).outcome, 'recorded');
  assert.deepEqual(await repo.approve('r2', 'carol', T1, {}), { outcome: 'duplicate' });
  assert.equal((await repo.getRequest('r2'))?.status, 'pending');
  assert.equal((await repo.approve('r2', 'dave', T1, {})).outcome, 'activated');
  assert.deepEqual((await repo.getRequest('r2'))?.approvers, ['carol', 'dave']);
});

conformance('concurrent approvals from two connections activate once', factories, async (t) => {
  const a = await t.open();
  const b = await t.open();
  await add(a, pending('r3', 2));
  const results = await Promise.all([a.approve('r3', 'carol', T1, {}), b.approve('r3', 'dave', T1, {}), a.approve('r3', 'erin', T1, {})]);
  assert.equal(results.filter((r) => r.outcome === 'activated').length, 1);
  assert.equal(results.filter((r) => r.outcome === 'recorded').length, 1);
  assert.equal(results.filter((r) => r.outcome === 'not_pending').length, 1);
  assert.equal((await a.history('r3')).filter((h) => h.kind === 'activated').length, 1);
});

conformance('deny, revoke and expiry each end a request once; ended requests and their history stay queryable', factories, async (t) => {
  const repo = await t.open();
  await add(repo, pending('d1'));
  await add(repo, { ...pending('v1'), createdAt: T1 });
  await add(repo, { ...pending('e1', 1, 'bob'), createdAt: T1 });
  await add(repo, { ...pending('lapse', 1, 'bob', 'auditor'), createdAt: T1 });
  assert.equal(await repo.end('d1', ['pending'], 'denied', 'carol', T1, { reason: 'no' }), true);
  assert.equal(await repo.end('d1', ['pending'], 'denied', 'carol', T1, {}), false);
  assert.equal((await repo.approve('d1', 'dave', T1, {})).outcome, 'not_pending');
  await repo.approve('v1', 'carol', T1, {});
  assert.equal(await repo.end('v1', ['pending', 'active'], 'revoked', 'carol', T1, { reason: 'done' }), true);
  assert.deepEqual(await repo.active(T1), []);
  await repo.approve('e1', 'carol', T1, {});
  // e1's window ends at 01:01; `lapse` was never approved and its wait ended at T2.
  assert.deepEqual((await repo.expireDue(T2)).map((r) => r.id), ['lapse']);
  await repo.addHistory({ requestId: 'e1', at: T2, kind: 'used', actor: 'warden', details: { requests: 3 } });
  assert.deepEqual((await repo.expireDue(T3)).map((r) => r.id), ['e1']);
  assert.deepEqual(await repo.expireDue(T3), [], 'an expiry is recorded once');
  assert.equal((await repo.getRequest('e1'))?.status, 'expired');
  assert.equal((await repo.getRequest('e1'))?.endedBy, 'warden');
  assert.deepEqual((await repo.history('e1')).map((h) => h.kind), ['requested', 'approved', 'activated', 'used', 'expired']);
  assert.deepEqual((await repo.history('lapse')).at(-1)?.details, { lapsed: 'no approval in time' });
  assert.deepEqual((await repo.listRequests({ limit: 10 })).map((r) => r.id).sort(), ['d1', 'e1', 'lapse', 'v1']);
  assert.deepEqual((await repo.listRequests({ principal: 'bob', status: 'expired', limit: 10 })).map((r) => r.id).sort(), ['e1', 'lapse']);
  assert.deepEqual((await repo.listRequests({ status: 'denied', limit: 10 })).map((r) => r.id), ['d1']);
  assert.equal((await repo.listRequests({ limit: 1 })).length, 1);
});

conformance('migrations applied again change nothing', factories, async (t) => {
  const first = await t.open();
  await add(first, pending('m1'));
  const second = await t.open();
  assert.equal((await second.getRequest('m1'))?.id, 'm1');
});
