/**
 * Just-in-time elevation end to end over real HTTP against a `warden start` process: a restricted model
 * refused, self-approval refused, approved (Cedar sees the role), expired on its own; two approvals for
 * `admin` (the admin API opens only after the second), a fresh TOTP code from an approver who has one,
 * revocation; the history queryable after expiry; every step, including one made with the CLI, in the
 * audit log.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { base32Decode, totpCode } from '../../src/mfa/totp.js';
import { startTestUpstream, type TestUpstream } from '../helpers/upstream.js';
import { runCli, startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

let upstream: TestUpstream;
let warden: WardenProcess;
let dataDir: string;
let configFile: string;
const keys: Record<string, string> = {};
let daveSeed: Buffer;

before(async () => {
  upstream = await startTestUpstream('sk-upstream-secret-0123456789');
  const dir = tempDir();
  dataDir = join(dir, 'data');
  configFile = join(dir, 'warden.yaml');
  mkdirSync(dataDir);
  writeFileSync(join(dir, 'upstream.key'), 'sk-upstream-secret-0123456789');
  for (const p of ['alice', 'bob', 'carol', 'dave']) {
    const result = await runCli(['keys', 'create', '--principal', p, '--data-dir', dataDir]);
    keys[p] = result.stdout.trim().split('\n').at(-1)!;
  }
  // dave approves with a factor: enrolled and confirmed from the CLI before Warden starts (his approval
  // later uses the next time step: each step is accepted once).
  const enrol = await runCli(['mfa', 'totp', '--principal', 'dave', '--data-dir', dataDir]);
  daveSeed = base32Decode(/secret: ([A-Z2-7]+)/.exec(enrol.stdout)![1]!);
  const factorId = /factor (f-[\w-]+)/.exec(enrol.stdout)![1]!;
  const confirmed = await runCli(['mfa', 'totp', '--principal', 'dave', '--confirm', factorId, '--code', totpCode(daveSeed, Date.now()), '--data-dir', dataDir]);
  assert.equal(confirmed.code, 0, confirmed.stderr);
  warden = await startWarden(
    {
      principals: [
        { id: 'alice', groups: ['engineering'], roles: ['user'] },
        { id: 'bob', groups: ['engineering'], roles: ['user'] },
        { id: 'carol', groups: ['security'], roles: ['admin'] },
        { id: 'dave', groups: ['security'], roles: ['user'] },
      ],
      upstreams: [{ name: 'main', baseUrl: `${upstream.url}/v1`, apiKey: `file:${join(dir, 'upstream.key')}` }],
      models: [{ id: 'vault', upstream: 'main', sensitivity: 'restricted' }],
      access: {
        roles: [
          { role: 'restricted-models', approvers: ['carol', 'alice'], maxSeconds: 600 },
          { role: 'admin', approvers: ['group:security'], approvals: 2, maxSeconds: 3600 },
        ],
      },
    },
    { dir },
  );
});

after(async () => {
  await warden?.stop();
  await upstream?.close();
});

const call = (key: string, method: string, path: string, body?: unknown) =>
  fetch(`${warden.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
const chat = (key: string) => call(key, 'POST', '/v1/chat/completions', { model: 'vault', messages: [{ role: 'user', content: 'hi' }] });

async function until(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface AccessBody {
  id: string;
  status: string;
  activeUntil: string | null;
  history?: { kind: string; actor: string; details: Record<string, unknown> }[];
}

test('self-approval refused; an approval makes the role visible to Cedar for its window only; it expires on its own', async () => {
  assert.equal((await chat(keys.bob!)).status, 403, 'restricted without the role');
  const created = await call(keys.bob!, 'POST', '/admin/access/requests', { role: 'restricted-models', for: '6s', reason: 'INC-42 data pull' });
  assert.equal(created.status, 201);
  const request = (await created.json()) as AccessBody;
  assert.equal(request.status, 'pending');

  // alice is an approver of the role but not of her own request; bob may not approve his own either.
  const self = await call(keys.bob!, 'POST', `/admin/access/requests/${request.id}/approve`, {});
  assert.equal(self.status, 403);
  assert.match(((await self.json()) as { error: { message: string } }).error.message, /not an approver|own request/);
  assert.equal((await chat(keys.bob!)).status, 403);

  const approved = await call(keys.carol!, 'POST', `/admin/access/requests/${request.id}/approve`, {});
  assert.equal(approved.status, 200);
  assert.equal(((await approved.json()) as AccessBody).status, 'active');
  assert.equal((await chat(keys.bob!)).status, 200, 'the elevated role lets Cedar permit it');
  assert.equal((await chat(keys.alice!)).status, 403, 'only for the requester');

  await until(async () => (await chat(keys.bob!)).status === 403, 'the window to end');
  await until(async () => ((await (await call(keys.bob!, 'GET', `/admin/access/requests/${request.id}`)).json()) as AccessBody).status === 'expired', 'the expiry to be recorded');
  const shown = (await (await call(keys.bob!, 'GET', `/admin/access/requests/${request.id}`)).json()) as AccessBody;
  const kinds = shown.history!.map((h) => h.kind);
  assert.deepEqual(kinds.filter((k) => k !== 'used'), ['requested', 'approved', 'activated', 'expired']);
  assert.ok(kinds.includes('used'), 'its uses are in the history');
});

test('two approvals for admin, the second approver verifying a fresh TOTP code; revocation ends it at once', async () => {
  assert.equal((await call(keys.alice!, 'GET', '/admin/decisions?limit=1')).status, 403);
  const request = (await (await call(keys.alice!, 'POST', '/admin/access/requests', { role: 'admin', for: 600, reason: 'rotate keys' })).json()) as AccessBody;
  const first = await call(keys.carol!, 'POST', `/admin/access/requests/${request.id}/approve`, {});
  assert.equal(((await first.json()) as AccessBody).status, 'pending');
  assert.equal((await call(keys.carol!, 'POST', `/admin/access/requests/${request.id}/approve`, {})).status, 409, 'the same approver twice');
  assert.equal((await call(keys.alice!, 'GET', '/admin/decisions?limit=1')).status, 403, 'one approval of two is not enough');

  const noCode = await call(keys.dave!, 'POST', `/admin/access/requests/${request.id}/approve`, {});
  assert.equal(noCode.status, 401);
  assert.equal(((await noCode.json()) as { error: { code: string } }).error.code, 'mfa_verification_failed');
  const second = await call(keys.dave!, 'POST', `/admin/access/requests/${request.id}/approve`, { code: totpCode(daveSeed, Date.now() + 30_000) });
  assert.equal(second.status, 200);
  assert.equal(((await second.json()) as AccessBody).status, 'active');
  assert.equal((await call(keys.alice!, 'GET', '/admin/decisions?limit=1')).status, 200, 'alice holds admin now');

  assert.equal((await call(keys.bob!, 'POST', `/admin/access/requests/${request.id}/revoke`, {})).status, 403, 'an outsider cannot revoke');
  const revoked = await call(keys.carol!, 'POST', `/admin/access/requests/${request.id}/revoke`, { reason: 'done' });
  assert.equal(((await revoked.json()) as AccessBody).status, 'revoked');
  assert.equal((await call(keys.alice!, 'GET', '/admin/decisions?limit=1')).status, 403, 'revoked: not admin any more');
});

test('a request made with the CLI is applied by the running Warden, and every step is in the audit log', async () => {
  const cli = (...args: string[]) => runCli([...args, '--config', configFile]);
  const requested = await cli('access', 'request', '--as', 'alice', '--role', 'restricted-models', '--for', '5m', '--reason', 'from a terminal');
  assert.equal(requested.code, 0, requested.stderr);
  const id = /requested (ar-[\w-]+)/.exec(requested.stdout)![1]!;
  assert.equal((await cli('access', 'approve', id, '--as', 'alice')).code, 1, 'self-approval refused from the CLI too');
  const approved = await cli('access', 'approve', id, '--as', 'carol');
  assert.equal(approved.code, 0, approved.stderr);
  await until(async () => (await chat(keys.alice!)).status === 200, 'the CLI approval to reach the running Warden');
  const listed = await cli('access', 'list', '--status', 'expired');
  assert.match(listed.stdout, /restricted-models\s+expired/, 'history after expiry is queryable');

  const operations = async () => {
    const body = (await (await call(keys.carol!, 'GET', '/admin/audit/entries?limit=1000')).json()) as { entries: { event: { operation?: string; details?: { requestId?: string } } }[] };
    return body.entries.map((e) => e.event);
  };
  await until(async () => (await operations()).some((e) => e.operation === 'access.activated' && e.details?.requestId === id), 'the CLI events in the audit log');
  const ops = new Set((await operations()).map((e) => e.operation));
  for (const op of ['access.requested', 'access.approved', 'access.activated', 'access.expired', 'access.revoked', 'access.used', 'mfa.totp_enrolment_started', 'mfa.factor_enrolled']) assert.ok(ops.has(op), `${op} is audited`);
});
