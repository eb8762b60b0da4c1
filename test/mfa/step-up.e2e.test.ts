/**
 * End to end over real HTTP against a `warden start` process: enrolment by link, TOTP step-up for an API
 * key (elevation), JWT step-up redeemed for a DPoP-bound session token, and the attacks on each: replayed
 * codes, a token without its proof key, replayed proofs, guessing and lock-out, enrolment without a session.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { randomUUID, createHash, type webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
import { base32Decode, totpCode } from '../../src/mfa/totp.js';
import { PageClient } from '../helpers/browserless.js';
import { makeKey, mint, startJwksServer, type JwksServer, type TestKey } from '../helpers/jwks.js';
import { startTestUpstream, type TestUpstream } from '../helpers/upstream.js';
import { runCli, startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

let upstream: TestUpstream;
let jwks: JwksServer;
let signing: TestKey;
let warden: WardenProcess;
const keys: Record<string, string> = {};
let aliceSeed: Buffer;
/** The code that confirmed alice's enrolment: used once, so refused ever after (whatever time step it is now). */
let enrolmentCode: string;
let recoveryCodes: string[] = [];

before(async () => {
  upstream = await startTestUpstream('sk-upstream-secret-0123456789');
  signing = await makeKey('key-1');
  jwks = await startJwksServer([signing]);
  const dir = tempDir();
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'upstream.key'), 'sk-upstream-secret-0123456789');
  for (const p of ['alice', 'bob', 'carol']) {
    const result = await runCli(['keys', 'create', '--principal', p, '--data-dir', join(dir, 'data')]);
    keys[p] = result.stdout.trim().split('\n').at(-1)!;
  }
  warden = await startWarden(
    {
      identity: { jwt: [{ issuer: 'https://idp.test', audience: 'warden', jwksUri: jwks.url, algorithms: ['RS256'] }] },
      principals: [
        { id: 'alice', groups: ['engineering'], roles: ['user'] },
        { id: 'bob', groups: ['engineering'], roles: ['user'] },
        { id: 'carol', groups: ['security'], roles: ['admin'] },
      ],
      upstreams: [{ name: 'main', baseUrl: `${upstream.url}/v1`, apiKey: `file:${join(dir, 'upstream.key')}` }],
      models: [{ id: 'secure', upstream: 'main', sensitivity: 'confidential' }],
    },
    { dir },
  );
});

after(async () => {
  await warden?.stop();
  await upstream?.close();
  await jwks?.close();
});

const chat = (authorization: string, headers: Record<string, string> = {}) =>
  fetch(`${warden.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization, ...headers }, body: JSON.stringify({ model: 'secure', messages: [{ role: 'user', content: 'hi' }] }) });

const admin = (path: string, body: unknown) => fetch(`${warden.url}/admin${path}`, { method: 'POST', headers: { authorization: `Bearer ${keys.carol}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function stepUpUrl(res: Response): Promise<string> {
  assert.equal(res.status, 401);
  assert.match(res.headers.get('www-authenticate')!, /insufficient_user_authentication/);
  const body = (await res.json()) as { error: { code: string; stepUpUrl: string; decisionId: string } };
  assert.equal(body.error.code, 'step_up_required');
  assert.match(body.error.stepUpUrl, new RegExp(`/auth/step-up/${body.error.decisionId}\\?k=[\\w-]{24}$`));
  return body.error.stepUpUrl.replace(/^http:\/\/localhost:/, 'http://127.0.0.1:');
}

async function dpopProof(key: { privateKey: CryptoKey; jwk: JWK }, htm: string, htu: string, accessToken?: string, jti = randomUUID()): Promise<string> {
  return new SignJWT({ htm, htu, jti, ...(accessToken ? { ath: createHash('sha256').update(accessToken).digest('base64url') } : {}) })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
    .setIssuedAt()
    .sign(key.privateKey);
}

async function proofKey(): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { privateKey: privateKey as CryptoKey, jwk: await exportJWK(publicKey) };
}

test('enrolment needs a session: the factor pages refuse a visitor without one', async () => {
  const visitor = new PageClient(warden.url);
  assert.equal((await visitor.page('/auth/factors')).status, 401);
  const res = await visitor.request('/auth/factors/totp', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 401);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'session_required');
  assert.equal((await visitor.submit('/auth/enrol/' + 'x'.repeat(32), { csrf: 'x' })).status, 403, 'no CSRF cookie: refused before the link is even looked up');
});

