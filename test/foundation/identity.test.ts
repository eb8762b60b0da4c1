import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { WardenError } from '../../src/core/errors.js';
import { Authenticator, Directory, JwtVerifier } from '../../src/identity/index.js';
import { openDatabase } from '../../src/store/index.js';
import { makeKey, mint, unsignedToken } from '../helpers/jwks.js';
import { tempDir } from '../helpers/warden-process.js';
import { sqliteKeyStore } from '../helpers/key-store.js';

function code(error: unknown): string {
  assert.ok(error instanceof WardenError, String(error));
  return error.code;
}

test('API keys: shown once, stored hashed, scoped, expiring and revocable', async () => {
  const db = openDatabase(tempDir());
  const store = await sqliteKeyStore(db);
  const { key, record } = await store.create({ principal: 'alice', scopes: ['chat'] });
  assert.match(key, /^wdn_[a-z0-9]{12}_[A-Za-z0-9]{32}$/);
  const raw = JSON.stringify(db.prepare('SELECT * FROM api_keys').all());
  assert.ok(!raw.includes(key.split('_')[2]!), 'the secret part is not stored');
  assert.deepEqual(store.verify(key).scopes, ['chat']);
  await store.flushLastUsed();
  assert.ok((await store.list('alice'))[0]!.lastUsedAt, 'last use is recorded');
  assert.throws(() => store.verify(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A')), (e) => code(e) === 'invalid_api_key');
  assert.throws(() => store.verify('wdn_zzzzzzzzzzzz_' + 'A'.repeat(32)), (e) => code(e) === 'invalid_api_key');
  assert.throws(() => store.verify('not-a-key'), (e) => code(e) === 'invalid_api_key');
  assert.equal(await store.revoke(record.id), true, 'revoking an existing key answers true');
  assert.throws(() => store.verify(key), /revoked/);
  const expiring = await store.create({ principal: 'bob', expiresAt: new Date(Date.now() + 1000) });
  assert.equal(store.verify(expiring.key).principal, 'bob');
  assert.throws(() => store.verify(expiring.key, Date.now() + 2000), /expired/);
});

test('API key changes made by another process are seen after refresh', async () => {
  const dir = tempDir();
  const running = await sqliteKeyStore(openDatabase(dir));
  const cli = await sqliteKeyStore(openDatabase(dir));
  const { key, record } = await cli.create({ principal: 'alice' });
  await running.refresh();
  assert.equal(running.verify(key).principal, 'alice');
  await cli.revoke(record.id);
  await running.refresh();
  assert.throws(() => running.verify(key), /revoked/);
});

// One pair of RSA keys for the file: generating them per test was most of its run time, which the
// mutation check pays once per mutant.
const keyPair = Promise.all([makeKey('k1'), makeKey('k2')]);

async function jwtSetup() {
  const dir = tempDir();
  const [good, other] = await keyPair;
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [good.jwk] }));
  const config = configSchema.parse({
    identity: { jwt: [{ issuer: 'https://idp.test', audience: 'warden', jwksFile: join(dir, 'jwks.json'), algorithms: ['RS256'], clockSkewSeconds: 5 }] },
    principals: [
      { id: 'alice', groups: ['engineering'], roles: ['user'] },
      { id: 'bot', kind: 'Agent', groups: ['agents'], mayActFor: ['group:engineering'] },
    ],
    devices: [{ id: 'laptop', managed: true, compliant: true }],
  });
  const directory = new Directory(config.principals, config.devices);
  const auth = new Authenticator({
    apiKeys: await sqliteKeyStore(openDatabase(dir)),
    jwt: new JwtVerifier(config.identity.jwt, (p) => p),
    directory,
    apiKeysEnabled: true,
    mtlsEnabled: true,
  });
  return { auth, good, other };
}

test('JWT: a valid token yields the principal, MFA strength, auth age, groups and device', async () => {
  const { auth, good } = await jwtSetup();
  const now = Math.floor(Date.now() / 1000);
  const token = await mint(good, { claims: { amr: ['pwd', 'mfa'], auth_time: now - 60, groups: ['sso-group'], device_id: 'laptop' } });
  const identity = await auth.authenticate({ authorization: `Bearer ${token}` });
  assert.equal(identity.principal.id, 'alice');
  assert.deepEqual(identity.principal.groups.sort(), ['engineering', 'sso-group']);
  assert.equal(identity.authentication.mfa, true);
  assert.equal(identity.authentication.strength, 2);
  assert.ok(identity.authentication.ageSeconds! >= 59 && identity.authentication.ageSeconds! < 120, `ageSeconds ${identity.authentication.ageSeconds}`);
  assert.equal(identity.device?.managed, true);
});

test('JWT: expired, not yet valid, wrong audience, wrong issuer, unknown kid, alg none and HS confusion are refused', async () => {
  const { auth, good, other } = await jwtSetup();
  const reject = async (token: string, expected: string) => {
    await assert.rejects(auth.authenticate({ authorization: `Bearer ${token}` }), (e) => code(e) === expected);
  };
  await reject(await mint(good, { expiresIn: Math.floor(Date.now() / 1000) - 60 }), 'token_expired');
  await reject(await mint(good, { notBefore: Math.floor(Date.now() / 1000) + 600 }), 'invalid_token');
  await reject(await mint(good, { audience: 'someone-else' }), 'invalid_token');
  await reject(await mint(good, { issuer: 'https://evil.test' }), 'invalid_token');
  await reject(await mint(other), 'invalid_token');
  await reject(unsignedToken({ iss: 'https://idp.test', aud: 'warden', sub: 'alice', exp: Math.floor(Date.now() / 1000) + 300 }), 'invalid_token');
  // RS/HS confusion: an HS256 token "signed" with the RSA public key as the HMAC secret.
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64({ alg: 'HS256', kid: 'k1' })}.${b64({ iss: 'https://idp.test', aud: 'warden', sub: 'alice', exp: Math.floor(Date.now() / 1000) + 300 })}`;
  const forged = `${input}.${createHmac('sha256', JSON.stringify(good.jwk)).update(input).digest('base64url')}`;
  await reject(forged, 'invalid_token');
  await reject('garbage.token.here', 'invalid_token');
  await assert.rejects(auth.authenticate({ authorization: 'Basic abc' }), (e) => code(e) === 'unauthenticated');
  await assert.rejects(auth.authenticate({}), (e) => code(e) === 'unauthenticated');
});

test('delegation: an RFC 8693 act claim or an allowed agent header carries both identities', async () => {
  const { auth, good } = await jwtSetup();
  const token = await mint(good, { claims: { act: { sub: 'bot' } } });
  const identity = await auth.authenticate({ authorization: `Bearer ${token}` });
  assert.equal(identity.principal.id, 'bot');
  assert.equal(identity.principal.kind, 'Agent');
  assert.equal(identity.delegation?.onBehalfOf.id, 'alice');
  // A user cannot claim to act for someone else.
  const userToken = await mint(good);
  await assert.rejects(auth.authenticate({ authorization: `Bearer ${userToken}`, onBehalfOf: 'bob' }), (e) => code(e) === 'forbidden');
});
