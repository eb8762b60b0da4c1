/**
 * Identity behaviour that the mutation check (`npm run mutate -- identity`, docs/mutation.md) found
 * unchecked: the mTLS identity, API-key edges (x-api-key, disabled keys, expiry boundary, revocation
 * answers, demo keys), the claims a JWT maps to, the delegation header and each refusal's reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { WardenError } from '../../src/core/errors.js';
import type { ApiKeyStore} from '../../src/identity/index.js';
import { Authenticator, Directory, JwtVerifier } from '../../src/identity/index.js';
import { hashKey, looksLikeApiKey } from '../../src/identity/apikeys.js';
import { identityFromCertificate } from '../../src/identity/mtls.js';
import { openDatabase } from '../../src/store/index.js';
import { makeKey, mint, type TestKey } from '../helpers/jwks.js';
import { tempDir } from '../helpers/warden-process.js';
import { sqliteKeyStore } from '../helpers/key-store.js';

function refusal(error: unknown): { code: string; message: string } {
  assert.ok(error instanceof WardenError, String(error));
  return { code: error.code, message: error.message };
}

/** A TLS socket as far as mtls.ts reads it. */
function socket(authorized: boolean, cert: { raw?: Buffer; subjectaltname?: string; subject?: { CN?: string | string[] } } | undefined): TLSSocket {
  return { authorized, getPeerCertificate: () => cert } as unknown as TLSSocket;
}

const RAW = Buffer.from('certificate bytes');
const FINGERPRINT = createHash('sha256').update(RAW).digest('hex').slice(0, 32);

test('mTLS: the SPIFFE URI SAN wins over the CN; an unauthorised or empty certificate gives no identity', async () => {
  assert.deepEqual(identityFromCertificate(socket(true, { raw: RAW, subjectaltname: 'DNS:svc.local, URI:https://x.test/y, URI:spiffe://corp.test/ns/prod/sa/billing', subject: { CN: 'billing' } })), {
    id: 'spiffe://corp.test/ns/prod/sa/billing',
    spiffeId: 'spiffe://corp.test/ns/prod/sa/billing',
    fingerprint: FINGERPRINT,
  });
  assert.equal(FINGERPRINT.length, 32);
  assert.deepEqual(identityFromCertificate(socket(true, { raw: RAW, subjectaltname: 'DNS:svc.local', subject: { CN: 'billing' } })), { id: 'billing', fingerprint: FINGERPRINT });
  assert.deepEqual(identityFromCertificate(socket(true, { raw: RAW, subject: { CN: ['first', 'second'] } })), { id: 'first', fingerprint: FINGERPRINT });
  assert.equal(identityFromCertificate(socket(true, { raw: RAW, subject: {} })), undefined);
  assert.equal(identityFromCertificate(socket(false, { raw: RAW, subject: { CN: 'billing' } })), undefined);
  assert.equal(identityFromCertificate(socket(true, { subject: { CN: 'billing' } })), undefined);
  assert.equal(identityFromCertificate(socket(true, undefined)), undefined);
});

interface Setup {
  auth: Authenticator;
  keys: ApiKeyStore;
  idp: TestKey;
}

async function setup(options: { apiKeysEnabled?: boolean; mtlsEnabled?: boolean; jwt?: boolean } = {}): Promise<Setup> {
  const dir = tempDir();
  const idp = await makeKey('k1', 'ES256');
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [idp.jwk] }));
  const config = configSchema.parse({
    identity: { jwt: options.jwt === false ? [] : [{ issuer: 'https://idp.test', audience: 'warden', jwksFile: join(dir, 'jwks.json'), algorithms: ['ES256'], clockSkewSeconds: 0 }] },
    principals: [
      { id: 'alice', groups: ['engineering'], roles: ['user'], attributes: { team: 'core' } },
      { id: 'carol', groups: ['finance'] },
      { id: 'svc', kind: 'Service' },
      { id: 'bot', kind: 'Agent', groups: ['agents'], mayActFor: ['group:engineering', 'dave'] },
    ],
    devices: [{ id: 'laptop', managed: true, compliant: true, osPatched: true, diskEncrypted: true, platform: 'macos' }],
  });
  const keys = await sqliteKeyStore(openDatabase(dir));
  const auth = new Authenticator({
    apiKeys: keys,
    jwt: new JwtVerifier(config.identity.jwt, (p) => p),
    directory: new Directory(config.principals, config.devices),
    apiKeysEnabled: options.apiKeysEnabled ?? true,
    mtlsEnabled: options.mtlsEnabled ?? true,
  });
  return { auth, keys, idp };
}