test('an enrolment link starts a session once; TOTP is enrolled through the pages with CSRF-protected forms', async () => {
  const issued = await admin('/mfa/enrol-links', { principal: 'alice' });
  assert.equal(issued.status, 201);
  const { url } = (await issued.json()) as { url: string };
  const path = new URL(url).pathname;
  const browser = new PageClient(warden.url);
  const start = await browser.page(path);
  assert.equal(start.status, 200);
  assert.doesNotMatch(start.html, /<script>/);
  assert.equal((await browser.submit(path, { csrf: 'forged-token-000000000000' })).status, 403, 'a forged CSRF token is refused');
  const used = await browser.submit(path, { csrf: start.csrf });
  assert.equal(used.status, 303);
  assert.equal((await new PageClient(warden.url).submit(path, { csrf: start.csrf })).status, 403, 'another browser has no CSRF cookie');
  const again = new PageClient(warden.url);
  const page = await again.page(path);
  assert.equal((await again.submit(path, { csrf: page.csrf })).status, 401, 'the link works once');

  const factors = await browser.page('/auth/factors');
  assert.equal(factors.status, 200);
  const setup = await browser.submit('/auth/factors/totp', { csrf: factors.csrf, label: 'phone' });
  const html = await setup.text();
  assert.equal(setup.status, 200, html);
  const secret = /<code>([A-Z2-7 ]+)<\/code>/.exec(html)![1]!.replace(/ /g, '');
  const factorId = /name="factorId" value="([^"]+)"/.exec(html)![1]!;
  aliceSeed = base32Decode(secret);
  enrolmentCode = totpCode(aliceSeed, Date.now());
  const confirmed = await browser.submit('/auth/factors/totp/confirm', { csrf: factors.csrf, factorId, code: enrolmentCode });
  const codesHtml = await confirmed.text();
  assert.equal(confirmed.status, 200, codesHtml);
  recoveryCodes = [...codesHtml.matchAll(/<code>([A-Z2-7]{5}-[A-Z2-7]{5})<\/code>/g)].map((m) => m[1]!);
  assert.equal(recoveryCodes.length, 10);
});

test('API key: the owner verifies TOTP on the page, the key is elevated and the retry passes; a replayed code is refused', async () => {
  const url = await stepUpUrl(await chat(`Bearer ${keys.alice}`));
  const browser = new PageClient(warden.url);
  const page = await browser.page(new URL(url).pathname + new URL(url).search);
  assert.equal(page.status, 200);
  assert.match(page.html, /alice/);
  // The very code of the enrolment (a fresh computation could fall in the next time step, which is unused).
  const replayed = await browser.submit(new URL(url).pathname + '/totp', { csrf: page.csrf, code: enrolmentCode });
  assert.equal(replayed.status, 401, 'the code used to confirm the enrolment cannot be used again');
  // The next time step's code is accepted now (clock drift window) and was never used.
  const ok = await browser.submit(new URL(url).pathname + '/totp', { csrf: page.csrf, code: totpCode(aliceSeed, Date.now() + 30_000) });
  assert.equal(ok.status, 200, await ok.text());
  const retry = await chat(`Bearer ${keys.alice}`);
  assert.equal(retry.status, 200, await retry.text());
  assert.equal((await chat(`Bearer ${keys.bob}`)).status, 401, "another principal's key is not elevated");
});

