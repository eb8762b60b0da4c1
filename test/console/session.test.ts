/** Unit tests of the console's session store, its HTTP checks, the role table and the live feed's reduction. */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { WardenError } from '../../src/core/errors.js';
import type { Identity } from '../../src/core/types.js';
import { liveItemOf } from '../../src/console/live.js';
import { consoleRoleOf, roleAllows } from '../../src/console/roles.js';
import { mountAdminRoutes } from '../../src/console/routes.js';
import { cookieValue, requireCsrf, requireSameOrigin, sessionCookie } from '../../src/console/session/http.js';
import { ConsoleSessions } from '../../src/console/session/store.js';
import { SqliteConsoleSessionRepository } from '../../src/console/store/sqlite.js';
import { openMemoryDatabase } from '../../src/store/database.js';

const identity: Identity = { principal: { kind: 'User', id: 'ana', attributes: {}, groups: [], roles: ['analyst'] }, authentication: { method: 'apikey', strength: 1, mfa: false, credentialId: 'k1', scopes: ['*'] } };
const limits = { ttlMs: 60_000, idleMs: 10_000, max: 3 };
const req = (headers: Record<string, string | string[]>, encrypted = false): IncomingMessage => ({ headers, socket: { encrypted } }) as unknown as IncomingMessage;

const memory = (): SqliteConsoleSessionRepository => new SqliteConsoleSessionRepository(openMemoryDatabase());

test('a session is found by its token only, and only its hash is kept', async () => {
  const sessions = new ConsoleSessions(memory(), limits);
  const { token, session } = await sessions.create(identity, 'analyst', 1000);
  assert.equal(await sessions.find(token, 1001), session);
  assert.notEqual(session.id, token);
  assert.equal(await sessions.find(`${token}x`, 1001), undefined);
  assert.equal(await sessions.find(undefined, 1001), undefined);
  assert.equal(await sessions.find('a'.repeat(1000), 1001), undefined);
});

test('a session ends after its lifetime, after idling, when signed out, and when its credential is no longer valid', async () => {
  const sessions = new ConsoleSessions(memory(), limits);
  const a = await sessions.create(identity, 'analyst', 0);
  assert.ok(await sessions.find(a.token, 9_000));
  assert.ok(await sessions.find(a.token, 18_000), 'use resets the idle clock');
  assert.equal(await sessions.find(a.token, 28_001), undefined, 'idle too long');
  const b = await sessions.create(identity, 'analyst', 0);
  for (let t = 9_000; t < 60_000; t += 9_000) assert.ok(await sessions.find(b.token, t));
  assert.equal(await sessions.find(b.token, 60_000), undefined, 'absolute lifetime');
  const c = await sessions.create(identity, 'analyst', 0);
  await sessions.end(c.session);
  assert.equal(await sessions.find(c.token, 1), undefined);
  assert.equal(sessions.isLive(c.session, 1), false);
  let valid = true;
  const revocable = new ConsoleSessions(memory(), limits, () => valid);
  const d = await revocable.create(identity, 'analyst', 0);
  assert.ok(await revocable.find(d.token, 1));
  valid = false;
  assert.equal(await revocable.find(d.token, 2), undefined);
});

test('the number of sessions is bounded: the oldest goes first', async () => {
  const sessions = new ConsoleSessions(memory(), limits);
  const first = await sessions.create(identity, 'analyst', 0);
  for (let i = 0; i < 3; i++) await sessions.create(identity, 'analyst', 0);
  assert.equal(await sessions.find(first.token, 1), undefined);
});

test('an unreachable repository reads as no session (fail closed), and the live check follows it', async () => {
  const repo = memory();
  const sessions = new ConsoleSessions(repo, limits);
  const { token, session } = await sessions.create(identity, 'analyst', 0);
  assert.ok(await sessions.find(token, 1));
  const broken = new Error('database unreachable');
  repo.find = () => Promise.reject(broken);
  assert.equal(await sessions.find(token, 2, { fresh: true }), undefined);
  assert.equal(sessions.isLive(session, 3), false);
  repo.findMany = () => Promise.reject(broken);
  const other = await sessions.create(identity, 'analyst', 10);
  await sessions.revalidateAll([other.session], 600);
  assert.equal(sessions.isLive(other.session, 601), false, 'a failed batched read ends the streams it was for');
});

test('the live check reads the sessions of every open stream in one call, each once; an end elsewhere makes them not live', async () => {
  const repo = memory();
  const reads: string[][] = [];
  const findMany = repo.findMany.bind(repo);
  repo.findMany = (ids) => {
    reads.push([...ids]);
    return findMany(ids);
  };
  const sessions = new ConsoleSessions(repo, { ...limits, max: 10 });
  const [a, b, c] = [await sessions.create(identity, 'analyst', 0), await sessions.create(identity, 'analyst', 0), await sessions.create(identity, 'analyst', 0)];
  const streams = [a.session, a.session, b.session, c.session];
  // Signed out on another instance: only the repository knows.
  await repo.end(b.session.id);
  assert.ok(sessions.isLive(b.session, 100));
  await sessions.revalidateAll(streams, 100);
  assert.equal(reads.length, 1, 'one read, whatever the age of the copies');
  assert.deepEqual(reads[0]!.sort(), [a.session.id, b.session.id, c.session.id].sort());
  assert.equal(sessions.isLive(b.session, 100), false);
  assert.ok(sessions.isLive(a.session, 100) && sessions.isLive(c.session, 100));
  await sessions.revalidateAll([b.session], 200);
  assert.equal(reads.length, 1, 'a session no longer held is not read');
});

