/**
 * The console API over real HTTP against a real Warden: headers on static files, sign-in and its events,
 * the cookie's attributes, CSRF and Origin checks, role enforcement, sign-out and key revocation ending
 * the session, and input validation in Warden's error shape.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { base32Decode, hotp } from '../../src/mfa/totp.js';
import { startConsoleFixture, type ConsoleFixture } from './fixture.js';

let f: ConsoleFixture;
before(async () => {
  f = await startConsoleFixture();
});
after(async () => {
  await f?.stop();
});

interface Signed {
  cookie: string;
  csrf: string;
}

async function signIn(key: string, origin = f.warden.url): Promise<Response> {
  return fetch(`${f.warden.url}/ui/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ apiKey: key }) });
}

async function session(key: string): Promise<Signed> {
  const res = await signIn(key);
  assert.equal(res.status, 201, await res.clone().text());
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

function call(s: Signed, method: string, path: string, options: { origin?: string | null; csrf?: string | null; body?: unknown } = {}): Promise<Response> {
  const origin = options.origin === undefined ? f.warden.url : options.origin;
  const csrf = options.csrf === undefined ? s.csrf : options.csrf;
  return fetch(`${f.warden.url}/ui/api${path}`, {
    method,
    headers: { cookie: s.cookie, ...(origin ? { origin } : {}), ...(csrf ? { 'x-csrf-token': csrf } : {}), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
}

test('the console page is served with a strict CSP, no framing, no sniffing, and cacheable hashed assets', async () => {
  const res = await fetch(`${f.warden.url}/ui/`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(res.status, 200);
  const csp = res.headers.get('content-security-policy')!;
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /style-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  const html = await res.text();
  assert.doesNotMatch(html, /<script>|<style|style=/, 'no inline script or style');
  const asset = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)![1]!;
  const js = await fetch(`${f.warden.url}${asset}`);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.match(js.headers.get('cache-control')!, /immutable/);
  // A deep link is the app; a path outside the build's index is never a file from disk.
  assert.equal((await fetch(`${f.warden.url}/ui/decisions/abc`)).headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal((await fetch(`${f.warden.url}/ui/assets/..%2f..%2fpackage.json`)).status, 404);
  assert.equal((await fetch(`${f.warden.url}/ui`, { redirect: 'manual' })).status, 308);
});

test('sign-in: a wrong key, a key without a console role and a cross-site attempt are refused; a good one sets a strict cookie', async () => {
  const wrong = await signIn('wdn_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
  assert.equal(wrong.status, 401);
  assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, 'invalid_api_key');
  const noRole = await signIn(f.keys.alice);
  assert.equal(noRole.status, 403);
  const crossSite = await signIn(f.keys.root, 'https://evil.example');
  assert.equal(crossSite.status, 403);
  assert.equal(((await crossSite.json()) as { error: { code: string } }).error.code, 'csrf_rejected');
  const bad = await fetch(`${f.warden.url}/ui/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: f.warden.url }, body: JSON.stringify({ apiKey: f.keys.root, extra: 1 }) });
  assert.equal(bad.status, 400);
  const good = await signIn(f.keys.ana);
  assert.equal(good.status, 201);
  const cookie = good.headers.get('set-cookie')!;
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.match(cookie, /Path=\/ui/);
  const body = (await good.json()) as Record<string, unknown>;
  assert.equal(body.role, 'analyst');
  assert.ok(!JSON.stringify(body).includes(f.keys.ana), 'the key is never echoed');
});

test('sign-in attempts are authentication events in the audit log', async () => {
  await signIn('wdn_cccccccccccc_dddddddddddddddddddddddddddddddd');
  await session(f.keys.aud);
  const res = await f.admin('GET', '/audit/entries?from=0&limit=1000');
  const entries = ((await res.json()) as { entries: { event: { type: string; outcome?: string; principal?: { id: string } } }[] }).entries.map((e) => e.event);
  assert.ok(entries.some((e) => e.type === 'authentication' && e.outcome === 'failure'));
  assert.ok(entries.some((e) => e.type === 'authentication' && e.outcome === 'success' && e.principal?.id === 'aud'));
});

test('state-changing calls need the same Origin and the CSRF token', async () => {
  const s = await session(f.keys.ana);
  const target = await f.admin('POST', '/keys', { principal: 'alice', name: 'csrf-target' });
  const { id } = (await target.json()) as { id: string };
  assert.equal((await call(s, 'DELETE', `/admin/keys/${id}`, { origin: 'https://evil.example' })).status, 403);
  assert.equal((await call(s, 'DELETE', `/admin/keys/${id}`, { origin: null })).status, 403);
  assert.equal((await call(s, 'DELETE', `/admin/keys/${id}`, { csrf: null })).status, 403);
  assert.equal((await call(s, 'DELETE', `/admin/keys/${id}`, { csrf: 'x'.repeat(s.csrf.length) })).status, 403);
  const keys = (await (await f.admin('GET', '/keys?principal=alice')).json()) as { items: { id: string; revokedAt: string | null }[] };
  assert.equal(keys.items.find((k) => k.id === id)!.revokedAt, null, 'nothing was revoked by the refused calls');
  assert.equal((await call(s, 'DELETE', `/admin/keys/${id}`)).status, 200);
});

test('roles are enforced server-side: an auditor reads but cannot respond; an analyst cannot activate policies', async () => {
  const auditor = await session(f.keys.aud);
  assert.equal((await call(auditor, 'GET', '/decisions?limit=5')).status, 200);
  assert.equal((await call(auditor, 'GET', '/admin/keys')).status, 200);
  const revoke = await call(auditor, 'DELETE', '/admin/keys/anything');
  assert.equal(revoke.status, 403);
  assert.match(((await revoke.json()) as { error: { message: string } }).error.message, /analyst/);
  assert.equal((await call(auditor, 'POST', '/policies/replay', { body: { files: { 'a.cedar': 'permit(principal, action, resource);' } } })).status, 403);
  const analyst = await session(f.keys.ana);
  assert.equal((await call(analyst, 'POST', '/admin/policies', { body: { files: { 'a.cedar': 'permit(principal, action, resource);' } } })).status, 403);
  assert.equal((await call(analyst, 'POST', '/admin/keys', { body: { principal: 'ana' } })).status, 403);
});

test('bad input gets a clear 4xx in the one error shape', async () => {
  const s = await session(f.keys.ana);
  for (const [path, status] of [
    ['/decisions?limit=100000', 400],
    ['/decisions?outcome=maybe', 400],
    ['/decisions?principal=alice', 400],
    ['/decisions?nope=1', 400],
    ['/overview?minutes=1', 400],
    ['/principals/Robot/x/risk-history', 400],
    ['/decisions/' + 'x'.repeat(200) + '/explain', 400],
    ['/decisions/nope/explain', 404],
    ['/nothing', 404],
  ] as const) {
    const res = await call(s, 'GET', path);
    assert.equal(res.status, status, path);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(typeof body.error.code, 'string', path);
  }
  const invalid = await call(s, 'POST', '/policies/replay', { body: { files: { 'a.cedar': 'permit(' } } });
  assert.equal(invalid.status, 422);
  const notJson = await fetch(`${f.warden.url}/ui/api/policies/replay`, { method: 'POST', headers: { cookie: s.cookie, origin: f.warden.url, 'x-csrf-token': s.csrf, 'content-type': 'application/json' }, body: '{"files":' });
  assert.equal(notJson.status, 400);
});

test('sign-out ends the session server-side; revoking the key ends its sessions', async () => {
  const s = await session(f.keys.ana);
  assert.equal((await call(s, 'GET', '/session')).status, 200);
  assert.equal((await call(s, 'DELETE', '/session')).status, 200);
  assert.equal((await call(s, 'GET', '/session')).status, 401);
  assert.equal((await call(s, 'GET', '/overview')).status, 401);

  const made = (await (await f.admin('POST', '/keys', { principal: 'aud', name: 'short-lived' })).json()) as { key: string; id: string };
  const viaKey = await session(made.key);
  assert.equal((await call(viaKey, 'GET', '/overview')).status, 200);
  assert.equal((await f.admin('DELETE', `/keys/${made.id}`)).status, 200);
  assert.equal((await call(viaKey, 'GET', '/overview')).status, 401);
});

test('a key whose scopes do not cover admin:console cannot sign in', async () => {
  const made = (await (await f.admin('POST', '/keys', { principal: 'root', name: 'chat-only', scopes: ['chat'] })).json()) as { key: string };
  const res = await signIn(made.key);
  assert.equal(res.status, 403);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'insufficient_scope');
});

test('admin actions need a factor verified on the session recently; the verification is an authentication event', async () => {
  const admin = await session(f.keys.root);
  const sessionView = async (): Promise<{ adminMfa: { required: boolean; freshUntil: string | null } }> => (await call(admin, 'GET', '/session')).json() as never;
  assert.deepEqual((await sessionView()).adminMfa, { required: true, freshUntil: null });
  const refused = await call(admin, 'POST', '/admin/keys', { body: { principal: 'root', name: 'needs-mfa' } });
  assert.equal(refused.status, 403);
  assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'fresh_mfa_required');
  // Reads stay open; a wrong code is refused.
  assert.equal((await call(admin, 'GET', '/admin/keys')).status, 200);
  assert.equal((await call(admin, 'POST', '/session/mfa', { body: { code: '000000' } })).status, 401);
  // Enrol a TOTP factor for root (the step-up module's admin API), then verify a current code.
  const enrol = (await (await f.admin('POST', '/mfa/totp', { principal: 'root', label: 'console test' })).json()) as { factorId: string; secret: string };
  const seed = base32Decode(enrol.secret);
  // The confirmation uses this step's code; the console verification must use another (each is accepted once).
  const step = Math.floor(Date.now() / 30_000);
  assert.equal((await f.admin('POST', '/mfa/totp/confirm', { principal: 'root', factorId: enrol.factorId, code: hotp(seed, step - 1) })).status, 200);
  assert.equal((await call(admin, 'POST', '/session/mfa', { body: { code: hotp(seed, step) }, csrf: null })).status, 403, 'the verification is CSRF-checked');
  const verified = await call(admin, 'POST', '/session/mfa', { body: { code: hotp(seed, step) } });
  assert.equal(verified.status, 200, await verified.clone().text());
  assert.ok(((await verified.json()) as { adminMfa: { freshUntil: string } }).adminMfa.freshUntil > new Date().toISOString());
  assert.equal((await call(admin, 'POST', '/admin/keys', { body: { principal: 'root', name: 'after-mfa' } })).status, 201);
  // Another session of the same admin has verified nothing.
  const other = await session(f.keys.root);
  assert.equal((await call(other, 'POST', '/admin/keys', { body: { principal: 'root', name: 'other' } })).status, 403);
  const events: { type: string; outcome?: string; mfa?: boolean; reason?: string; principal?: { id: string } }[] = [];
  for (let from = 0; ; from += 1000) {
    const page = ((await (await f.admin('GET', `/audit/entries?from=${from}&limit=1000`)).json()) as { entries: { event: (typeof events)[number] }[] }).entries;
    events.push(...page.map((e) => e.event));
    if (page.length < 1000) break;
  }
  assert.ok(events.some((e) => e.type === 'authentication' && e.principal?.id === 'root' && e.outcome === 'success' && e.mfa === true));
  assert.ok(events.some((e) => e.type === 'authentication' && e.principal?.id === 'root' && e.outcome === 'failure' && e.reason === 'mfa_verification_failed'));
});

test('a principal sees its own denied decision explained as far as the policies allow; another principal’s is refused', async () => {
  const refused = await fetch(`${f.warden.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${f.keys.mallory}` },
    body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hello' }] }),
  });
  assert.equal(refused.status, 403);
  const { decisionId } = ((await refused.json()) as { error: { decisionId: string } }).error;
  const explain = (key: string | undefined, id = decisionId): Promise<Response> => fetch(`${f.warden.url}/ui/api/self/decisions/${encodeURIComponent(id)}`, { headers: key ? { 'x-api-key': key } : {} });
  // The decision table follows the audit log: wait for the row.
  let mine = await explain(f.keys.mallory);
  for (const deadline = Date.now() + 10_000; mine.status === 404 && Date.now() < deadline; mine = await explain(f.keys.mallory)) await new Promise((r) => setTimeout(r, 50));
  assert.equal(mine.status, 200, await mine.clone().text());
  const body = (await mine.json()) as Record<string, unknown> & { policies: { id: string; explanation: string }[] };
  assert.equal(body.outcome, 'deny');
  assert.deepEqual(body.policies, [{ id: 'strangers-denied', effect: 'forbid', explanation: 'models need a clearance above 0: ask your manager' }]);
  assert.deepEqual(body.resource, { type: 'Model', id: 'chat' });
  for (const hidden of ['risk', 'riskNow', 'detections', 'context', 'text']) assert.ok(!(hidden in body), `${hidden} is not shown to the principal`);
  // Another principal, no credential, and an unknown id.
  const other = await explain(f.keys.alice);
  assert.equal(other.status, 404);
  assert.equal(((await other.json()) as { error: { code: string } }).error.code, 'not_found');
  assert.equal((await explain(undefined)).status, 401);
  assert.equal((await explain(f.keys.mallory, 'no-such-decision')).status, 404);
});
