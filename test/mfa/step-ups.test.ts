/** Challenges and DPoP proofs in-process: expiry, single use, freshness, and what a proof may not carry. */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { createLogger } from '../../src/core/logger.js';
import { InProcessBus } from '../../src/events/index.js';
import { DpopVerifier } from '../../src/mfa/dpop.js';
import { MemoryReplayCache } from '../../src/mfa/replay-cache.js';
import { SessionTokens } from '../../src/mfa/session-token.js';
import { StepUps } from '../../src/mfa/step-ups.js';
import { SqliteMfaRepository } from '../../src/mfa/store/sqlite.js';
import { openDatabase } from '../../src/store/database.js';
import type { Identity } from '../../src/core/types.js';
import { tempDir } from '../helpers/warden-process.js';

const dir = tempDir();
const db = openDatabase(dir);
after(() => (db.close(), rmSync(dir, { recursive: true, force: true })));
const repo = new SqliteMfaRepository(db);

function stepUps(challengeTtlSeconds: number): StepUps {
  const bus = new InProcessBus({ onSubscriberError: () => undefined });
  return new StepUps({ repo, tokens: new SessionTokens(randomBytes(32), 60), bus, logger: createLogger('silent'), instanceId: 't', publicUrl: () => 'http://localhost:1', challengeTtlSeconds, apiKeyElevationSeconds: 60, sessionTokenTtlSeconds: 60 });
}

const alice: Identity = { principal: { kind: 'User', id: 'alice', attributes: {}, groups: [], roles: [] }, authentication: { method: 'apikey', strength: 1, mfa: false, credentialId: 'key-1', scopes: ['*'] } };

test('an expired challenge cannot be completed', async () => {
  const service = stepUps(0);
  const id = randomUUID();
  assert.match(service.open(id, alice), new RegExp(`^http://localhost:1/auth/step-up/${id}\\?k=[\\w-]{24}$`));
  await assert.rejects(service.pending(id), { code: 'challenge_not_found' });
  const record = (await repo.getChallenge(id))!;
  await assert.rejects(service.complete(record, ['otp']), { code: 'challenge_not_found' });
  assert.equal(service.elevation('key-1'), undefined);
});

test('a challenge completes once and elevates only the key it was opened for', async () => {
  const service = stepUps(600);
  const id = randomUUID();
  service.open(id, alice);
  const challenge = await service.pending(id);
  const { elevatedUntil } = await service.complete(challenge, ['otp']);
  assert.ok(elevatedUntil);
  assert.equal(service.elevation('key-1')?.principal, 'alice');
  assert.equal(service.elevation('key-2'), undefined);
  await assert.rejects(service.complete(challenge, ['otp']), { code: 'challenge_not_found' });
  await assert.rejects(service.redeem(id, { ...alice, authentication: { ...alice.authentication, method: 'jwt' } }, { jkt: 'x' }), { code: 'conflict' });
});

test('DPoP: stale, future, wrong type, private key in the header, and a missing proof are refused', async () => {
  const verifier = new DpopVerifier(new MemoryReplayCache(), 60);
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const url = 'http://localhost:1/x';
  const proof = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT({ htm: 'GET', htu: url, jti: randomUUID(), ...claims }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk, ...header }).sign(privateKey);
  const now = Math.floor(Date.now() / 1000);
  const check = { method: 'GET', urls: [url] };
  assert.match(await verifier.verify(await proof({ iat: now }), check), /^[A-Za-z0-9_-]{43}$/);
  await assert.rejects(verifier.verify(await proof({ iat: now - 600 }), check), /not fresh/);
  await assert.rejects(verifier.verify(await proof({ iat: now + 600 }), check), /not fresh/);
  await assert.rejects(verifier.verify(await proof({ iat: now }, { typ: 'JWT' }), check), /dpop\+jwt/);
  await assert.rejects(verifier.verify(await proof({ iat: now }, { jwk: await exportJWK(privateKey) }), check), { code: 'invalid_dpop_proof' });
  await assert.rejects(verifier.verify(await proof({ iat: now, htm: 'POST' }), check), /another method/);
  await assert.rejects(verifier.verify(undefined, check), /required/);
});

test('the replay cache refuses a repeat, forgets stale entries, and fails closed when full', async () => {
  const cache = new MemoryReplayCache(2);
  assert.equal(await cache.add('a', 2000, 1000), true);
  assert.equal(await cache.add('a', 2000, 1500), false);
  assert.equal(await cache.add('b', 2000, 1500), true);
  assert.equal(await cache.add('c', 5000, 1500), false, 'full of live entries');
  assert.equal(await cache.add('c', 5000, 2500), true, 'stale ones were purged');
});

test("only the secret in the 401's URL lets a client attempt the challenge (a decision id alone does not)", async () => {
  const service = stepUps(600);
  const id = randomUUID();
  const secret = new URL(service.open(id, alice)).searchParams.get('k')!;
  const record = await waitForChallenge(id);
  assert.equal(record.secretHash?.length, 64, 'only its hash is stored');
  assert.equal(service.holdsSecret(record, secret), true);
  assert.equal(service.holdsSecret(record, undefined), false);
  assert.equal(service.holdsSecret(record, secret.slice(1) + 'A'), false);
  assert.equal(service.holdsSecret({ ...record, secretHash: null }, secret), false);
});

async function waitForChallenge(id: string) {
  for (;;) {
    const record = await repo.getChallenge(id);
    if (record) return record;
    await new Promise((r) => setImmediate(r));
  }
}
