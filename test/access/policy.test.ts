/**
 * The demo's elevation policy on both Cedar engines: a restricted model is refused without the role,
 * allowed inside an approved window (`context.elevation`), and a caller cannot claim an elevation through
 * the extra context of `/v1/authorize`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Identity, RoleGrant } from '../../src/core/types.js';
import { PolicyDecisionPoint, buildCedarRequest, demoPolicyDir, readBundle } from '../../src/policy/index.js';

const restricted = { type: 'Model', id: 'vault', attributes: { sensitivity: 'restricted', owner: 'security' } };

function bob(elevations?: RoleGrant[]): Identity {
  return {
    principal: { kind: 'User', id: 'bob', attributes: { clearance: 1 }, groups: ['contractors'], roles: ['user', ...(elevations ?? []).map((g) => g.role)] },
    authentication: { method: 'apikey', strength: 1, mfa: false, scopes: [] },
    ...(elevations ? { elevations } : {}),
  };
}

function decide(pdp: PolicyDecisionPoint, identity: Identity, extra?: Record<string, unknown>) {
  const { request, entities } = buildCedarRequest(identity, 'invoke', restricted, {
    now: new Date(),
    sourceIp: '10.0.0.1',
    risk: { score: 0, factors: [] },
    request: { bytes: 10, stream: false, method: 'POST', path: '/v1/chat/completions' },
    ...(extra ? { extra } : {}),
  });
  return pdp.decide(request, entities);
}

for (const engine of ['compiled', 'wasm'] as const) {
  test(`a restricted model needs the elevated role, inside its window only (${engine} engine)`, () => {
    const pdp = new PolicyDecisionPoint(engine);
    pdp.load(1, readBundle(demoPolicyDir(), '', ''));
    assert.equal(decide(pdp, bob()).outcome, 'deny');
    const grant = { role: 'restricted-models', requestId: 'ar-1', until: new Date(Date.now() + 60_000).toISOString() };
    const allowed = decide(pdp, bob([grant]));
    assert.equal(allowed.outcome, 'allow');
    assert.deepEqual(allowed.policyIds, ['access-restricted-models-jit']);
    assert.equal(decide(pdp, bob(), { elevation: { roles: ['restricted-models'], requests: ['x'], untilEpochSeconds: 9e9 } }).outcome, 'deny', 'a caller cannot claim one');
  });
}
