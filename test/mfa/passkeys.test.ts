/**
 * Passkey ceremonies across a cluster: two `Passkeys` services, each on its own connection pool to one
 * PostgreSQL schema (two instances behind a round-robin balancer), with a software authenticator that
 * signs what @simplewebauthn's verification checks. The options come from one instance and the response
 * goes to the other; a ceremony completes once even when both instances race for it, and only for the
 * principal and the kind of ceremony it was started for.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { InProcessBus } from '../../src/events/index.js';
import { TotpFactors } from '../../src/mfa/factors.js';
import { MemoryLockout } from '../../src/mfa/lockout.js';
import { Passkeys, type RelyingParty } from '../../src/mfa/passkeys.js';
import { SecretBox } from '../../src/mfa/secret-box.js';
import { PostgresMfaRepository } from '../../src/mfa/store/postgres.js';
import { openPostgres, type PgPool } from '../../src/store/postgres.js';
import { freshSchema, TEST_DATABASE_URL, type TestSchema } from '../helpers/postgres.js';

const rp: RelyingParty = { name: 'Warden', id: 'localhost', origin: 'http://localhost:8080' };
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
const b64url = (data: Uint8Array) => Buffer.from(data).toString('base64url');

/** A platform authenticator with user verification, attestation "none" and a growing signature counter. */
class SoftAuthenticator {
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  private readonly credentialId = randomBytes(16);
  private counter = 0;

  register(options: PublicKeyCredentialCreationOptionsJSON): RegistrationResponseJSON {
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    // COSE_Key: kty EC2, alg ES256, crv P-256, x, y.
    const coseKey = isoCBOR.encode(new Map<number, number | Uint8Array>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x!, 'base64url')], [-3, Buffer.from(jwk.y!, 'base64url')]]));
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    // Flags: user present, user verified, attested credential data; then an all-zero AAGUID.
    const authData = Buffer.concat([this.authData(0x45), Buffer.alloc(16), idLength, this.credentialId, coseKey]);
    const attestationObject = isoCBOR.encode(new Map<string, string | Uint8Array | Map<string, string>>([['fmt', 'none'], ['attStmt', new Map<string, string>()], ['authData', authData]]));
    const id = b64url(this.credentialId);
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: { clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge)), attestationObject: b64url(attestationObject), transports: ['internal'] },
      clientExtensionResults: {},
    };
  }

  assert(options: PublicKeyCredentialRequestOptionsJSON): AuthenticationResponseJSON {
    this.counter += 1;
    const authData = this.authData(0x05);
    const clientData = this.clientData('webauthn.get', options.challenge);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.keys.privateKey);
    const id = b64url(this.credentialId);
    return { id, rawId: id, type: 'public-key', response: { clientDataJSON: b64url(clientData), authenticatorData: b64url(authData), signature: b64url(signature) }, clientExtensionResults: {} };
  }

  private authData(flags: number): Buffer {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    return Buffer.concat([sha256(rp.id), Buffer.from([flags]), counter]);
  }

  private clientData(type: string, challenge: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: rp.origin, crossOrigin: false }));
  }
}

let schema: TestSchema;
let secondPool: PgPool;
let a: Passkeys;
let b: Passkeys;
const alice = new SoftAuthenticator();
const bob = new SoftAuthenticator();

/** One instance's service: its own repository object and lock-out, on the shared schema. */
async function instance(pool: PgPool, name: string): Promise<Passkeys> {
  const repo = await PostgresMfaRepository.open(pool);
  const key = randomBytes(32);
  const totp = new TotpFactors({
    repo,
    box: new SecretBox({ current: { id: 'k', key }, byId: new Map([['k', key]]) }),
    lockout: new MemoryLockout({ maxFailures: 5, windowSeconds: 300, lockSeconds: 900 }),
    bus: new InProcessBus({ onSubscriberError: () => undefined }),
    instanceId: name,
    issuer: 'Warden',
  });
  return new Passkeys(repo, rp, totp);
}

before(async () => {
  schema = await freshSchema('passkeys');
  secondPool = await openPostgres(TEST_DATABASE_URL, { schema: schema.schema, max: 4 });
  a = await instance(schema.pool, 'a');
  b = await instance(secondPool, 'b');
});

after(async () => {
  await secondPool?.end();
  await schema?.close();
});

test('a passkey registered and then used with the options from one instance and the response to the other', async () => {
  const registration = await a.registrationOptions('alice');
  const response = alice.register(registration.options);
  assert.match(await b.register('alice', registration.ceremonyId, response, 'key', 'alice'), /^f-/);
  await assert.rejects(a.register('alice', registration.ceremonyId, response, 'key', 'alice'), { code: 'challenge_not_found' }, 'used once, on any instance');

  const authentication = await b.authenticationOptions('alice');
  assert.deepEqual(await a.authenticate('alice', authentication.ceremonyId, alice.assert(authentication.options)), ['hwk', 'mfa']);

  const enrolBob = await b.registrationOptions('bob');
  await a.register('bob', enrolBob.ceremonyId, bob.register(enrolBob.options), 'key', 'bob');
});

test('two instances racing with one assertion: one verifies it, the other finds no ceremony', async () => {
  const { ceremonyId, options } = await a.authenticationOptions('alice');
  const response = alice.assert(options);
  const results = await Promise.allSettled([a.authenticate('alice', ceremonyId, response), b.authenticate('alice', ceremonyId, response)]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  assert.equal((refused.reason as { code: string }).code, 'challenge_not_found');
});

test('a ceremony id is refused for another principal and for another kind of ceremony, and is not used up by them', async () => {
  const { ceremonyId, options } = await a.authenticationOptions('alice');
  await assert.rejects(b.authenticate('bob', ceremonyId, bob.assert(options)), { code: 'challenge_not_found' });
  await assert.rejects(b.register('alice', ceremonyId, new SoftAuthenticator().register({ challenge: options.challenge } as PublicKeyCredentialCreationOptionsJSON), 'key', 'alice'), { code: 'challenge_not_found' });
  assert.deepEqual(await b.authenticate('alice', ceremonyId, alice.assert(options)), ['hwk', 'mfa']);
});

test("an assertion signed over another ceremony's challenge is refused", async () => {
  const first = await a.authenticationOptions('alice');
  const second = await b.authenticationOptions('alice');
  await assert.rejects(a.authenticate('alice', second.ceremonyId, alice.assert(first.options)), { code: 'mfa_verification_failed' });
});
