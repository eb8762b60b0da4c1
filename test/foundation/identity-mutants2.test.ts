/**
 * What the Authenticator does beyond the credential itself, which the mutation check
 * (`npm run mutate -- identity`, docs/mutation.md) found unchecked by the identity unit files it runs:
 * Warden session tokens (certificate- and DPoP-bound), API-key elevation after a step-up, just-in-time
 * role grants, device proofs (token claim, enrolled certificate, trusted proxy) and the `act` claim's
 * bounds. Keys are ES256 and made once per file: each mutant pays for this file's run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { configSchema } from '../../src/config/schema.js';
import { WardenError } from '../../src/core/errors.js';
import type { RoleGrant } from '../../src/core/types.js';
import type { ApiKeyStore } from '../../src/identity/index.js';
import type { RoleGrants, StepUpCredentials } from '../../src/identity/authenticate.js';
import { Authenticator, Directory, JwtVerifier } from '../../src/identity/index.js';
import { DpopVerifier, tokenHash } from '../../src/mfa/dpop.js';
import { MemoryReplayCache } from '../../src/mfa/replay-cache.js';
import { SessionAuthenticator } from '../../src/mfa/session-auth.js';
import { SessionTokens, type Binding } from '../../src/mfa/session-token.js';
import { openDatabase } from '../../src/store/index.js';
import { makeKey, mint, type TestKey } from '../helpers/jwks.js';
import { tempDir } from '../helpers/warden-process.js';
import { sqliteKeyStore } from '../helpers/key-store.js';

/** The refusal's code and message (a non-WardenError fails the calling test). */
function refusal(error: unknown): { code: string; message: string } {
  assert.ok(error instanceof WardenError, `not a WardenError: ${String(error)}`);
  return { code: error.code, message: error.message };
}

async function refused(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  let seen: { code: string; message: string } | undefined;
  await assert.rejects(promise, (e) => {
    seen = refusal(e);
    return true;
  });
  return seen!;
}

/** A TLS socket as the mTLS listener hands it over (what mtls.ts reads of it). */
function socket(raw: Buffer, authorized = true, cn = 'svc'): TLSSocket {
  return { authorized, getPeerCertificate: () => ({ raw, subject: { CN: cn } }) } as unknown as TLSSocket;
}

const CERT = Buffer.from('a client certificate (DER stand-in)');
const CERT_SHA256 = createHash('sha256').update(CERT).digest();
const OTHER_CERT = Buffer.from('another client certificate');
const idp = makeKey('k1', 'ES256');

interface Setup {
  auth: Authenticator;
  keys: ApiKeyStore;
  idp: TestKey;
  tokens: SessionTokens;
}

async function setup(options: { stepUp?: Omit<StepUpCredentials, 'sessions'>; access?: RoleGrants; mtlsEnabled?: boolean; sessions?: boolean } = {}): Promise<Setup> {
  const dir = tempDir();
  const key = await idp;
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [key.jwk] }));
  const config = configSchema.parse({
    identity: { jwt: [{ issuer: 'https://idp.test', audience: 'warden', jwksFile: join(dir, 'jwks.json'), algorithms: ['ES256'], clockSkewSeconds: 0 }] },
    principals: [
      { id: 'alice', groups: ['engineering'], roles: ['user'] },
      { id: 'bob', groups: ['contractors'] },
      { id: 'bot', kind: 'Agent', groups: ['agents'], mayActFor: ['group:engineering'] },
    ],
    devices: [
      { id: 'laptop', owner: 'alice', managed: true, compliant: true, certificates: [CERT_SHA256.toString('hex')] },
      { id: 'kiosk', managed: true, compliant: false },
    ],
  });
  const directory = new Directory(config.principals, config.devices);
  const keys = await sqliteKeyStore(openDatabase(dir));
  const tokens = new SessionTokens(randomBytes(32), 300);
  const sessions = new SessionAuthenticator(tokens, new DpopVerifier(new MemoryReplayCache(), 60), directory);
  const stepUp = options.sessions === false ? undefined : { sessions, elevation: options.stepUp?.elevation ?? (() => undefined) };
  const auth = new Authenticator({
    apiKeys: keys,
    jwt: new JwtVerifier(config.identity.jwt, (p) => p),
    directory,
    apiKeysEnabled: true,
    mtlsEnabled: options.mtlsEnabled ?? true,
    ...(stepUp ? { stepUp } : {}),
    ...(options.access ? { access: options.access } : {}),
  });
  return { auth, keys, idp: key, tokens };
}

