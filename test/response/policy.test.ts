/**
 * The demo policies read `context.response` as the response module writes it, on both engines: a
 * quarantine refuses, a step-up is satisfied only by MFA performed after the action, isolation makes a
 * managed device non-compliant, and a caller cannot claim the record through extra context.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Identity } from '../../src/core/types.js';
import { PolicyDecisionPoint, buildCedarRequest, buildContext, demoPolicyDir, readBundle, type ResponseContextFacts } from '../../src/policy/index.js';

const now = new Date();
const nowSeconds = Math.floor(now.getTime() / 1000);

function alice(authn: Partial<Identity['authentication']> = {}, device?: Identity['device']): Identity {
  return { principal: { kind: 'User', id: 'alice', attributes: {}, groups: ['engineering'], roles: [] }, authentication: { method: 'jwt', strength: 1, mfa: false, scopes: [], ...authn }, ...(device ? { device } : {}) };
}

function decide(pdp: PolicyDecisionPoint, identity: Identity, facts: ResponseContextFacts) {
  const { request, entities } = buildCedarRequest(identity, 'invoke', { type: 'Model', id: 'm', attributes: { sensitivity: 'internal', owner: 'x' } }, {
    now,
    sourceIp: '10.0.0.1',
    risk: { score: 0, factors: [] },
    request: { bytes: 10, stream: false, method: 'POST', path: '/v1/chat/completions' },
    ...facts,
  });
  return pdp.decide(request, entities);
}

for (const engine of ['compiled', 'wasm'] as const) {
  test(`context.response in the demo policies (${engine} engine)`, () => {
    const pdp = new PolicyDecisionPoint(engine);
    pdp.load(1, readBundle(demoPolicyDir(), '', ''));
    assert.equal(decide(pdp, alice(), {}).outcome, 'allow');
    const quarantined = decide(pdp, alice(), { response: { quarantined: true, stepUpRequired: false, stepUpSince: 0 } });
    assert.deepEqual([quarantined.outcome, quarantined.policyIds], ['deny', ['response-quarantine-deny']]);
    const since = nowSeconds - 60;
    const stepUp = { response: { quarantined: false, stepUpRequired: true, stepUpSince: since } };
    assert.equal(decide(pdp, alice(), stepUp).outcome, 'step_up');
    assert.equal(decide(pdp, alice({ mfa: true, strength: 2, ageSeconds: 120 }), stepUp).outcome, 'step_up', 'MFA from before the action does not count');
    assert.equal(decide(pdp, alice({ mfa: true, strength: 2, ageSeconds: 30 }), stepUp).outcome, 'allow', 'MFA after the action passes');
    const laptop = { id: 'alice-laptop', proof: 'certificate' as const, managed: true, compliant: true, osPatched: true, diskEncrypted: true };
    assert.equal(decide(pdp, alice({}, laptop), {}).outcome, 'allow');
    assert.equal(decide(pdp, alice({}, laptop), { deviceIsolated: true }).outcome, 'deny');
  });
}

test('a caller cannot claim or clear context.response through extra context', () => {
  const base = { now, sourceIp: '10.0.0.1', identity: alice(), risk: { score: 0, factors: [] }, request: { bytes: 1, stream: false, method: 'POST', path: '/' } };
  assert.equal(buildContext({ ...base, extra: { response: { quarantined: false } } }).response, undefined);
  assert.deepEqual(buildContext({ ...base, response: { quarantined: true, stepUpRequired: false, stepUpSince: 0 }, extra: { response: { quarantined: false } } }).response, { quarantined: true, stepUpRequired: false, stepUpSince: 0 });
});
