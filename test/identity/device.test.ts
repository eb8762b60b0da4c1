/**
 * Finding 1: device posture is proven, never claimed. A device comes from an enrolled client certificate,
 * a trusted issuer's token claim, or the device header from a configured trusted proxy; a device bound to
 * an owner is refused for anybody else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { mint } from '../helpers/jwks.js';
import { code, identitySetup } from './setup.js';

const CERT = Buffer.from('a device certificate (DER bytes stand-in)');
const FINGERPRINT = createHash('sha256').update(CERT).digest('hex');
/** What the TLS listener hands over: a verified (or not) peer certificate. */
const socket = (raw: Buffer, authorized = true): TLSSocket => ({ encrypted: true, authorized, getPeerCertificate: () => ({ raw, subject: { CN: 'x' } }) }) as unknown as TLSSocket;

const devices = [
  // Colons and upper case as `openssl x509 -fingerprint -sha256` prints them.
  { id: 'alice-laptop', owner: 'alice', managed: true, compliant: true, certificates: [FINGERPRINT.toUpperCase().match(/../g)!.join(':')] },
  { id: 'kiosk', managed: true, compliant: true },
];

test('a device header from an ordinary client is not believed: the device is absent', async () => {
  const { auth, apiKeys } = await identitySetup({ devices });
  const { key } = await apiKeys.create({ principal: 'alice' });
  const identity = await auth.authenticate({ apiKey: key, deviceId: 'alice-laptop' });
  assert.equal(identity.device, undefined);
  // bob claiming alice's laptop gets nothing either.
  const bob = (await apiKeys.create({ principal: 'bob' })).key;
  assert.equal((await auth.authenticate({ apiKey: bob, deviceId: 'alice-laptop' })).device, undefined);
});

test('the device header from a trusted proxy is believed, and the owner binding still holds', async () => {
  const { auth, apiKeys } = await identitySetup({ devices });
  const alice = (await apiKeys.create({ principal: 'alice' })).key;
  const device = (await auth.authenticate({ apiKey: alice, deviceId: 'alice-laptop', fromTrustedProxy: true })).device;
  assert.deepEqual([device?.id, device?.managed, device?.proof], ['alice-laptop', true, 'proxy']);
  const bob = (await apiKeys.create({ principal: 'bob' })).key;
  await assert.rejects(auth.authenticate({ apiKey: bob, deviceId: 'alice-laptop', fromTrustedProxy: true }), (e) => code(e) === 'forbidden');
  // A device without an owner serves anyone.
  assert.equal((await auth.authenticate({ apiKey: bob, deviceId: 'kiosk', fromTrustedProxy: true })).device?.id, 'kiosk');
});

test('a client certificate enrolled for a device proves it; an untrusted one does not', async () => {
  const { auth, apiKeys } = await identitySetup({ devices });
  const alice = (await apiKeys.create({ principal: 'alice' })).key;
  const proven = await auth.authenticate({ apiKey: alice, tlsSocket: socket(CERT) });
  assert.deepEqual([proven.device?.id, proven.device?.proof], ['alice-laptop', 'certificate']);
  assert.equal((await auth.authenticate({ apiKey: alice, tlsSocket: socket(CERT, false) })).device, undefined);
  assert.equal((await auth.authenticate({ apiKey: alice, tlsSocket: socket(Buffer.from('another certificate')) })).device, undefined);
  const bob = (await apiKeys.create({ principal: 'bob' })).key;
  await assert.rejects(auth.authenticate({ apiKey: bob, tlsSocket: socket(CERT) }), (e) => code(e) === 'forbidden');
  // A proxy naming another device than the certificate proves is a contradiction, not a choice.
  await assert.rejects(auth.authenticate({ apiKey: alice, tlsSocket: socket(CERT), deviceId: 'kiosk', fromTrustedProxy: true }), (e) => code(e) === 'forbidden');
});

test('a trusted issuer\'s device claim is believed for its owner only, also through delegation', async () => {
  const { auth, good } = await identitySetup({ devices });
  const own = await auth.authenticate({ authorization: `Bearer ${await mint(good, { claims: { device_id: 'alice-laptop' } })}` });
  assert.deepEqual([own.device?.id, own.device?.proof], ['alice-laptop', 'token']);
  await assert.rejects(auth.authenticate({ authorization: `Bearer ${await mint(good, { subject: 'bob', claims: { device_id: 'alice-laptop' } })}` }), (e) => code(e) === 'forbidden');
  // The agent acting for alice may use alice's device.
  const delegated = await auth.authenticate({ authorization: `Bearer ${await mint(good, { claims: { device_id: 'alice-laptop', act: { sub: 'bot' } } })}` });
  assert.equal(delegated.device?.id, 'alice-laptop');
});

test('a fingerprint that is not 64 hex digits is a configuration error', async () => {
  await assert.rejects(identitySetup({ devices: [{ id: 'd', certificates: ['abc'] }] }), /SHA-256/);
});
