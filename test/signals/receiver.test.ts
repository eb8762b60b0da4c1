/**
 * SET verification without sockets (a JWKS file): each RFC 8935 refusal code, replay and freshness, and
 * the CAEP/RISC events parsed into signals with their subjects (RFC 9493 formats).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../src/core/logger.js';
import type { PostureReports } from '../../src/signals/devices/reports.js';
import type { PostureWebhooks } from '../../src/signals/devices/webhooks.js';
import type { SignalEffects } from '../../src/signals/effects.js';
import { SignalRoutes } from '../../src/signals/routes.js';
import { SignJWT } from 'jose';
import { Directory } from '../../src/identity/directory.js';
import { signalsConfigSchema } from '../../src/signals/config.js';
import { CAEP, RISC } from '../../src/signals/events.js';
import { SetReceiver } from '../../src/signals/receiver.js';
import { SetError } from '../../src/signals/set-error.js';
import { SqliteSignalsRepository } from '../../src/signals/store/sqlite.js';
import { openDatabase } from '../../src/store/index.js';
import { makeKey, unsignedToken, type TestKey } from '../helpers/jwks.js';
import { tempDir } from '../helpers/warden-process.js';

const ISS = 'https://idp.example';
const NOW = Date.now();

async function setup() {
  const dir = tempDir();
  const key = await makeKey('k1', 'ES256');
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [key.jwk] }));
  const config = signalsConfigSchema.parse({ receiver: { enabled: true, audience: 'warden', maxAgeSeconds: 300, transmitters: [{ issuer: ISS, jwksFile: 'jwks.json', algorithms: ['ES256'] }] } }).receiver;
  const directory = new Directory([{ id: 'alice', kind: 'User', attributes: { email: 'Alice@Example.com' }, groups: [], roles: [], mayActFor: [] }], []);
  const receiver = new SetReceiver({ config, repo: new SqliteSignalsRepository(openDatabase(dir)), directory, resolvePath: (p) => join(dir, p) });
  return { key, receiver };
}

function set(key: TestKey, events: Record<string, unknown>, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ sub_id: { format: 'opaque', id: 'alice' }, events, ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'secevent+jwt', ...header })
    .setIssuer(typeof claims.iss === 'string' ? claims.iss : ISS)
    .setAudience(typeof claims.aud === 'string' ? claims.aud : 'warden')
    .setIssuedAt(typeof claims.iat === 'number' ? claims.iat : Math.floor(NOW / 1000))
    .setJti(typeof claims.jti === 'string' ? claims.jti : randomUUID())
    .sign(key.privateKey);
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SetError, String(error));
    return error.err;
  }
  assert.fail('expected a refusal');
}

test('each CAEP and RISC event becomes a signal with its principal or device and time', async () => {
  const { key, receiver } = await setup();
  const t = Math.floor(NOW / 1000) - 5;
  const received = await receiver.receive(await set(key, { [`${CAEP}session-revoked`]: { event_timestamp: t } }), NOW);
  assert.ok('signal' in received);
  assert.deepEqual({ ...received.signal, jti: '' }, { kind: 'session-revoked', issuer: ISS, jti: '', principal: 'alice', eventTime: t * 1000, fields: { event_timestamp: t } });
  const byEmail = await receiver.receive(await set(key, { [`${RISC}credential-compromise`]: { credential_type: 'password' } }, { sub_id: { format: 'email', email: 'alice@example.com' } }), NOW);
  assert.ok('signal' in byEmail && byEmail.signal.principal === 'alice', 'email matched against the configured principal');
  const device = await receiver.receive(await set(key, { [`${CAEP}device-compliance-change`]: { current_status: 'not-compliant', previous_status: 'compliant' } }, { sub_id: { format: 'complex', device: { format: 'opaque', id: 'laptop-1' }, user: { format: 'iss_sub', iss: ISS, sub: 'alice' } } }), NOW);
  assert.ok('signal' in device && device.signal.device === 'laptop-1' && device.signal.principal === 'alice');
  const ignored = await receiver.receive(await set(key, { 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change': {} }), NOW);
  assert.ok('ignored' in ignored, 'an event type Warden does not process is acknowledged and ignored');
});

test('refusals carry the RFC 8935 codes', async () => {
  const { key, receiver } = await setup();
  const other = await makeKey('k1', 'ES256');
  const ev = { [`${CAEP}session-revoked`]: {} };
  assert.equal(await refusal(receiver.receive(await set(other, ev), NOW)), 'invalid_key', 'forged: same kid, another key');
  assert.equal(await refusal(receiver.receive(await set(key, ev, { iss: 'https://evil.example' }), NOW)), 'invalid_issuer');
  assert.equal(await refusal(receiver.receive(await set(key, ev, { aud: 'someone-else' }), NOW)), 'invalid_audience');
  assert.equal(await refusal(receiver.receive(unsignedToken({ iss: ISS, aud: 'warden', iat: Math.floor(NOW / 1000), jti: 'x', events: ev }), NOW)), 'invalid_request');
  assert.equal(await refusal(receiver.receive(await set(key, ev, {}, { typ: 'JWT' }), NOW)), 'invalid_request', 'not typed as a SET');
  assert.equal(await refusal(receiver.receive('not a jws', NOW)), 'invalid_request');
  assert.equal(await refusal(receiver.receive(await set(key, { ...ev, [`${RISC}account-disabled`]: {} }), NOW)), 'invalid_request', 'two events in one SET');
  assert.equal(await refusal(receiver.receive(await set(key, { [`${CAEP}credential-change`]: { credential_type: 'password' } }), NOW)), 'invalid_request', 'change_type missing');
  assert.equal(await refusal(receiver.receive(await set(key, ev, { sub_id: { format: 'iss_sub', iss: 'https://evil.example', sub: 'alice' } }), NOW)), 'invalid_request', 'a subject of another issuer');
});

test('a SET is accepted once (jti), only while fresh, never from the future', async () => {
  const { key, receiver } = await setup();
  const ev = { [`${CAEP}session-revoked`]: {} };
  const token = await set(key, ev);
  await receiver.receive(token, NOW);
  assert.equal(await refusal(receiver.receive(token, NOW)), 'invalid_request');
  assert.equal(await refusal(receiver.receive(await set(key, ev, { iat: Math.floor(NOW / 1000) - 301 }), NOW)), 'invalid_request', 'older than maxAgeSeconds');
  assert.equal(await refusal(receiver.receive(await set(key, ev, { iat: Math.floor(NOW / 1000) + 3600 }), NOW)), 'invalid_request', 'iat in the future');
  // An event_timestamp after the SET's iat cannot revoke credentials issued later than the SET.
  const ahead = await receiver.receive(await set(key, { [`${CAEP}session-revoked`]: { event_timestamp: Math.floor(NOW / 1000) + 3600 } }), NOW);
  assert.ok('signal' in ahead && ahead.signal.eventTime <= NOW);
});

test('a SET whose effect could not be stored is not acknowledged (500), and its retry is accepted, not taken for a replay', async () => {
  const { key, receiver } = await setup();
  let failures = 1;
  const applied: string[] = [];
  const effects = {
    apply: async (signal: { kind: string }) => {
      if (failures-- > 0) throw new Error('database unavailable');
      applied.push(signal.kind);
    },
  } as unknown as SignalEffects;
  const routes = new SignalRoutes({ receiver, effects, reports: {} as PostureReports, webhooks: {} as PostureWebhooks, logger: createLogger('silent') });
  const server = createServer((req, res) => void routes.handle(req, res, req.url!));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/signals/events`;
    const token = await set(key, { [`${CAEP}session-revoked`]: {} });
    const post = () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token });
    assert.equal((await post()).status, 500);
    assert.equal((await post()).status, 202);
    assert.equal((await post()).status, 400, 'once acknowledged, a replay');
    assert.deepEqual(applied, ['session-revoked']);
  } finally {
    await new Promise((r) => server.close(r));
  }
});
