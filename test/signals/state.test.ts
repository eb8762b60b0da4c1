/** What shared signals do to an authenticated identity (SignalState.apply), without sockets. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WardenError } from '../../src/core/errors.js';
import type { Identity } from '../../src/core/types.js';
import { withPosture } from '../../src/signals/devices/posture.js';
import { isSingleFactorLevel, SignalState } from '../../src/signals/state.js';
import { SqliteSignalsRepository } from '../../src/signals/store/sqlite.js';
import { openDatabase } from '../../src/store/index.js';
import { tempDir } from '../helpers/warden-process.js';

const NOW = Date.parse('2026-06-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

async function setup() {
  const repo = new SqliteSignalsRepository(openDatabase(tempDir()));
  const state = new SignalState(repo, 3600_000);
  return { repo, state };
}

const jwtIdentity = (principal: string, issuedAtMs?: number, mfa = false): Identity => ({
  principal: { kind: 'User', id: principal, attributes: {}, groups: [], roles: [] },
  authentication: { method: 'jwt', strength: mfa ? 2 : 1, mfa, scopes: [], ...(issuedAtMs !== undefined ? { issuedAt: Math.floor(issuedAtMs / 1000) } : {}), ...(mfa ? { ageSeconds: 60 } : {}) },
});

const code = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    assert.ok(error instanceof WardenError);
    return error.code;
  }
};

test('session revocation: a token issued at or before it is refused, a later one and other principals pass', async () => {
  const { repo, state } = await setup();
  await repo.revokeSessions('alice', iso(NOW - 10_000), iso(NOW));
  await state.reload();
  assert.equal(code(() => state.apply(jwtIdentity('alice', NOW - 60_000), NOW)), 'session_revoked');
  assert.equal(code(() => state.apply(jwtIdentity('alice', NOW - 10_000), NOW)), 'session_revoked', 'issued in the same second');
  assert.equal(code(() => state.apply(jwtIdentity('alice'), NOW)), 'session_revoked', 'a token without iat cannot show it is newer');
  assert.equal(code(() => state.apply(jwtIdentity('alice', NOW - 5_000), NOW)), undefined);
  assert.equal(code(() => state.apply(jwtIdentity('bob', NOW - 60_000), NOW)), undefined);
});

test('session revocation ends an API key elevation but not the key; a client certificate is not a session', async () => {
  const { repo, state } = await setup();
  await repo.revokeSessions('alice', iso(NOW - 10_000), iso(NOW));
  await state.reload();
  const elevated: Identity = { principal: { kind: 'User', id: 'alice', attributes: {}, groups: [], roles: [] }, authentication: { method: 'apikey', strength: 2, mfa: true, ageSeconds: 120, scopes: ['*'] } };
  state.apply(elevated, NOW);
  assert.deepEqual(elevated.authentication, { method: 'apikey', strength: 1, mfa: false, scopes: ['*'] });
  const mtls: Identity = { principal: { kind: 'Service', id: 'alice', attributes: {}, groups: [], roles: [] }, authentication: { method: 'mtls', strength: 3, mfa: false, scopes: ['*'] } };
  assert.equal(code(() => state.apply(mtls, NOW)), undefined);
});

test('an agent acting for a disabled or revoked user is refused too', async () => {
  const { repo, state } = await setup();
  await repo.setDisabled('alice', iso(NOW - 1000), iso(NOW));
  await state.reload();
  const agent: Identity = {
    principal: { kind: 'Agent', id: 'helper', attributes: {}, groups: [], roles: [] },
    authentication: { method: 'apikey', strength: 1, mfa: false, scopes: ['*'] },
    delegation: { actor: { kind: 'Agent', id: 'helper', attributes: {}, groups: [], roles: [] }, onBehalfOf: { kind: 'User', id: 'alice', attributes: {}, groups: [], roles: [] } },
  };
  assert.equal(code(() => state.apply(agent, NOW)), 'account_disabled');
});

test('assurance-level-change: a single-factor level lowers MFA of older credentials and is visible as authn.assurance', async () => {
  const { repo, state } = await setup();
  await repo.setAssurance('alice', { namespace: 'NIST-AAL', level: 'nist-aal1', at: iso(NOW - 10_000) }, iso(NOW));
  await state.reload();
  const old = jwtIdentity('alice', NOW - 60_000, true);
  state.apply(old, NOW);
  assert.equal(old.authentication.mfa, false);
  assert.equal(old.authentication.strength, 1);
  assert.equal(old.authentication.assurance, 'nist-aal1');
  const newer = jwtIdentity('alice', NOW - 1000, true);
  state.apply(newer, NOW);
  assert.equal(newer.authentication.mfa, true, 'authenticated again after the change');
  assert.equal(isSingleFactorLevel('NIST-AAL', 'nist-aal2'), false);
  assert.equal(isSingleFactorLevel('RFC8176', 'pwd'), true);
  assert.equal(isSingleFactorLevel('RFC8176', 'mfa'), false);
  assert.equal(isSingleFactorLevel('urn:example', 'low'), false, 'an unknown namespace never changes the factor count');
});

test('posture: the freshest source wins per fact; a stale one is not believed; config facts keep their source', () => {
  const base = { id: 'd1', proof: 'certificate' as const, managed: true, compliant: true, osPatched: true, diskEncrypted: false, platform: 'linux', sources: { managed: 'config', compliant: 'config', osPatched: 'config', diskEncrypted: 'config' } };
  const device = withPosture(
    base,
    [
      { device: 'd1', source: 'report', facts: { compliant: true, diskEncrypted: true }, observedAt: iso(NOW - 60_000), receivedAt: iso(NOW) },
      { device: 'd1', source: 'webhook:intune', facts: { compliant: false, platform: 'Windows' }, observedAt: iso(NOW - 1000), receivedAt: iso(NOW) },
      { device: 'd1', source: 'webhook:jamf', facts: { osPatched: true }, observedAt: iso(NOW - 7200_000), receivedAt: iso(NOW) },
    ],
    3600_000,
    NOW,
  );
  assert.equal(device.compliant, false);
  assert.equal(device.diskEncrypted, true);
  assert.equal(device.osPatched, false, 'a stale statement counts as false');
  assert.equal(device.managed, true);
  assert.equal(device.platform, 'Windows');
  assert.deepEqual(device.sources, { managed: 'config', compliant: 'webhook:intune', osPatched: 'stale:webhook:jamf', diskEncrypted: 'report' });
});

test('a device key bound to an owner refuses the device for anyone else', async () => {
  const { repo, state } = await setup();
  await repo.putDeviceKey({ device: 'd1', jwk: '{}', owner: 'alice', createdBy: 'admin', createdAt: iso(NOW) });
  await state.reload();
  const identity = { ...jwtIdentity('bob', NOW), device: { id: 'd1', proof: 'proxy' as const } };
  assert.equal(code(() => state.apply(identity, NOW)), 'forbidden');
  const owner = { ...jwtIdentity('alice', NOW), device: { id: 'd1', proof: 'proxy' as const } };
  assert.equal(code(() => state.apply(owner, NOW)), undefined);
});