const session = (tokens: SessionTokens, binding: Binding, principal = 'alice'): Promise<string> =>
  tokens.issue({ principal, kind: 'User', amr: ['otp'], authTime: Math.floor(Date.now() / 1000) - 10, groups: ['stepped-up'], roles: [], binding, jti: randomUUID() });

test('session tokens: a certificate-bound token needs the same verified certificate on the mTLS listener', async () => {
  const { auth, tokens } = await setup();
  const token = await session(tokens, { 'x5t#S256': CERT_SHA256.toString('base64url') });
  const identity = await auth.authenticate({ authorization: `Bearer ${token}`, tlsSocket: socket(CERT) });
  assert.equal(identity.principal.id, 'alice', 'the session names the user');
  assert.deepEqual(identity.principal.groups, ['engineering', 'stepped-up'], 'configured groups and the session groups');
  assert.deepEqual({ method: identity.authentication.method, mfa: identity.authentication.mfa, strength: identity.authentication.strength }, { method: 'session', mfa: true, strength: 2 });
  const wrongCert = 'the session token is bound to another client certificate';
  assert.deepEqual(await refused(auth.authenticate({ authorization: `Bearer ${token}`, tlsSocket: socket(OTHER_CERT) })), { code: 'invalid_token', message: wrongCert });
  assert.deepEqual(await refused(auth.authenticate({ authorization: `Bearer ${token}`, tlsSocket: socket(CERT, false) })), { code: 'invalid_token', message: wrongCert }, 'an unverified certificate proves nothing');
  assert.deepEqual(await refused(auth.authenticate({ authorization: `Bearer ${token}` })), { code: 'invalid_token', message: wrongCert }, 'no certificate at all');
  // Without the mTLS listener enabled a socket's certificate is not looked at.
  const off = await setup({ mtlsEnabled: false });
  const offToken = await session(off.tokens, { 'x5t#S256': CERT_SHA256.toString('base64url') });
  assert.deepEqual(await refused(off.auth.authenticate({ authorization: `Bearer ${offToken}`, tlsSocket: socket(CERT) })), { code: 'invalid_token', message: wrongCert });
});

test('session tokens: a DPoP-bound token needs the DPoP scheme and a proof for this method, URL and token', async () => {
  const { auth, tokens } = await setup();
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const token = await session(tokens, { jkt: await calculateJwkThumbprint(jwk) });
  const url = 'http://localhost:1/v1/chat/completions';
  const proof = (htm: string): Promise<string> =>
    new SignJWT({ htm, htu: url, jti: randomUUID(), iat: Math.floor(Date.now() / 1000), ath: tokenHash(token) }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).sign(privateKey);
  const ok = await auth.authenticate({ authorization: `DPoP ${token}`, dpop: await proof('POST'), method: 'POST', urls: [url] });
  assert.equal(ok.authentication.method, 'session', 'a DPoP-bound session');
  assert.equal((await auth.authenticate({ authorization: `dpop ${token}`, dpop: await proof('POST'), method: 'POST', urls: [url] })).principal.id, 'alice', 'the scheme is case-insensitive');
  // The method defaults to GET and the URLs to none: a proof is then for another method, or another URL.
  assert.equal((await refused(auth.authenticate({ authorization: `DPoP ${token}`, dpop: await proof('POST'), urls: [url] }))).message, 'the DPoP proof is for another method');
  assert.equal((await auth.authenticate({ authorization: `DPoP ${token}`, dpop: await proof('GET'), urls: [url] })).principal.id, 'alice', 'GET by default');
  assert.equal((await refused(auth.authenticate({ authorization: `DPoP ${token}`, dpop: await proof('POST'), method: 'POST' }))).message, 'the DPoP proof is for another URL');
  assert.equal((await refused(auth.authenticate({ authorization: `DPoP ${token}`, method: 'POST', urls: [url] }))).message, 'a DPoP proof header is required');
  assert.deepEqual(await refused(auth.authenticate({ authorization: `Bearer ${token}`, dpop: await proof('POST'), method: 'POST', urls: [url] })), {
    code: 'invalid_token',
    message: 'a DPoP-bound session token must be sent with the DPoP scheme and a proof',
  });
});

