import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Identity } from '../../src/core/types.js';
import { createLogger } from '../../src/core/logger.js';
import { BundleError, PolicyDecisionPoint, PolicyManager, SqlitePolicyRepository, buildCedarRequest, demoPolicyDir, readBundle, type PolicyBundle } from '../../src/policy/index.js';
import { openDatabase } from '../../src/store/index.js';
import { tempDir } from '../helpers/warden-process.js';

const demo = (): PolicyBundle => readBundle(demoPolicyDir(), '', '');

function user(id: string, groups: string[], mfa = false, extra: Partial<Identity> = {}): Identity {
  return { principal: { kind: 'User', id, attributes: { clearance: 2 }, groups, roles: [] }, authentication: { method: mfa ? 'jwt' : 'apikey', strength: mfa ? 2 : 1, mfa, scopes: [], ...(mfa ? { ageSeconds: 60 } : {}) }, ...extra };
}

function decide(pdp: PolicyDecisionPoint, identity: Identity, action: string, resource: { type: string; id: string; attributes: Record<string, unknown> }, risk = 0) {
  const { request, entities } = buildCedarRequest(identity, action, resource, {
    now: new Date(),
    sourceIp: '10.0.0.1',
    risk: { score: risk, factors: risk ? [{ name: 'test', weight: risk }] : [] },
    request: { bytes: 10, stream: false, method: 'POST', path: '/v1/chat/completions' },
  });
  return pdp.decide(request, entities);
}

const model = (sensitivity: string) => ({ type: 'Model', id: `m-${sensitivity}`, attributes: { sensitivity, owner: 'x' } });

for (const engine of ['compiled', 'wasm'] as const) {
  test(`demo policies give allow, deny and step_up (${engine} engine)`, () => {
    const pdp = new PolicyDecisionPoint(engine);
    pdp.load(1, demo());
    const alice = user('alice', ['engineering']);
    const bob = user('bob', ['contractors']);
    assert.equal(decide(pdp, alice, 'invoke', model('internal')).outcome, 'allow');
    assert.deepEqual(decide(pdp, alice, 'invoke', model('internal')).policyIds, ['models-staff-internal']);
    // Engineers may use confidential models, but only after MFA: step-up.
    const stepUp = decide(pdp, alice, 'invoke', model('confidential'));
    assert.equal(stepUp.outcome, 'step_up');
    assert.deepEqual(stepUp.policyIds, ['models-confidential-mfa']);
    assert.equal(decide(pdp, user('alice', ['engineering'], true), 'invoke', model('confidential')).outcome, 'allow');
    // A contractor is not permitted at all: stronger authentication would not help, so deny.
    assert.equal(decide(pdp, bob, 'invoke', model('confidential')).outcome, 'deny');
    assert.equal(decide(pdp, bob, 'invoke', model('restricted')).outcome, 'deny');
    // Risk: elevated asks for fresh MFA, high refuses even with MFA.
    assert.equal(decide(pdp, alice, 'invoke', model('internal'), 60).outcome, 'step_up');
    assert.equal(decide(pdp, user('alice', ['engineering'], true), 'invoke', model('internal'), 60).outcome, 'allow');
    assert.equal(decide(pdp, user('alice', ['engineering'], true), 'invoke', model('internal'), 90).outcome, 'deny');
    // Writes need a managed, compliant device.
    const dataset = { type: 'Dataset', id: 'd', attributes: { sensitivity: 'internal', owner: 'x' } };
    const steward = user('alice', ['data-stewards']);
    assert.equal(decide(pdp, steward, 'write', dataset).outcome, 'deny');
    const withDevice = { ...steward, device: { id: 'l', managed: true, compliant: true } };
    assert.equal(decide(pdp, withDevice, 'write', dataset).outcome, 'allow');
  });
}

test('an agent acting for an engineer may use internal models; alone it may not', () => {
  const pdp = new PolicyDecisionPoint('compiled');
  pdp.load(1, demo());
  const agent = { kind: 'Agent' as const, id: 'bot', attributes: {}, groups: ['agents'], roles: [] };
  const base: Identity = { principal: agent, authentication: { method: 'apikey', strength: 1, mfa: false, scopes: [] } };
  assert.equal(decide(pdp, base, 'invoke', model('internal')).outcome, 'deny');
  const delegated: Identity = { ...base, delegation: { actor: agent, onBehalfOf: user('alice', ['engineering']).principal } };
  assert.equal(decide(pdp, delegated, 'invoke', model('internal')).outcome, 'allow');
  const forContractor: Identity = { ...base, delegation: { actor: agent, onBehalfOf: user('bob', ['contractors']).principal } };
  assert.equal(decide(pdp, forContractor, 'invoke', model('internal')).outcome, 'deny');
});

