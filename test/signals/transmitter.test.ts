/**
 * The transmitter against real HTTP receivers: what Warden transmits for which event, a refused SET (400)
 * dead at once, an unreachable receiver retried with backoff, and the outbox surviving a new transmitter.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import type { WardenEvent } from '../../src/core/events.js';
import { Directory } from '../../src/identity/directory.js';
import { signalsConfigSchema } from '../../src/signals/config.js';
import { loadSigningKey } from '../../src/signals/signing-key.js';
import { SqliteSignalsRepository } from '../../src/signals/store/sqlite.js';
import { outgoingFor, Transmitter } from '../../src/signals/transmitter.js';
import { openDatabase } from '../../src/store/index.js';
import { tempDir } from '../helpers/warden-process.js';

const base = { id: 'e1', time: '2026-06-01T12:00:00.000Z' };
const response = (action: string, status: string, params: Record<string, unknown> = {}): WardenEvent => ({ ...base, type: 'response', action, target: { type: 'User', id: 'alice' }, reason: 'r', details: { status, params } });

test('what is transmitted: refusing actions in force, and risk crossing a level', () => {
  assert.equal(outgoingFor(response('revoke_credentials', 'active'))?.event, 'session-revoked');
  assert.equal(outgoingFor(response('quarantine', 'active'))?.event, 'session-revoked');
  assert.equal(outgoingFor(response('quarantine', 'active', { mode: 'step_up' })), undefined, 'a step-up quarantine ends no session');
  assert.equal(outgoingFor(response('revoke_credentials', 'pending')), undefined, 'not yet in force');
  assert.equal(outgoingFor(response('notify', 'active')), undefined);
  const risk = (previous: number, score: number): WardenEvent => ({ ...base, type: 'risk', principal: { type: 'User', id: 'alice' }, previous, score, threshold: 50, direction: score > previous ? 'up' : 'down', factors: [] });
  assert.deepEqual(outgoingFor(risk(20, 85))?.fields, { principal: 'USER', current_level: 'HIGH', previous_level: 'LOW', risk_reason: 'Warden risk score 20 -> 85' });
  assert.equal(outgoingFor(risk(55, 60)), undefined, 'same level');
});

async function receiver(status: number): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => res.writeHead(status, { 'content-type': 'application/json' }).end(status === 400 ? JSON.stringify({ err: 'invalid_key', description: 'unknown key' }) : undefined));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, hits: () => hits, close: () => new Promise((r) => server.close(() => r())) };
}

test('a 400 is final (dead at once); an unreachable receiver is retried; the outbox outlives the transmitter', async () => {
  const refusing = await receiver(400);
  const unreachable = await receiver(202);
  await unreachable.close();
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const key = await loadSigningKey(JSON.stringify(await exportJWK(privateKey)), {});
  const config = signalsConfigSchema.parse({
    transmitter: { enabled: true, issuer: 'https://warden.test', signingKey: 'inline', initialBackoffMs: 60_000, receivers: [{ name: 'refusing', url: refusing.url, audience: 'a' }, { name: 'down', url: unreachable.url, audience: 'b' }] },
  }).transmitter;
  const dir = tempDir();
  const repo = new SqliteSignalsRepository(openDatabase(dir));
  const transmitter = new Transmitter({ config, key, repo, directory: new Directory([], []), env: {}, issuer: () => 'https://warden.test' });
  assert.equal(await transmitter.transmit(response('revoke_credentials', 'active')), 2);
  const deadline = Date.now() + 10_000;
  while ((await repo.listOutbox({ status: 'pending' })).some((m) => m.attempts === 0) || (await repo.listOutbox({ status: 'dead' })).length === 0) {
    assert.ok(Date.now() < deadline, 'the first attempts did not finish');
    await new Promise((r) => setTimeout(r, 20));
  }
  await transmitter.stop();
  const [dead] = await repo.listOutbox({ status: 'dead' });
  assert.equal(dead!.receiver, 'refusing');
  assert.equal(dead!.attempts, 1);
  assert.match(dead!.lastError!, /400: .*invalid_key/);
  assert.equal(refusing.hits(), 1);
  const [pending] = await new SqliteSignalsRepository(openDatabase(dir)).listOutbox({ status: 'pending' });
  assert.equal(pending!.receiver, 'down');
  assert.equal(pending!.attempts, 1);
  assert.ok(Date.parse(pending!.nextAttemptAt) > Date.now() + 20_000, 'backed off');
  await refusing.close();
});

test('the signing key: a private JWK or a PKCS#8 PEM; a public key alone is refused', async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const fromJwk = await loadSigningKey(JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'k-1' }), {});
  assert.equal(fromJwk.kid, 'k-1');
  assert.equal(fromJwk.jwks.keys[0]!.d, undefined, 'the published JWKS has no private member');
  const { exportPKCS8 } = await import('jose');
  const fromPem = await loadSigningKey('env:KEY', { KEY: await exportPKCS8(privateKey) });
  assert.equal(fromPem.alg, 'ES256');
  assert.equal(fromPem.jwks.keys[0]!.d, undefined);
  await assert.rejects(loadSigningKey(JSON.stringify(await exportJWK(publicKey)), {}), /could not be read/);
});