test('session tokens and the DPoP scheme without step-up configured; IdP tokens still go to the JWT verifier', async () => {
  const { auth, tokens, idp: key } = await setup({ sessions: false });
  const token = await session(tokens, { 'x5t#S256': CERT_SHA256.toString('base64url') });
  // Not a trusted issuer's token: the session token is judged (and refused) as a JWT.
  assert.deepEqual(await refused(auth.authenticate({ authorization: `Bearer ${token}`, tlsSocket: socket(CERT) })), { code: 'invalid_token', message: 'the token issuer is not trusted' });
  assert.deepEqual(await refused(auth.authenticate({ authorization: `DPoP ${token}` })), { code: 'invalid_token', message: 'the DPoP scheme is for Warden session tokens' });
  const withStepUp = await setup();
  assert.equal((await withStepUp.auth.authenticate({ authorization: `Bearer ${await mint(key)}` })).authentication.method, 'jwt', 'an IdP token with step-up configured');
  assert.deepEqual(await refused(withStepUp.auth.authenticate({ authorization: `Bearer\t${await mint(key)}` })), {
    code: 'unauthenticated',
    message: 'the authorization header must use the Bearer (or, for session tokens, DPoP) scheme',
  });
});

test('API-key elevation: multi-factor for the elevated owner only, with the factor age, never for other credentials', async () => {
  const elevations = new Map<string, { principal: string; amr: string[]; authTime: string }>();
  const { auth, keys, idp: key } = await setup({ stepUp: { elevation: (id) => elevations.get(id) } });
  const alice = await keys.create({ principal: 'alice' });
  const bot = await keys.create({ principal: 'bot' });
  const now = Date.now();
  assert.deepEqual((await auth.authenticate({ apiKey: alice.key }, now)).authentication, { method: 'apikey', strength: 1, mfa: false, credentialId: alice.record.id, scopes: ['*'] }, 'no elevation');
  elevations.set(alice.record.id, { principal: 'alice', amr: ['otp'], authTime: new Date(now - 30_500).toISOString() });
  assert.deepEqual((await auth.authenticate({ apiKey: alice.key }, now)).authentication, { method: 'apikey', strength: 2, mfa: true, credentialId: alice.record.id, scopes: ['*'], ageSeconds: 30 });
  elevations.set(alice.record.id, { principal: 'alice', amr: ['otp'], authTime: new Date(now + 60_000).toISOString() });
  assert.equal((await auth.authenticate({ apiKey: alice.key }, now)).authentication.ageSeconds, 0, 'a factor age is never negative');
  elevations.set(alice.record.id, { principal: 'bob', amr: ['otp'], authTime: new Date(now).toISOString() });
  assert.equal((await auth.authenticate({ apiKey: alice.key }, now)).authentication.mfa, false, 'elevated by somebody else');
  // An agent's key elevated by the user it acts for counts for that user, not for the agent alone.
  elevations.set(bot.record.id, { principal: 'alice', amr: ['otp'], authTime: new Date(now).toISOString() });
  assert.equal((await auth.authenticate({ apiKey: bot.key, onBehalfOf: 'alice' }, now)).authentication.mfa, true, 'the agent acting for the elevated user');
  assert.equal((await auth.authenticate({ apiKey: bot.key }, now)).authentication.mfa, false, 'the agent on its own');
  // A JWT whose jti happens to equal an elevated key id is not an API key.
  const jwt = await auth.authenticate({ authorization: `Bearer ${await mint(key, { claims: { jti: alice.record.id } })}` }, now);
  elevations.set(alice.record.id, { principal: 'alice', amr: ['otp'], authTime: new Date(now).toISOString() });
  assert.equal((await auth.authenticate({ authorization: `Bearer ${await mint(key, { claims: { jti: alice.record.id } })}` }, now)).authentication.mfa, false, 'a JWT is never elevated');
  assert.equal(jwt.authentication.credentialId, alice.record.id);
});

