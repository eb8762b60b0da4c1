/**
 * Just-in-time elevation's rules, without sockets: self-approval refused, approvers by id and group, two
 * distinct approvals, a fresh factor for approvers who have one, the window in memory only while it
 * lasts, revocation, expiry, uses in the history, and an audited event for every step.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, beforeEach, test } from 'node:test';
import { AccessRequests, type ApproverFactors } from '../../src/access/requests.js';
import { accessConfigSchema } from '../../src/access/config.js';
import { SqliteAccessRepository } from '../../src/access/store/sqlite.js';
import { WardenError } from '../../src/core/errors.js';
import type { NewEvent } from '../../src/core/events.js';
import { Directory } from '../../src/identity/directory.js';
import { openDatabase } from '../../src/store/database.js';
import { tempDir } from '../helpers/warden-process.js';

const dir = tempDir();
const db = openDatabase(dir);
const repo = new SqliteAccessRepository(db);
after(() => (db.close(), rmSync(dir, { recursive: true, force: true })));

const config = accessConfigSchema.parse({
  roles: [
    { role: 'admin', approvers: ['carol', 'group:security'], approvals: 2, maxSeconds: 3600 },
    { role: 'auditor', approvers: ['carol'], maxSeconds: 600 },
  ],
});
const directory = new Directory(
  [
    { id: 'alice', kind: 'User', groups: ['engineering'], roles: ['user'], attributes: {} },
    { id: 'carol', kind: 'User', groups: ['security'], roles: ['admin'], attributes: {} },
    { id: 'dave', kind: 'User', groups: ['security'], roles: [], attributes: {} },
    { id: 'erin', kind: 'User', groups: ['security'], roles: [], attributes: {} },
  ] as never,
  [],
);
/** carol has a factor: her code is `123456`; the others have none. */
const factors: ApproverFactors = {
  enrolled: async (p) => p === 'carol',
  verify: async (_p, code) => {
    if (code !== '123456') throw new WardenError('mfa_verification_failed');
    return ['otp'];
  },
};
let events: NewEvent[] = [];
let access: AccessRequests;

beforeEach(() => {
  db.exec('DELETE FROM access_requests; DELETE FROM access_history');
  events = [];
  access = new AccessRequests({ repo, config, directory, factors, bus: { publish: (e) => (events.push(e), e as never) }, instanceId: 'test' });
});

const operations = () => events.map((e) => (e as { operation: string }).operation);

test('a requester can never approve their own request, even when they are an approver of the role', async () => {
  const r = await access.request({ principal: 'dave', role: 'admin', seconds: 600, reason: 'INC-7' });
  await assert.rejects(access.approve(r.id, { id: 'dave' }), { code: 'forbidden', message: /own request/ });
  await assert.rejects(access.deny(r.id, { id: 'dave' }, ''), { code: 'forbidden' });
  assert.equal((await access.get(r.id)).approvers.length, 0);
});

test('two distinct approvers are needed where configured; the same one twice does not count', async () => {
  const r = await access.request({ principal: 'alice', role: 'admin', seconds: 600, reason: 'INC-8' });
  const first = await access.approve(r.id, { id: 'dave' });
  assert.equal(first.status, 'pending');
  assert.deepEqual(access.rolesFor('alice'), []);
  await assert.rejects(access.approve(r.id, { id: 'dave' }), { code: 'conflict', message: /another approver/ });
  const second = await access.approve(r.id, { id: 'erin' });
  assert.equal(second.status, 'active');
  assert.deepEqual(access.rolesFor('alice').map((g) => g.role), ['admin']);
  assert.deepEqual(operations(), ['access.requested', 'access.approved', 'access.approved', 'access.activated']);
});

test('only configured approvers (by id or group) may approve or deny', async () => {
  const r = await access.request({ principal: 'alice', role: 'auditor', seconds: 300, reason: 'quarterly review' });
  await assert.rejects(access.approve(r.id, { id: 'dave' }), { code: 'forbidden', message: /not an approver/ });
  await assert.rejects(access.deny(r.id, { id: 'alice' }, ''), { code: 'forbidden' });
});