test('JWT: the step-up is redeemed for a DPoP-bound session token; without its proof key it is refused', async () => {
  const jwt = await mint(signing, { subject: 'alice' });
  const url = await stepUpUrl(await chat(`Bearer ${jwt}`));
  const path = new URL(url).pathname;
  const browser = new PageClient(warden.url);
  const page = await browser.page(path + new URL(url).search);
  assert.equal((await browser.submit(path + '/recovery', { csrf: page.csrf, code: recoveryCodes[0]! })).status, 200);

  const key = await proofKey();
  const tokenUrl = `${warden.url}${path}/token`;
  const bobJwt = await mint(signing, { subject: 'bob' });
  const stolen = await fetch(tokenUrl, { method: 'POST', headers: { authorization: `Bearer ${bobJwt}`, dpop: await dpopProof(key, 'POST', tokenUrl) } });
  assert.equal(stolen.status, 403, 'another principal cannot redeem the challenge');
  const redeemed = await fetch(tokenUrl, { method: 'POST', headers: { authorization: `Bearer ${jwt}`, dpop: await dpopProof(key, 'POST', tokenUrl) } });
  assert.equal(redeemed.status, 200);
  const { access_token: token, token_type: type } = (await redeemed.json()) as { access_token: string; token_type: string };
  assert.equal(type, 'DPoP');
  assert.equal((await fetch(tokenUrl, { method: 'POST', headers: { authorization: `Bearer ${jwt}`, dpop: await dpopProof(key, 'POST', tokenUrl) } })).status, 409, 'one token per challenge');

  const chatUrl = `${warden.url}/v1/chat/completions`;
  const proof = await dpopProof(key, 'POST', chatUrl, token);
  const ok = await chat(`DPoP ${token}`, { dpop: proof });
  assert.equal(ok.status, 200, await ok.text());
  assert.equal((await chat(`DPoP ${token}`, { dpop: proof })).status, 401, 'a replayed proof is refused');
  assert.equal((await chat(`Bearer ${token}`)).status, 401, 'the token alone is refused');
  assert.equal((await chat(`DPoP ${token}`)).status, 401, 'the token without a proof is refused');
  const other = await proofKey();
  const wrongKey = await chat(`DPoP ${token}`, { dpop: await dpopProof(other, 'POST', chatUrl, token) });
  assert.equal(wrongKey.status, 401);
  assert.equal(((await wrongKey.json()) as { error: { code: string } }).error.code, 'invalid_dpop_proof');
  assert.equal((await chat(`DPoP ${token}`, { dpop: await dpopProof(key, 'POST', `${warden.url}/v1/embeddings`, token) })).status, 401, 'a proof for another URL is refused');
  assert.equal((await chat(`DPoP ${token}`, { dpop: await dpopProof(key, 'POST', chatUrl) })).status, 401, 'a proof without the token hash is refused');
});

test('TOTP guessing locks the principal out (even a right code is refused) and raises a detection', async () => {
  const enrol = await admin('/mfa/totp', { principal: 'bob' });
  assert.equal(enrol.status, 201);
  const { factorId, secret } = (await enrol.json()) as { factorId: string; secret: string };
  const seed = base32Decode(secret);
  assert.equal((await admin('/mfa/totp/confirm', { principal: 'bob', factorId, code: totpCode(seed, Date.now()) })).status, 200);
  const link = new URL(await stepUpUrl(await chat(`Bearer ${keys.bob}`)));
  const path = link.pathname;
  const browser = new PageClient(warden.url);
  const page = await browser.page(path + link.search);
  const right = totpCode(seed, Date.now() + 30_000);
  const wrong = right === '000000' ? '111111' : '000000';
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await browser.submit(path + '/totp', { csrf: page.csrf, code: wrong })).status);
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
  assert.equal((await browser.submit(path + '/totp', { csrf: page.csrf, code: right })).status, 429);
  const detections = await fetch(`${warden.url}/admin/detections`, { headers: { authorization: `Bearer ${keys.carol}` } });
  assert.match(await detections.text(), /mfa\.guessing/);
});

test("a stranger who knows only the decision id cannot attempt it, so cannot lock the person out", async () => {
  // A JWT: alice's API key is already elevated by an earlier case.
  const link = new URL(await stepUpUrl(await chat(`Bearer ${await mint(signing, { subject: 'alice' })}`)));
  const stranger = new PageClient(warden.url);
  assert.equal((await stranger.page(link.pathname)).status, 404, 'the page needs the secret from the 401');
  assert.equal((await stranger.page(link.pathname + '?k=' + 'A'.repeat(24))).status, 404, 'a guessed secret is refused');
  const csrfPage = await stranger.page('/auth/step-up/no-such-decision');
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) statuses.push((await stranger.submit(link.pathname + '/totp', { csrf: csrfPage.csrf, code: '000000' })).status);
  assert.ok(statuses.every((s) => s === 404 || s === 403), `refused before counting: ${statuses.join(',')}`);
  // The person, with the link the 401 gave, is not locked out.
  const browser = new PageClient(warden.url);
  const page = await browser.page(link.pathname + link.search);
  assert.equal(page.status, 200);
  const ok = await browser.submit(link.pathname + '/totp', { csrf: page.csrf, code: totpCode(aliceSeed, Date.now() + 30_000) });
  assert.notEqual(ok.status, 429, 'not locked by the stranger');
});

test('bad input: an unknown challenge, malformed codes and bodies get clear 4xx answers', async () => {
  const browser = new PageClient(warden.url);
  assert.equal((await browser.page('/auth/step-up/no-such-decision')).status, 404);
  const res = await fetch(`${warden.url}/auth/step-up/x/passkey`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ceremonyId":' });
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_json');
  assert.equal((await admin('/mfa/totp/confirm', { principal: 'bob', factorId: 'f', code: '12' })).status, 400);
  const page = await fetch(`${warden.url}/auth/static/auth.js`);
  assert.match(page.headers.get('content-security-policy')!, /script-src 'self'/);
});