test('role grants: the principal’s own grants join its roles for the request and each use is noted', async () => {
  const grants = new Map<string, RoleGrant[]>([
    ['alice', [{ role: 'restricted-models', requestId: 'r1', until: '2100-01-01T00:00:00.000Z' }, { role: 'user', requestId: 'r2', until: '2100-01-01T00:00:00.000Z' }]],
    ['bot', []],
  ]);
  const asked: [string, number][] = [];
  const noted: [readonly RoleGrant[], number][] = [];
  const access: RoleGrants = {
    rolesFor: (principal, nowMs) => (asked.push([principal, nowMs]), grants.get(principal) ?? []),
    noteUse: (used, nowMs) => void noted.push([used, nowMs]),
  };
  const { auth, keys } = await setup({ access });
  const now = Date.now();
  const alice = await auth.authenticate({ apiKey: (await keys.create({ principal: 'alice' })).key }, now);
  assert.deepEqual(alice.principal.roles, ['user', 'restricted-models'], 'added once, after the configured roles');
  assert.deepEqual(alice.elevations, grants.get('alice'));
  assert.deepEqual(noted, [[grants.get('alice'), now]]);
  // An agent acting for alice gets its own grants (none), not hers.
  const bot = await auth.authenticate({ apiKey: (await keys.create({ principal: 'bot' })).key, onBehalfOf: 'alice' }, now);
  assert.deepEqual(asked.at(-1), ['bot', now]);
  assert.deepEqual(bot.principal.roles, []);
  assert.equal(bot.elevations, undefined, 'no grants: no elevations');
  assert.equal(noted.length, 1, 'nothing to note');
});

test('devices: proven by a token claim, an enrolled certificate or a trusted proxy; the strongest proof is recorded', async () => {
  const { auth, keys, idp: key } = await setup();
  const alice = (await keys.create({ principal: 'alice' })).key;
  const bob = (await keys.create({ principal: 'bob' })).key;
  const device = async (credentials: Parameters<Authenticator['authenticate']>[0]) => {
    const d = (await auth.authenticate(credentials)).device;
    return d && { id: d.id, proof: d.proof };
  };
  assert.deepEqual(await device({ apiKey: alice, tlsSocket: socket(CERT) }), { id: 'laptop', proof: 'certificate' });
  assert.equal(await device({ apiKey: alice, tlsSocket: socket(CERT, false) }), undefined, 'an unverified certificate');
  assert.equal(await device({ apiKey: alice, tlsSocket: socket(OTHER_CERT) }), undefined, 'a certificate enrolled for no device');
  assert.equal(await device({ apiKey: alice, deviceId: 'laptop' }), undefined, 'a header from anyone');
  assert.deepEqual(await device({ apiKey: alice, deviceId: 'laptop', fromTrustedProxy: true }), { id: 'laptop', proof: 'proxy' });
  assert.equal(await device({ apiKey: alice, deviceId: '', fromTrustedProxy: true }), undefined, 'an empty header');
  assert.deepEqual(await device({ apiKey: alice, deviceId: 'd'.repeat(250), fromTrustedProxy: true }), { id: 'd'.repeat(200), proof: 'proxy' }, 'cut to 200 characters');
  const claim = async (deviceId: string) => `Bearer ${await mint(key, { claims: { device_id: deviceId } })}`;
  assert.deepEqual(await device({ authorization: await claim('laptop'), tlsSocket: socket(CERT) }), { id: 'laptop', proof: 'certificate' }, 'certificate over token');
  assert.deepEqual(await device({ authorization: await claim('laptop'), deviceId: 'laptop', fromTrustedProxy: true }), { id: 'laptop', proof: 'token' }, 'token over proxy');
  assert.deepEqual(await device({ authorization: await claim('d'.repeat(200)) }), { id: 'd'.repeat(200), proof: 'token' });
  assert.equal(await device({ authorization: await claim('d'.repeat(201)) }), undefined, 'a device claim over 200 characters is ignored');
  assert.equal(await device({ authorization: await claim('') }), undefined);
  const mismatch = { code: 'forbidden', message: 'the device proofs name different devices' };
  assert.deepEqual(await refused(auth.authenticate({ authorization: await claim('kiosk'), tlsSocket: socket(CERT) })), mismatch);
  assert.deepEqual(await refused(auth.authenticate({ apiKey: alice, tlsSocket: socket(CERT), deviceId: 'kiosk', fromTrustedProxy: true })), mismatch);
  // The owner binding: alice's laptop is refused to bob, allowed to an agent acting for alice.
  assert.deepEqual(await refused(auth.authenticate({ apiKey: bob, tlsSocket: socket(CERT) })), { code: 'forbidden', message: 'device `laptop` belongs to another principal' });
  const botKey = (await keys.create({ principal: 'bot' })).key;
  assert.equal((await auth.authenticate({ apiKey: botKey, onBehalfOf: 'alice', tlsSocket: socket(CERT) })).device?.id, 'laptop');
  assert.equal((await refused(auth.authenticate({ apiKey: botKey, tlsSocket: socket(CERT) }))).code, 'forbidden', 'the agent on its own');
  assert.equal((await auth.authenticate({ apiKey: bob, deviceId: 'kiosk', fromTrustedProxy: true })).device?.compliant, false, 'a device without an owner serves anyone');
  // Without the mTLS listener, a certificate proves no device.
  const off = await setup({ mtlsEnabled: false });
  assert.equal((await off.auth.authenticate({ apiKey: (await off.keys.create({ principal: 'alice' })).key, tlsSocket: socket(CERT) })).device, undefined);
});