test('an approver with a factor gives a current code, or has signed in with MFA moments ago', async () => {
  const r = await access.request({ principal: 'alice', role: 'auditor', seconds: 300, reason: 'review' });
  await assert.rejects(access.approve(r.id, { id: 'carol' }), { code: 'mfa_verification_failed', message: /fresh factor/ });
  await assert.rejects(access.approve(r.id, { id: 'carol', mfaAgeSeconds: 3600 }), { code: 'mfa_verification_failed' }, 'an old MFA sign-in is not fresh');
  await assert.rejects(access.approve(r.id, { id: 'carol', code: '000000' }), { code: 'mfa_verification_failed' });
  const approved = await access.approve(r.id, { id: 'carol', code: '123456' });
  assert.equal(approved.status, 'active');
  const history = await access.history(r.id);
  assert.deepEqual(history.find((h) => h.kind === 'approved')?.details, { verification: 'otp' });

  const again = await access.request({ principal: 'dave', role: 'auditor', seconds: 300, reason: 'review' });
  assert.equal((await access.approve(again.id, { id: 'carol', mfaAgeSeconds: 10 })).status, 'active');
});

test('requests are checked: a configured role, a window within its maximum, a reason, one open request per role', async () => {
  await assert.rejects(access.request({ principal: 'alice', role: 'root', seconds: 600, reason: 'x' }), { code: 'bad_request', message: /not in `access.roles`/ });
  await assert.rejects(access.request({ principal: 'alice', role: 'auditor', seconds: 601, reason: 'x' }), { code: 'bad_request', message: /between 5 and 600/ });
  await assert.rejects(access.request({ principal: 'alice', role: 'auditor', seconds: 60, reason: '  ' }), { code: 'bad_request', message: /reason/ });
  await access.request({ principal: 'alice', role: 'auditor', seconds: 60, reason: 'x' });
  await assert.rejects(access.request({ principal: 'alice', role: 'auditor', seconds: 60, reason: 'x' }), { code: 'conflict' });
});

test('the role is held for its window only: it expires on its own, and the history keeps uses and expiry', async () => {
  const r = await access.request({ principal: 'alice', role: 'auditor', seconds: 300, reason: 'review' });
  const active = await access.approve(r.id, { id: 'carol', code: '123456' });
  const from = Date.parse(active.activeFrom!);
  const grants = access.rolesFor('alice', from + 1000);
  access.noteUse(grants, from + 1000);
  access.noteUse(grants, from + 2000);
  await access.refresh(from + 3000);
  assert.equal(access.rolesFor('alice', from + 299_000).length, 1);
  assert.deepEqual(access.rolesFor('alice', from + 300_000), [], 'not held at the end of the window, even before a refresh');
  await access.refresh(from + 300_000);
  assert.equal((await access.get(r.id)).status, 'expired');
  const history = await access.history(r.id);
  assert.deepEqual(history.map((h) => h.kind), ['requested', 'approved', 'activated', 'used', 'expired']);
  assert.equal(history[3]!.details.requests, 2);
  assert.ok(operations().includes('access.used') && operations().includes('access.expired'));
});

test('revocation ends the window at once; the requester may withdraw, an outsider may not', async () => {
  const r = await access.request({ principal: 'alice', role: 'auditor', seconds: 300, reason: 'review' });
  await access.approve(r.id, { id: 'carol', code: '123456' });
  await assert.rejects(access.revoke(r.id, { id: 'dave' }, ''), { code: 'forbidden' });
  const revoked = await access.revoke(r.id, { id: 'carol' }, 'done early');
  assert.equal(revoked.status, 'revoked');
  assert.deepEqual(access.rolesFor('alice'), []);
  await assert.rejects(access.revoke(r.id, { id: 'carol' }, ''), { code: 'conflict' });
  const own = await access.request({ principal: 'alice', role: 'auditor', seconds: 300, reason: 'again' });
  assert.equal((await access.revoke(own.id, { id: 'alice' }, 'not needed')).status, 'revoked');
});