test('an invalid policy set is refused with file, line and message; the set in force stays', async () => {
  const dir = tempDir();
  const db = openDatabase(dir);
  const pdp = new PolicyDecisionPoint('compiled');
  const manager = new PolicyManager(new SqlitePolicyRepository(db), pdp, createLogger('silent'));
  await manager.bootstrap(demo(), 'test');
  const version = pdp.version;
  const bad = join(dir, 'bad');
  mkdirSync(bad);
  writeFileSync(join(bad, 'ok.cedar'), 'permit(principal, action, resource);\n');
  writeFileSync(join(bad, 'broken.cedar'), '// a comment\n\npermit(principal, action, resource)\nwhen { principal.nonexistent == 1 };\n');
  await assert.rejects(
    manager.publish(readBundle(bad, '', ''), 'test'),
    (error: unknown) => {
      assert.ok(error instanceof BundleError);
      const problem = error.problems[0]!;
      assert.equal(problem.file, 'broken.cedar');
      assert.equal(problem.line, 4);
      assert.match(problem.message, /nonexistent/);
      return true;
    },
  );
  writeFileSync(join(bad, 'broken.cedar'), 'permit(principal, action resource);\n');
  await assert.rejects(manager.publish(readBundle(bad, '', ''), 'test'), (e: unknown) => e instanceof BundleError && e.problems[0]!.file === 'broken.cedar' && e.problems[0]!.line === 1);
  assert.equal(pdp.version, version);
  assert.equal(decide(pdp, user('alice', ['engineering']), 'invoke', model('internal')).outcome, 'allow');
});

test('duplicate policy ids are refused; a new version activated elsewhere is picked up', async () => {
  const dir = tempDir();
  const pdp = new PolicyDecisionPoint('compiled');
  const manager = new PolicyManager(new SqlitePolicyRepository(openDatabase(dir)), pdp, createLogger('silent'));
  await manager.bootstrap(demo(), 'test');
  const dup = { ...demo(), files: { 'a.cedar': '@id("x")\npermit(principal, action, resource);', 'b.cedar': '@id("x")\nforbid(principal, action, resource);' } };
  await assert.rejects(manager.publish(dup, 'test'), (e: unknown) => e instanceof BundleError && /already used/.test(e.problems[0]!.message));
  const other = new SqlitePolicyRepository(openDatabase(dir));
  const v = await other.save({ ...demo(), files: { 'all.cedar': 'permit(principal, action, resource);' } }, 'cli');
  await other.activate(v, 'cli');
  await manager.checkForActivation();
  assert.equal(pdp.version, v);
  assert.equal(decide(pdp, user('bob', ['contractors']), 'invoke', model('restricted')).outcome, 'allow');
});

test('a dry-run shows which decisions a candidate set would change', async () => {
  const { dryRun } = await import('../../src/gateway/dry-run.js');
  const { Directory } = await import('../../src/identity/index.js');
  const active = new PolicyDecisionPoint('compiled');
  active.load(1, demo());
  const candidate = new PolicyDecisionPoint('wasm');
  candidate.load(2, { ...demo(), files: { 'open.cedar': 'permit(principal, action, resource);' } });
  const directory = new Directory([{ id: 'bob', kind: 'User', groups: ['contractors'], roles: [], attributes: {}, mayActFor: [] }], []);
  const request = (sensitivity: string) => ({ principal: 'bob', action: 'invoke', resource: { type: 'Model', id: 'm', attributes: { sensitivity, owner: 'x' } }, context: {} });
  const results = dryRun([request('internal'), request('restricted')], { candidate, active, directory, risk: { snapshot: () => ({ score: 0, factors: [] }) } });
  assert.deepEqual(results.map((r) => [r.active?.decision, r.candidate.decision, r.changed]), [['allow', 'allow', false], ['deny', 'allow', true]]);
});