test('mTLS: a verified client certificate is a Service principal with strength 3; without the listener enabled it is not used', async () => {
  const { auth } = await setup();
  const identity = await auth.authenticate({ tlsSocket: socket(true, { raw: RAW, subject: { CN: 'svc' } }) });
  assert.deepEqual(identity.principal, { kind: 'Service', id: 'svc', attributes: {}, groups: [], roles: [] });
  assert.deepEqual(identity.authentication, { method: 'mtls', strength: 3, mfa: false, credentialId: `sha256:${FINGERPRINT}`, scopes: ['*'] });
  const unknown = await auth.authenticate({ tlsSocket: socket(true, { raw: RAW, subject: { CN: 'batch-job' } }) });
  assert.equal(unknown.principal.kind, 'Service');
  await assert.rejects(auth.authenticate({ tlsSocket: socket(false, { raw: RAW, subject: { CN: 'svc' } }) }), (e) => {
    assert.deepEqual(refusal(e), { code: 'unauthenticated', message: 'the client certificate is missing or not trusted' });
    return true;
  });
  const off = await setup({ mtlsEnabled: false });
  await assert.rejects(off.auth.authenticate({ tlsSocket: socket(true, { raw: RAW, subject: { CN: 'svc' } }) }), (e) => refusal(e).code === 'unauthenticated');
});

test('API keys: accepted from x-api-key or as a bearer, refused when disabled, with the record in the identity', async () => {
  const { auth, keys } = await setup();
  const { key, record } = await keys.create({ principal: 'alice', name: 'ci', scopes: ['chat', 'embeddings'] });
  assert.equal(looksLikeApiKey(key), true);
  assert.equal(looksLikeApiKey(`x${key}`), false);
  for (const credentials of [{ apiKey: key }, { authorization: `Bearer ${key}` }, { authorization: `bearer   ${key}  ` }]) {
    const identity = await auth.authenticate(credentials);
    assert.equal(identity.principal.id, 'alice');
    assert.deepEqual(identity.principal.groups, ['engineering']);
    assert.deepEqual(identity.authentication, { method: 'apikey', strength: 1, mfa: false, credentialId: record.id, scopes: ['chat', 'embeddings'] });
  }
  const off = await setup({ apiKeysEnabled: false });
  const other = await off.keys.create({ principal: 'alice' });
  await assert.rejects(off.auth.authenticate({ apiKey: other.key }), (e) => {
    assert.deepEqual(refusal(e), { code: 'unauthenticated', message: 'API keys are disabled' });
    return true;
  });
  await assert.rejects(auth.authenticate({ authorization: `Bearer ${key} extra` }), (e) => {
    assert.deepEqual(refusal(e), { code: 'unauthenticated', message: 'the authorization header must use the Bearer (or, for session tokens, DPoP) scheme' });
    return true;
  });
  await assert.rejects(auth.authenticate({ authorization: `Bearer` }), (e) => refusal(e).code === 'unauthenticated');
  await assert.rejects(auth.authenticate({ authorization: `xBearer ${key}` }), (e) => refusal(e).code === 'unauthenticated');
});