test('the act claim: its subject is bounded like a subject, null is no claim, and a header must name the same user', async () => {
  const { auth, idp: key } = await setup();
  const bearer = async (act: unknown) => `Bearer ${await mint(key, { claims: { act } })}`;
  const unusable = { code: 'invalid_token', message: 'the token has an unusable `act` claim' };
  assert.deepEqual(await refused(auth.authenticate({ authorization: await bearer({ sub: 'a'.repeat(257) }) })), unusable);
  assert.deepEqual(await refused(auth.authenticate({ authorization: await bearer('bot') })), unusable);
  assert.deepEqual(await refused(auth.authenticate({ authorization: await bearer({ sub: 7 }) })), unusable);
  // 256 characters is a usable actor: refused only because no such agent may act for alice.
  assert.deepEqual(await refused(auth.authenticate({ authorization: await bearer({ sub: 'a'.repeat(256) }) })), { code: 'forbidden', message: `agent \`${'a'.repeat(256)}\` may not act for \`alice\`` });
  assert.equal((await auth.authenticate({ authorization: await bearer(null) })).delegation, undefined, 'act: null is no delegation');
  const acting = await auth.authenticate({ authorization: await bearer({ sub: 'bot' }), onBehalfOf: 'alice' });
  assert.deepEqual([acting.principal.id, acting.delegation?.onBehalfOf.id], ['bot', 'alice'], 'a header naming the same user agrees with the claim');
  assert.deepEqual(await refused(auth.authenticate({ authorization: await bearer({ sub: 'bot' }), onBehalfOf: 'bob' })), { code: 'forbidden', message: 'the on-behalf-of header contradicts the token' });
  // An agent acting for itself is refused even when its groups would allow it.
  const selfish = await setup();
  assert.deepEqual(await refused(selfish.auth.authenticate({ authorization: `Bearer ${await mint(key, { subject: 'bot' })}`, onBehalfOf: 'bot' })), { code: 'forbidden', message: 'agent `bot` may not act for `bot`' });
});

test('JWT groups and roles: list entries of 1 to 200 characters, added to the configured ones without duplicates', async () => {
  const { auth, idp: key } = await setup();
  const identity = await auth.authenticate({ authorization: `Bearer ${await mint(key, { claims: { groups: ['engineering', 'g'.repeat(200), 'g'.repeat(201), ''], roles: ['user', 'r'] } })}` });
  assert.deepEqual(identity.principal.groups, ['engineering', 'g'.repeat(200)]);
  assert.deepEqual(identity.principal.roles, ['user', 'r']);
  assert.deepEqual((await auth.authenticate({ authorization: `Bearer ${await mint(key, { claims: { scope: ['x', 'y'] } })}` })).authentication.scopes, ['x', 'y'], 'scope as a list');
  assert.deepEqual((await auth.authenticate({ authorization: `Bearer ${await mint(key, { claims: { scope: 'x', scp: ['y'] } })}` })).authentication.scopes, ['x'], 'scope before scp');
  assert.deepEqual((await auth.authenticate({ authorization: `Bearer ${await mint(key)}` })).authentication.scopes, [], 'no scope claim');
});
