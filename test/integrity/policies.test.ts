import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { INTEGRITY_POLICIES } from '../../src/integrity/policies.js';

const SCHEMA = 'demo/schema.cedarschema';
const PERMIT_ALL = '@id("permit-all")\npermit (principal, action, resource);\n';
const now = 1_800_000_000;

function decide(attrs: Record<string, unknown>): string {
  const answer = cedar.isAuthorized({
    principal: { type: 'Warden::User', id: 'alice' },
    action: { type: 'Warden::Action', id: 'invoke' },
    resource: { type: 'Warden::Model', id: 'm' },
    context: { time: { epochSeconds: now, hourUtc: 12, weekdayUtc: 3 } } as never,
    policies: { staticPolicies: PERMIT_ALL + INTEGRITY_POLICIES },
    entities: [
      { uid: { type: 'Warden::User', id: 'alice' }, attrs: { roles: [] }, parents: [] },
      { uid: { type: 'Warden::Model', id: 'm' }, attrs: { sensitivity: 'internal', owner: 'ml', ...attrs } as never, parents: [] },
    ],
  });
  assert.equal(answer.type, 'success', JSON.stringify(answer));
  return answer.type === 'success' ? answer.response.decision : 'error';
}

test('integrity policies validate against the demo schema', { skip: existsSync(SCHEMA) ? false : `${SCHEMA} not present` }, () => {
  const answer = cedar.validate({ schema: readFileSync(SCHEMA, 'utf8'), policies: { staticPolicies: INTEGRITY_POLICIES } });
  assert.equal(answer.type, 'success', JSON.stringify(answer));
  if (answer.type === 'success') assert.deepEqual(answer.validationErrors, []);
});

test('integrity policies: unverified, suspect and stale models are refused; verified and unregistered pass', () => {
  assert.equal(decide({ verified: true, signer: 'ab', lastVerified: now - 60, suspect: false }), 'allow');
  assert.equal(decide({ verified: false, signer: '', lastVerified: 0, suspect: false }), 'deny');
  assert.equal(decide({ verified: true, signer: 'ab', lastVerified: now - 60, suspect: true }), 'deny');
  assert.equal(decide({ verified: true, signer: 'ab', lastVerified: now - 8 * 86_400, suspect: false }), 'deny');
  assert.equal(decide({}), 'allow');
});
