/** One conformance suite for the Shared Signals repository, every case on SQLite and on a real PostgreSQL. */
import assert from 'node:assert/strict';
import { PostgresSignalsRepository } from '../../src/signals/store/postgres.js';
import { SqliteSignalsRepository } from '../../src/signals/store/sqlite.js';
import type { OutboxRecord, SignalsRepository } from '../../src/signals/store/types.js';
import { conformance } from '../store/backends.js';
import type { SqliteDatabase } from '../../src/store/index.js';
import type { PgPool } from '../../src/store/postgres.js';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:01:00.000Z';
const T2 = '2026-01-01T00:10:00.000Z';

const factories = { sqlite: (db: SqliteDatabase): SignalsRepository => new SqliteSignalsRepository(db), postgres: (pool: PgPool): Promise<SignalsRepository> => PostgresSignalsRepository.open(pool) };

conformance('a SET jti is accepted once per issuer, also across instances; expired ones are pruned', factories, async ({ open }) => {
  const a = await open();
  const b = await open();
  assert.equal(await a.useJti('https://idp', 'j1', T1), true);
  assert.equal(await b.useJti('https://idp', 'j1', T1), false, 'a replay through another instance');
  assert.equal(await a.useJti('https://other', 'j1', T1), true, 'jti is unique per issuer');
  const results = await Promise.all([a.useJti('https://idp', 'race', T2), b.useJti('https://idp', 'race', T2)]);
  assert.deepEqual(results.sort(), [false, true], 'concurrent uses: exactly one wins');
  await b.releaseJti('https://other', 'j1');
  assert.equal(await a.useJti('https://other', 'j1', T1), true, 'a released jti can be used again');
  assert.equal(await a.pruneJtis(T2), 2);
  assert.equal(await a.useJti('https://idp', 'race', T2), false, 'not yet expired');
});

conformance('principal state: the later revocation wins; disabling and assurance are independent', factories, async ({ open }) => {
  const repo = await open();
  await repo.revokeSessions('alice', T1, T1);
  await repo.revokeSessions('alice', T0, T2);
  await repo.setDisabled('bob', T1, T1);
  await repo.setAssurance('alice', { namespace: 'NIST-AAL', level: 'nist-aal1', at: T2 }, T2);
  const states = await (await open()).listPrincipalStates();
  assert.deepEqual(states, [
    { principal: 'alice', revokedBefore: T1, disabledAt: null, assurance: { namespace: 'NIST-AAL', level: 'nist-aal1', at: T2 }, updatedAt: T2 },
    { principal: 'bob', revokedBefore: null, disabledAt: T1, assurance: null, updatedAt: T1 },
  ]);
  await repo.setDisabled('bob', null, T2);
  assert.equal((await repo.listPrincipalStates())[1]!.disabledAt, null);
});

conformance('device keys: put (replacing), get, list, delete', factories, async ({ open }) => {
  const repo = await open();
  await repo.putDeviceKey({ device: 'd1', jwk: '{"kty":"EC"}', owner: 'alice', createdBy: 'admin', createdAt: T0 });
  await repo.putDeviceKey({ device: 'd1', jwk: '{"kty":"OKP"}', owner: null, createdBy: 'admin', createdAt: T1 });
  assert.deepEqual(await repo.getDeviceKey('d1'), { device: 'd1', jwk: '{"kty":"OKP"}', owner: null, createdBy: 'admin', createdAt: T1 });
  assert.equal((await repo.listDeviceKeys()).length, 1);
  assert.equal(await repo.deleteDeviceKey('d1'), true);
  assert.equal(await repo.deleteDeviceKey('d1'), false);
  assert.equal(await repo.getDeviceKey('d1'), undefined);
});

conformance('posture: per device and source; an older observation never replaces a newer one', factories, async ({ open }) => {
  const repo = await open();
  assert.equal(await repo.savePosture({ device: 'd1', source: 'report', facts: { compliant: true }, observedAt: T1, receivedAt: T1 }), true);
  assert.equal(await repo.savePosture({ device: 'd1', source: 'report', facts: { compliant: false }, observedAt: T0, receivedAt: T2 }), false, 'late delivery of an older report');
  assert.equal(await repo.savePosture({ device: 'd1', source: 'webhook:intune', facts: { managed: true, diskEncrypted: false }, observedAt: T0, receivedAt: T2 }), true);
  assert.equal(await repo.savePosture({ device: 'd1', source: 'report', facts: { compliant: false, platform: 'macOS' }, observedAt: T2, receivedAt: T2 }), true);
  assert.deepEqual(await (await open()).listPosture(), [
    { device: 'd1', source: 'report', facts: { compliant: false, platform: 'macOS' }, observedAt: T2, receivedAt: T2 },
    { device: 'd1', source: 'webhook:intune', facts: { managed: true, diskEncrypted: false }, observedAt: T0, receivedAt: T2 },
  ]);
});

conformance('outbox: enqueued messages come due in order and keep their state', factories, async ({ open }) => {
  const repo = await open();
  const message = (id: string, next: string): OutboxRecord => ({ id, receiver: 'idp', event: 'session-revoked', set: `jwt-${id}`, status: 'pending', attempts: 0, nextAttemptAt: next, lastError: null, createdAt: T0, updatedAt: T0 });
  await repo.enqueue(message('m2', T1));
  await repo.enqueue(message('m1', T0));
  await repo.enqueue(message('m3', T2));
  assert.deepEqual((await repo.dueOutbox(T1, 10)).map((m) => m.id), ['m1', 'm2']);
  assert.deepEqual((await repo.dueOutbox(T1, 1)).map((m) => m.id), ['m1']);
  await repo.updateOutbox({ ...message('m1', T2), status: 'delivered', attempts: 2, lastError: null, updatedAt: T1 });
  await repo.updateOutbox({ ...message('m2', T2), attempts: 1, lastError: 'the receiver answered 503', updatedAt: T1 });
  assert.deepEqual((await repo.dueOutbox(T1, 10)).map((m) => m.id), []);
  const other = await open();
  assert.deepEqual((await other.listOutbox({ status: 'delivered' })).map((m) => [m.id, m.attempts, m.set]), [['m1', 2, 'jwt-m1']]);
  assert.deepEqual((await other.listOutbox({ status: 'pending' })).map((m) => [m.id, m.lastError]), [['m2', 'the receiver answered 503'], ['m3', null]]);
  assert.equal((await other.listOutbox({})).length, 3);
});