test('API key store: records, listing per principal, expiry at the exact instant, revocation answers, last use written in a batch', async () => {
  const db = openDatabase(tempDir());
  const store = await sqliteKeyStore(db);
  const expiresAt = new Date(Date.now() + 60_000);
  const a = await store.create({ principal: 'alice', name: 'laptop', expiresAt });
  const b = await store.create({ principal: 'bob' });
  assert.match(a.key, /^wdn_[a-z0-9]{12}_[A-Za-z0-9]{32}$/);
  assert.deepEqual(a.record, { id: a.key.slice(4, 16), principal: 'alice', name: 'laptop', scopes: ['*'], createdAt: a.record.createdAt, expiresAt: expiresAt.toISOString(), revokedAt: null, lastUsedAt: null });
  assert.equal(b.record.name, '');
  assert.equal(b.record.expiresAt, null);
  assert.deepEqual((await store.list('alice')).map((r) => r.id), [a.record.id]);
  assert.deepEqual((await store.list()).map((r) => r.id).sort(), [a.record.id, b.record.id].sort());
  // valid up to the instant before expiry, refused at it
  assert.equal(store.verify(a.key, expiresAt.getTime() - 1).principal, 'alice');
  assert.throws(() => store.verify(a.key, expiresAt.getTime()), (e) => refusal(e).message === 'the API key has expired');
  // last use is recorded in memory at once and on disk only when flushed
  const used = store.verify(b.key, Date.parse('2030-01-02T03:04:05.000Z'));
  assert.equal(used.lastUsedAt, '2030-01-02T03:04:05.000Z');
  assert.equal((await store.list('bob'))[0]!.lastUsedAt, null);
  await store.flushLastUsed();
  assert.equal((await store.list('bob'))[0]!.lastUsedAt, '2030-01-02T03:04:05.000Z');
  // revoking: true for a key (also when already revoked), false for no such key
  assert.equal(await store.revoke(b.record.id), true);
  assert.equal(await store.revoke(b.record.id), true);
  assert.equal(await store.revoke('zzzzzzzzzzzz'), false);
  assert.ok((await store.list('bob'))[0]!.revokedAt, 'the revocation is stored');
  assert.throws(() => store.verify(b.key), (e) => refusal(e).message === 'the API key has been revoked');
  // a well-formed key whose id exists but whose secret differs is refused without saying which part was wrong
  const wrongSecret = `${a.key.slice(0, 17)}${'A'.repeat(32)}`;
  assert.throws(() => store.verify(wrongSecret), (e) => {
    assert.deepEqual(refusal(e), { code: 'invalid_api_key', message: 'the API key is invalid, expired or revoked' });
    return true;
  });
  await assert.rejects(store.create({ principal: 'x', key: 'wdn_short_key' }), (e) => refusal(e).code === 'bad_request');
  assert.deepEqual(hashKey(a.key), createHash('sha256').update(a.key).digest());
});

test('JWT claims: scopes, jti, kind, roles, email, amr-based MFA and an unknown device', async () => {
  const { auth, idp } = await setup();
  const token = await mint(idp, {
    subject: 'erin',
    claims: { scope: 'chat  embed', jti: 'j'.repeat(200), warden_kind: 'Service', roles: ['admin', '', 7], groups: 'not-a-list', email: 'erin@corp.test', amr: ['MFA'], device_id: 'phone' },
  });
  const identity = await auth.authenticate({ authorization: `Bearer ${token}` });
  assert.deepEqual(identity.principal, { kind: 'Service', id: 'erin', attributes: { email: 'erin@corp.test' }, groups: [], roles: ['admin'] });
  const { issuedAt, ...authentication } = identity.authentication;
  assert.deepEqual(authentication, { method: 'jwt', strength: 2, mfa: true, scopes: ['chat', 'embed'], credentialId: 'j'.repeat(128) });
  // The token's `iat`, which revocations by issue time compare against.
  assert.ok(issuedAt !== undefined && Math.abs(issuedAt - Date.now() / 1000) < 600, `issuedAt ${issuedAt}`);
  assert.deepEqual(identity.device, { id: 'phone', managed: false, compliant: false, osPatched: false, diskEncrypted: false, platform: 'unknown', proof: 'token' });
  // scp as a list; an unknown kind falls back to User; a configured principal keeps its attributes
  const known = await auth.authenticate({ authorization: `Bearer ${await mint(idp, { claims: { scp: ['a', 'b'], warden_kind: 'Robot', email: 'spoof@evil.test', amr: ['pwd'], acr: '1' } })}` });
  assert.deepEqual(known.principal, { kind: 'User', id: 'alice', attributes: { team: 'core' }, groups: ['engineering'], roles: ['user'] });
  assert.deepEqual({ ...known.authentication, issuedAt: undefined }, { method: 'jwt', strength: 1, mfa: false, scopes: ['a', 'b'], issuedAt: undefined });
  assert.equal(known.device, undefined);
  // auth age is never negative (auth_time in the future)
  const future = await auth.authenticate({ authorization: `Bearer ${await mint(idp, { claims: { auth_time: Math.floor(Date.now() / 1000) + 3600 } })}` });
  assert.equal(future.authentication.ageSeconds, 0);
  const aged = await auth.authenticate({ authorization: `Bearer ${await mint(idp, { claims: { auth_time: 1000 } })}` }, 1_000_000 * 1000 + 999);
  assert.equal(aged.authentication.ageSeconds, 999_000);
});

