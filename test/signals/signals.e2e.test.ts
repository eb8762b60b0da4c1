/**
 * End to end over real HTTP against a `warden start` process: Security Event Tokens pushed by a test
 * identity provider (RFC 8935), forged and replayed ones refused, `session-revoked` and `account-disabled`
 * taking effect on the next request, posture reports signed by an enrolled device key (a bad signature
 * and a stale one refused) reaching policy through `context.device`, and the transmitter pushing
 * `session-revoked` to a real HTTP receiver after Warden's own playbook revoked, retrying after a failure.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, type CryptoKey } from 'jose';
import { CAEP, RISC } from '../../src/signals/events.js';
import { makeKey, mint, startJwksServer, type JwksServer, type TestKey } from '../helpers/jwks.js';
import { startTestUpstream, type TestUpstream } from '../helpers/upstream.js';
import { runCli, startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

const IDP = 'https://idp.test';
let upstream: TestUpstream;
let jwks: JwksServer;
let tokenKey: TestKey;
let setKey: TestKey;
let warden: WardenProcess;
let receiver: { url: string; sets: string[]; answers: number[]; server: Server };
const keys: Record<string, string> = {};

async function startReceiver(): Promise<typeof receiver> {
  const state = { sets: [] as string[], answers: [503, 202] };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const status = state.answers.shift() ?? 202;
      if (status === 202) state.sets.push(body);
      assert.equal(req.headers['content-type'], 'application/secevent+jwt');
      assert.equal(req.headers.authorization, 'Bearer receiver-secret');
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, server, ...state };
}

before(async () => {
  upstream = await startTestUpstream('sk-upstream-secret-0123456789');
  tokenKey = await makeKey('token-1');
  setKey = await makeKey('set-1', 'ES256');
  jwks = await startJwksServer([tokenKey, setKey]);
  receiver = await startReceiver();
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const signingJwk = JSON.stringify(await exportJWK(privateKey));
  const dir = tempDir();
  mkdirSync(join(dir, 'data'));
  for (const p of ['carol', 'dave']) keys[p] = (await runCli(['keys', 'create', '--principal', p, '--data-dir', join(dir, 'data')])).stdout.trim().split('\n').at(-1)!;
  warden = await startWarden(
    {
      server: { trustedProxies: ['127.0.0.1'] },
      identity: { jwt: [{ issuer: IDP, audience: 'warden', jwksUri: jwks.url, algorithms: ['RS256'] }] },
      principals: [
        { id: 'alice', groups: ['staff'], roles: ['user'] },
        { id: 'bob', groups: ['staff'], roles: ['user'] },
        { id: 'carol', groups: ['staff'], roles: ['admin'] },
        { id: 'dave', groups: ['staff'], roles: ['user'] },
      ],
      upstreams: [{ name: 'main', baseUrl: `${upstream.url}/v1`, apiKey: 'sk-upstream-secret-0123456789' }],
      models: [{ id: 'open', upstream: 'main', sensitivity: 'internal' }],
      response: { playbooks: [{ name: 'idp-compromise', trigger: { events: ['detection'], detectors: ['ssf.credential-compromise'] }, actions: [{ type: 'revoke_credentials' }] }] },
      signals: {
        receiver: { enabled: true, audience: 'https://warden.test/ssf', transmitters: [{ issuer: IDP, jwksUri: jwks.url, algorithms: ['ES256'] }] },
        transmitter: { enabled: true, issuer: 'https://warden.test', signingKey: 'env:WARDEN_SSF_KEY', initialBackoffMs: 50, receivers: [{ name: 'idp', url: receiver.url, audience: IDP, authorization: 'env:RECEIVER_TOKEN' }] },
        posture: { maxAgeSeconds: 600 },
      },
    },
    { dir, env: { WARDEN_SSF_KEY: signingJwk, RECEIVER_TOKEN: 'receiver-secret' } },
  );
});

after(async () => {
  await warden?.stop();
  await upstream?.close();
  await jwks?.close();
  await new Promise((r) => receiver?.server.close(r));
});

const chat = (authorization: string, headers: Record<string, string> = {}) =>
  fetch(`${warden.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization, ...headers }, body: JSON.stringify({ model: 'open', messages: [{ role: 'user', content: 'hi' }] }) });

function set(event: string, fields: Record<string, unknown>, options: { subject?: unknown; key?: TestKey; iat?: number; audience?: string; typ?: string } = {}): Promise<string> {
  const key = options.key ?? setKey;
  return new SignJWT({ sub_id: options.subject ?? { format: 'iss_sub', iss: IDP, sub: 'alice' }, events: { [event]: fields } })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: options.typ ?? 'secevent+jwt' })
    .setIssuer(IDP)
    .setAudience(options.audience ?? 'https://warden.test/ssf')
    .setIssuedAt(options.iat ?? Math.floor(Date.now() / 1000))
    .setJti(randomUUID())
    .sign(key.privateKey);
}

const push = (token: string, contentType = 'application/secevent+jwt') => fetch(`${warden.url}/signals/events`, { method: 'POST', headers: { 'content-type': contentType }, body: token });

async function refusedWith(res: Response, err: string): Promise<string> {
  assert.equal(res.status, 400);
  const body = (await res.json()) as { err: string; description: string; error: { code: string } };
  assert.equal(body.err, err);
  assert.equal(body.error.code, 'bad_request');
  return body.description;
}

test('a forged SET (signed by a key not in the transmitter JWKS) is refused with invalid_key and changes nothing', async () => {
  const token = await mint(tokenKey, { subject: 'alice' });
  const forger = { ...(await makeKey('set-1', 'ES256')) };
  await refusedWith(await push(await set(`${CAEP}session-revoked`, {}, { key: forger })), 'invalid_key');
  await refusedWith(await push(await set(`${CAEP}session-revoked`, {}, { audience: 'someone-else' })), 'invalid_audience');
  await refusedWith(await push(await set(`${CAEP}session-revoked`, {}, { typ: 'JWT' })), 'invalid_request');
  await refusedWith(await push(await set(`${CAEP}session-revoked`, {}, { iat: Math.floor(Date.now() / 1000) - 7200 })), 'invalid_request');
  await refusedWith(await push(await set(`${CAEP}session-revoked`, {}), 'application/json'), 'invalid_request');
  assert.equal((await chat(`Bearer ${token}`)).status, 200);
});

test('session-revoked: the next request with a token issued before it fails; a replayed SET is refused', async () => {
  const before = await mint(tokenKey, { subject: 'alice' });
  assert.equal((await chat(`Bearer ${before}`)).status, 200);
  const eventTime = Math.floor(Date.now() / 1000);
  const token = await set(`${CAEP}session-revoked`, { event_timestamp: eventTime });
  const accepted = await push(token);
  assert.equal(accepted.status, 202);
  const refused = await chat(`Bearer ${before}`);
  assert.equal(refused.status, 401);
  assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'session_revoked');
  // A token the identity provider issues after the revocation works.
  const fresh = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: tokenKey.kid }).setIssuer(IDP).setAudience('warden').setSubject('alice').setIssuedAt(eventTime + 1).setExpirationTime('5m').sign(tokenKey.privateKey);
  assert.equal((await chat(`Bearer ${fresh}`)).status, 200);
  const description = await refusedWith(await push(token), 'invalid_request');
  assert.match(description, /already received/);
  // Audited: the signal is a detection event in the decision/audit stream.
  const detections = await fetch(`${warden.url}/admin/detections?detector=ssf.session-revoked`, { headers: { authorization: `Bearer ${keys.carol}` } });
  assert.equal(detections.status, 200);
});

test('account-disabled refuses every request of the principal until account-enabled', async () => {
  const token = await mint(tokenKey, { subject: 'bob' });
  assert.equal((await push(await set(`${RISC}account-disabled`, { reason: 'hijacking' }, { subject: { format: 'opaque', id: 'bob' } }))).status, 202);
  const refused = await chat(`Bearer ${token}`);
  assert.equal(refused.status, 403);
  assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'account_disabled');
  assert.equal((await push(await set(`${RISC}account-enabled`, {}, { subject: { format: 'opaque', id: 'bob' } }))).status, 202);
  assert.equal((await chat(`Bearer ${token}`)).status, 200);
});

test('posture reports: signed by the enrolled device key, fresh, and seen by policy through context.device', async () => {
  const device = await generateKeyPair('ES256', { extractable: true });
  const adminHeaders = { authorization: `Bearer ${keys.carol}`, 'content-type': 'application/json' };
  const enrol = await fetch(`${warden.url}/admin/devices/laptop-7/key`, { method: 'PUT', headers: adminHeaders, body: JSON.stringify({ jwk: { ...(await exportJWK(device.publicKey)), alg: 'ES256' }, owner: 'dave' }) });
  assert.equal(enrol.status, 201);
  const report = (posture: object, options: { key?: CryptoKey; iat?: number } = {}) =>
    new SignJWT({ posture }).setProtectedHeader({ alg: 'ES256', typ: 'device-posture+jwt' }).setSubject('laptop-7').setIssuedAt(options.iat ?? Math.floor(Date.now() / 1000)).sign(options.key ?? device.privateKey);
  const send = async (jws: string) => fetch(`${warden.url}/signals/devices/posture`, { method: 'POST', headers: { 'content-type': 'application/jwt' }, body: jws });

  const other = await generateKeyPair('ES256');
  const forged = await send(await report({ managed: true, compliant: true }, { key: other.privateKey }));
  assert.equal(forged.status, 401);
  const stale = await send(await report({ managed: true, compliant: true }, { iat: Math.floor(Date.now() / 1000) - 3600 }));
  assert.equal(stale.status, 400);
  assert.match(((await stale.json()) as { error: { message: string } }).error.message, /older than 600 seconds/);

  // The device is proven by a trusted proxy's header; the demo policy refuses a managed, non-compliant device.
  const viaProxy = { 'x-warden-device': 'laptop-7' };
  const iat = Math.floor(Date.now() / 1000);
  assert.equal((await send(await report({ managed: true, compliant: false, diskEncrypted: true }, { iat: iat - 10 }))).status, 200);
  assert.equal((await chat(`Bearer ${keys.dave}`, viaProxy)).status, 403, 'non-compliant by its own signed report');
  const good = await send(await report({ managed: true, compliant: true, diskEncrypted: true }, { iat }));
  assert.deepEqual(await good.json(), { device: 'laptop-7', stored: true, observedAt: new Date(iat * 1000).toISOString() });
  assert.equal((await chat(`Bearer ${keys.dave}`, viaProxy)).status, 200);
  // The same report again is not newer: not stored (a replay changes nothing).
  assert.equal(((await (await send(await report({ managed: true, compliant: false }, { iat: iat - 5 }))).json()) as { stored: boolean }).stored, false);
  const posture = (await (await fetch(`${warden.url}/admin/devices/laptop-7/posture`, { headers: adminHeaders })).json()) as { effective: { compliant: boolean; sources: Record<string, string> } };
  assert.equal(posture.effective.compliant, true);
  assert.deepEqual(posture.effective.sources, { managed: 'report', compliant: 'report', diskEncrypted: 'report' });
  // The key is bound to dave: another principal presenting the device is refused.
  assert.equal((await chat(`Bearer ${keys.carol}`, viaProxy)).status, 403);
});

test('transmitter: credential-compromise → playbook revokes → session-revoked pushed to the receiver, retried after a 503', async () => {
  const metadata = (await (await fetch(`${warden.url}/.well-known/ssf-configuration`)).json()) as { issuer: string; jwks_uri: string; delivery_methods_supported: string[] };
  assert.equal(metadata.issuer, 'https://warden.test');
  assert.deepEqual(metadata.delivery_methods_supported, ['urn:ietf:rfc:8935']);
  const published = (await (await fetch(metadata.jwks_uri)).json()) as { keys: object[] };

  assert.equal((await push(await set(`${RISC}credential-compromise`, { credential_type: 'password' }, { subject: { format: 'opaque', id: 'dave' } }))).status, 202);
  // Dave's API key was revoked by the signal itself.
  assert.equal((await chat(`Bearer ${keys.dave}`)).status, 401);
  const deadline = Date.now() + 20_000;
  while (receiver.sets.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(receiver.sets.length, 1, 'delivered once, after the first attempt failed');
  assert.equal(receiver.answers.length, 0, 'the 503 was answered first');
  const { payload, protectedHeader } = await jwtVerify(receiver.sets[0]!, createLocalJWKSet(published as never), { issuer: 'https://warden.test', audience: IDP, typ: 'secevent+jwt' });
  assert.equal(protectedHeader.typ, 'secevent+jwt');
  assert.deepEqual(payload.sub_id, { format: 'opaque', id: 'dave' });
  assert.ok((payload.events as Record<string, unknown>)[`${CAEP}session-revoked`]);
  const outbox = (await (await fetch(`${warden.url}/admin/signals/outbox?status=delivered`, { headers: { authorization: `Bearer ${keys.carol}` } })).json()) as { items: { attempts: number; event: string }[] };
  assert.deepEqual(outbox.items.map((i) => [i.event, i.attempts]), [['session-revoked', 2]]);
});

test('the logs never hold a SET, a report or a key', () => {
  assert.doesNotMatch(warden.output(), /eyJ[\w-]+\.eyJ/);
  assert.doesNotMatch(warden.output(), /receiver-secret/);
});