test('CSRF: the token must match exactly and the Origin must be this server', async () => {
  const sessions = new ConsoleSessions(memory(), limits);
  const { session } = await sessions.create(identity, 'analyst', 0);
  const ok = { origin: 'http://127.0.0.1:8080', host: '127.0.0.1:8080', 'x-csrf-token': session.csrfToken };
  assert.doesNotThrow(() => requireCsrf(session, req(ok)));
  for (const headers of [
    { ...ok, origin: 'http://evil.example' },
    { ...ok, origin: 'https://127.0.0.1:8080' },
    { host: ok.host, 'x-csrf-token': ok['x-csrf-token'] },
    { ...ok, 'x-csrf-token': '' },
    { ...ok, 'x-csrf-token': session.csrfToken.slice(1) },
    { ...ok, 'x-csrf-token': [session.csrfToken, session.csrfToken] },
  ]) {
    assert.throws(() => requireCsrf(session, req(headers)), (e: unknown) => e instanceof WardenError && e.code === 'csrf_rejected');
  }
  assert.doesNotThrow(() => requireSameOrigin(req({ origin: 'https://w.example', host: 'w.example' }, true)));
});

test('cookies: HttpOnly, SameSite=Strict, Secure under TLS; a cookie sent twice counts as absent', () => {
  assert.doesNotMatch(sessionCookie('t', req({}), 60), /Secure/);
  const tls = sessionCookie('t', req({}, true), 60);
  assert.match(tls, /HttpOnly; SameSite=Strict; Max-Age=60; Secure$/);
  assert.equal(cookieValue(req({ cookie: 'a=1; warden_console=tok; b=2' }), 'warden_console'), 'tok');
  assert.equal(cookieValue(req({ cookie: 'warden_console=one; warden_console=two' }), 'warden_console'), undefined);
  assert.equal(cookieValue(req({ cookie: 'xwarden_console=tok' }), 'warden_console'), undefined);
});

test('console roles: the most capable role a principal holds; admin routes mounted with the console rule', () => {
  assert.equal(consoleRoleOf(['user', 'auditor', 'analyst']), 'analyst');
  assert.equal(consoleRoleOf(['admin']), 'admin');
  assert.equal(consoleRoleOf(['user']), undefined);
  assert.ok(roleAllows('admin', 'analyst') && !roleAllows('auditor', 'analyst'));
  const handler = (): { body: unknown } => ({ body: {} });
  const mounted = mountAdminRoutes([
    { method: 'GET', path: '/keys', handler },
    { method: 'DELETE', path: '/keys/:id', handler },
    { method: 'POST', path: '/keys', handler },
    { method: 'POST', path: '/integrity/changes/:id/approve', roles: ['asset-approver'], handler },
  ]);
  assert.deepEqual(mounted.map((r) => [r.path, r.role, r.area, r.principalRoles]), [
    ['/admin/keys', 'auditor', 'keys', undefined],
    ['/admin/keys/:id', 'analyst', 'keys', undefined],
    ['/admin/keys', 'admin', 'keys', undefined],
    ['/admin/integrity/changes/:id/approve', 'analyst', 'integrity', ['asset-approver']],
  ]);
});

test('the live feed leaves out the console’s own calls and keeps only summaries', () => {
  const base = { id: 'e1', time: '2026-12-07T00:00:00.000Z', requestId: 'r', decisionId: 'd', principal: { type: 'User', id: 'alice' }, action: 'invoke', resource: { type: 'Model', id: 'chat' }, method: 'POST', path: '/v1/chat/completions?secret=1', sourceIp: '10.0.0.1', outcome: 'deny' as const, enforced: true, policyIds: [], status: 403, latencyMs: { total: 1 } };
  assert.equal(liveItemOf({ ...base, type: 'decision', route: 'console GET /overview' }), undefined);
  const item = liveItemOf({ ...base, type: 'decision', route: 'openai.chat' });
  assert.deepEqual(item, { kind: 'decision', id: 'e1', decisionId: 'd', time: base.time, principal: 'User::alice', outcome: 'deny', action: 'invoke', resource: 'Model::chat', status: 403, enforced: true, risk: null });
  assert.equal(liveItemOf({ type: 'admin', id: 'a', time: base.time, actor: { type: 'User', id: 'x' }, operation: 'keys.create', outcome: 'success' }), undefined);
});