test('JWT: a subject that is empty or over 256 characters is refused; 256 is accepted', async () => {
  const { auth, idp } = await setup();
  const ok = await auth.authenticate({ authorization: `Bearer ${await mint(idp, { subject: 's'.repeat(256) })}` });
  assert.equal(ok.principal.id.length, 256);
  for (const subject of ['', 's'.repeat(257)]) {
    await assert.rejects(auth.authenticate({ authorization: `Bearer ${await mint(idp, { subject })}` }), (e) => {
      assert.deepEqual(refusal(e), { code: 'invalid_token', message: 'the token has no usable subject' });
      return true;
    });
  }
});

test('JWT refusals say why: untrusted issuer, wrong audience, algorithm, unknown kid, no issuer configured, malformed', async () => {
  const { auth, idp } = await setup();
  const message = async (token: string): Promise<string> => {
    let seen = '';
    await assert.rejects(auth.authenticate({ authorization: `Bearer ${token}` }), (e) => {
      const r = refusal(e);
      assert.equal(r.code, 'invalid_token');
      seen = r.message;
      return true;
    });
    return seen;
  };
  assert.equal(await message(await mint(idp, { issuer: 'https://evil.test' })), 'the token issuer is not trusted');
  assert.equal(await message(await mint(idp, { audience: 'other' })), "the token's `aud` claim is not acceptable");
  assert.equal(await message(await mint(await makeKey('k9', 'ES256'))), 'no key matches the token `kid`');
  const rsa = await makeKey('k1', 'RS256');
  assert.equal(await message(await mint(rsa)), 'the token algorithm is not allowed');
  assert.equal(await message('a.b.c'), 'the bearer token is malformed');
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  assert.equal(await message(`${b64({ alg: 'NONE' })}.${b64({ iss: 'https://idp.test' })}.`), 'unsigned tokens are not accepted');
  assert.equal(await message(`${b64({ alg: 7 })}.${b64({ iss: 'https://idp.test' })}.`), 'unsigned tokens are not accepted');
  assert.equal(await message(`${b64({ alg: 'ES256' })}.${b64({ sub: 'alice' })}.sig`), 'the token issuer is not trusted');
  const none = await setup({ jwt: false });
  await assert.rejects(none.auth.authenticate({ authorization: `Bearer ${await mint(idp)}` }), (e) => {
    assert.deepEqual(refusal(e), { code: 'invalid_token', message: 'no token issuer is configured' });
    return true;
  });
});

test('delegation: an act claim with an empty actor is ignored; the header works by user id or group, and is refused otherwise', async () => {
  const { auth, idp } = await setup();
  // a malformed act claim is refused, never ignored (one delegation check for the claim and the header)
  await assert.rejects(auth.authenticate({ authorization: `Bearer ${await mint(idp, { claims: { act: { sub: '' } } })}` }), (e) => refusal(e).code === 'invalid_token');
  const bot = async (onBehalfOf: string) => auth.authenticate({ authorization: `Bearer ${await mint(idp, { subject: 'bot' })}`, onBehalfOf });
  const viaGroup = await bot('alice');
  assert.equal(viaGroup.principal.id, 'bot');
  assert.equal(viaGroup.delegation?.actor.id, 'bot');
  assert.equal(viaGroup.delegation?.onBehalfOf.id, 'alice');
  assert.equal((await bot('dave')).delegation?.onBehalfOf.id, 'dave');
  await assert.rejects(bot('carol'), (e) => {
    assert.deepEqual(refusal(e), { code: 'forbidden', message: 'agent `bot` may not act for `carol`' });
    return true;
  });
  await assert.rejects(auth.authenticate({ authorization: `Bearer ${await mint(idp)}`, onBehalfOf: 'carol' }), (e) => {
    assert.deepEqual(refusal(e), { code: 'forbidden', message: 'only agents may act on behalf of a user' });
    return true;
  });
  // an act claim already carries the delegation: a header naming somebody else contradicts it
  await assert.rejects(auth.authenticate({ authorization: `Bearer ${await mint(idp, { claims: { act: { sub: 'bot' } } })}`, onBehalfOf: 'carol' }));
});
