/**
 * Console sign-in with an OIDC issuer, end to end: a small real OpenID provider in this process
 * (discovery, an authorization endpoint that redirects back with a code, a token endpoint that checks
 * the PKCE verifier, a JWKS), a real Warden configured with it, and Debian's chromium following the
 * redirects. Also: a callback this browser did not start, an id_token for another sign-in (nonce), a
 * user whose groups map to no console role, and every attempt an authentication event.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { CHROMIUM, launchChromium } from '../helpers/chromium.js';
import { startWarden, type WardenProcess } from '../helpers/warden-process.js';

const noBrowser = existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM}: install Debian's chromium to run the console's browser tests`;
const CLIENT_ID = 'warden-console';

interface Provider {
  issuer: string;
  /** Who signs in next, and with which groups. */
  user: { sub: string; groups: string[] };
  /** Makes the token endpoint put a nonce of another sign-in in the id_token. */
  wrongNonce: boolean;
  close(): Promise<void>;
}

async function startProvider(): Promise<Provider> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const codes = new Map<string, { challenge: string; nonce: string; redirectUri: string; user: Provider['user'] }>();
  let issuer = '';
  const provider: Provider = { issuer: '', user: { sub: 'sam', groups: ['soc-analysts'] }, wrongNonce: false, close: () => new Promise((r) => server.close(() => r())) };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') return json(200, { issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks` });
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      const p = url.searchParams;
      if (p.get('response_type') !== 'code' || p.get('client_id') !== CLIENT_ID || p.get('code_challenge_method') !== 'S256' || !p.get('code_challenge') || !p.get('nonce') || !p.get('state')) return json(400, { error: 'invalid_request' });
      const code = randomBytes(16).toString('hex');
      codes.set(code, { challenge: p.get('code_challenge')!, nonce: p.get('nonce')!, redirectUri: p.get('redirect_uri')!, user: { ...provider.user } });
      const back = new URL(p.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', p.get('state')!);
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(raw);
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const pkce = createHash('sha256').update(verifier).digest('base64url');
        if (!grant || form.get('grant_type') !== 'authorization_code' || form.get('client_id') !== CLIENT_ID || form.get('redirect_uri') !== grant.redirectUri || pkce !== grant.challenge) return json(400, { error: 'invalid_grant' });
        void new SignJWT({ nonce: provider.wrongNonce ? 'another-sign-in' : grant.nonce, groups: grant.user.groups })
          .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
          .setIssuer(issuer)
          .setAudience(CLIENT_ID)
          .setSubject(grant.user.sub)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(privateKey)
          .then((idToken) => json(200, { access_token: 'unused', token_type: 'Bearer', id_token: idToken }));
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider.issuer = issuer;
  return provider;
}

let provider: Provider;
let warden: WardenProcess;

before(async () => {
  provider = await startProvider();
  warden = await startWarden(
    {
      principals: [{ id: 'sam', groups: ['staff'], roles: [] }],
      console: { oidc: { issuer: provider.issuer, clientId: CLIENT_ID, roleMapping: { analyst: ['soc-analysts'], auditor: ['compliance'] } } },
    },
    { logLevel: 'warn' },
  );
});

after(async () => {
  await warden?.stop();
  await provider?.close();
});

/** Follows the flow over HTTP, one redirect at a time; returns the callback's answer. */
async function signInOverHttp(options: { dropStateCookie?: boolean } = {}): Promise<Response> {
  const login = await fetch(`${warden.url}/ui/api/oidc/login`, { redirect: 'manual' });
  assert.equal(login.status, 302);
  const stateCookie = login.headers.get('set-cookie')!.split(';')[0]!;
  assert.match(login.headers.get('set-cookie')!, /HttpOnly; SameSite=Lax/);
  const authorize = await fetch(login.headers.get('location')!, { redirect: 'manual' });
  assert.equal(authorize.status, 302, await authorize.clone().text());
  return fetch(authorize.headers.get('location')!, { redirect: 'manual', headers: options.dropStateCookie ? {} : { cookie: stateCookie } });
}

async function authEvents(): Promise<{ method: string; outcome: string; reason?: string; principal?: { id: string } }[]> {
  // The audit log is read with a console session of the analyst (its admin routes are mounted under /ui/api/admin).
  provider.user = { sub: 'sam', groups: ['soc-analysts'] };
  const cb = await signInOverHttp();
  const cookie = cb.headers.getSetCookie().find((c) => c.startsWith('warden_console='))!.split(';')[0]!;
  const events: { type: string; method: string; outcome: string; reason?: string; principal?: { id: string } }[] = [];
  for (let from = 0; ; from += 1000) {
    const page = ((await (await fetch(`${warden.url}/ui/api/admin/audit/entries?from=${from}&limit=1000`, { headers: { cookie } })).json()) as { entries: { event: (typeof events)[number] }[] }).entries;
    events.push(...page.map((e) => e.event));
    if (page.length < 1000) break;
  }
  return events.filter((e) => e.type === 'authentication');
}

test('sign in through the OIDC issuer in a real browser: code + PKCE, the role from the groups claim', { skip: noBrowser }, async () => {
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(`${warden.url}/ui/`);
    await page.getByRole('link', { name: 'Sign in with your organisation (SSO)' }).click();
    // Warden → the issuer's /authorize → Warden's callback → /ui/, signed in.
    await page.getByRole('heading', { name: 'Decisions per minute' }).waitFor();
    assert.match(await page.locator('.who').innerText(), /User::sam\s*analyst/);
    const session = await page.evaluate(async () => (await (await fetch('/ui/api/session')).json()) as { role: string; principal: { id: string } });
    assert.deepEqual({ role: session.role, id: session.principal.id }, { role: 'analyst', id: 'sam' });
  } finally {
    await browser.close();
  }
});

test('a callback this browser did not start, a token for another sign-in and a user without a console role are refused', async () => {
  const noCookie = await signInOverHttp({ dropStateCookie: true });
  assert.equal(noCookie.status, 401);
  assert.equal(noCookie.headers.getSetCookie().some((c) => c.startsWith('warden_console=')), false);
  provider.wrongNonce = true;
  const replayed = await signInOverHttp();
  provider.wrongNonce = false;
  assert.equal(replayed.status, 401);
  assert.match(((await replayed.json()) as { error: { message: string } }).error.message, /not issued for this sign-in/);
  provider.user = { sub: 'sam', groups: ['marketing'] };
  const noRole = await signInOverHttp();
  assert.equal(noRole.status, 401);
  provider.user = { sub: 'sam', groups: ['compliance'] };
  const ok = await signInOverHttp();
  assert.equal(ok.status, 302);
  assert.equal(ok.headers.get('location'), '/ui/');
  const cookie = ok.headers.getSetCookie().find((c) => c.startsWith('warden_console='))!;
  assert.match(cookie, /HttpOnly; SameSite=Strict/);
  const me = (await (await fetch(`${warden.url}/ui/api/session`, { headers: { cookie: cookie.split(';')[0]! } })).json()) as { role: string };
  assert.equal(me.role, 'auditor');

  const events = await authEvents();
  const reasons = events.filter((e) => e.method === 'jwt' && e.outcome === 'failure').map((e) => e.reason);
  for (const reason of ['oidc_state_mismatch', 'oidc_nonce_mismatch', 'no_console_role']) assert.ok(reasons.includes(reason), `${reason} in ${reasons.join(', ')}`);
  assert.ok(events.some((e) => e.method === 'jwt' && e.outcome === 'success' && e.principal?.id === 'sam'));
});
