/**
 * Values from configuration and from /v1/authorize callers become Cedar data through toCedarValue
 * (issue 10, sibling of finding 13). A value Cedar cannot hold exactly used to be dropped, which made a
 * forbid that reads it error and be skipped: a deny became an allow. Now it is a 400.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WardenError } from '../../src/core/errors.js';
import { createEvaluator } from '../../src/policy/engine/index.js';
import { buildContext, resourceEntity, toCedarValue } from '../../src/policy/index.js';
import { parseJsonLossless } from '../../src/core/json/index.js';

const policies = {
  staticPolicies: {
    open: 'permit (principal, action, resource);',
    secret: 'forbid (principal, action, resource) when { resource.level > 2 };',
  },
};

function decide(attributes: Record<string, unknown>): string {
  const { evaluator } = createEvaluator({ policies, entities: [] }, 'compiled');
  const entity = resourceEntity({ type: 'Dataset', id: 'd', attributes });
  const r = evaluator.isAuthorized({ principal: { type: 'Warden::User', id: 'a' }, action: { type: 'Warden::Action', id: 'read' }, resource: entity.uid as { type: string; id: string }, context: {} }, [entity]);
  return r.decision;
}

const isValidationFailure = (path: RegExp) => (e: unknown): boolean => e instanceof WardenError && e.code === 'validation_failed' && e.status === 400 && path.test(e.message);

test('a value a double has rounded, a fraction, null or an over-deep value is refused, not dropped (no forbid is skipped)', () => {
  assert.equal(decide({ level: 3 }), 'deny');
  assert.equal(decide({ level: 1 }), 'allow');
  // what JSON.parse makes of a caller's body: 2^53 + 1 rounds to 2^53, 1e400 to Infinity
  for (const body of ['{"level": 9007199254740993}', '{"level": 1e400}', '{"level": 2.5}', '{"level": null}', '{"level": [1, null]}']) {
    assert.throws(() => decide(JSON.parse(body) as Record<string, unknown>), isValidationFailure(/resource\.attributes\.level/), body);
  }
  let deep: unknown = 1;
  for (let i = 0; i < 20; i++) deep = { d: deep };
  assert.throws(() => decide({ level: deep }), isValidationFailure(/nested more than 16/));
});

test('exact Longs from a lossless parser are kept, within i64', () => {
  assert.equal(decide(parseJsonLossless('{"level": 9223372036854775807}') as Record<string, unknown>), 'deny');
  assert.equal(decide(parseJsonLossless('{"level": -9223372036854775808}') as Record<string, unknown>), 'allow');
  assert.throws(() => decide(parseJsonLossless('{"level": 9223372036854775808}') as Record<string, unknown>), isValidationFailure(/i64/));
  assert.equal(toCedarValue(undefined), undefined);
});

test('an attribute named __proto__ stays an attribute (no prototype is replaced)', () => {
  const v = toCedarValue(JSON.parse('{"__proto__": {"level": 5}, "a": 1}')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(v), ['__proto__', 'a']);
  const forbid = { staticPolicies: { p: 'permit (principal, action, resource) when { context["__proto__"] == 1 };' } };
  const { evaluator } = createEvaluator({ policies: forbid, entities: [] }, 'compiled');
  const context = buildContext({
    now: new Date(0),
    sourceIp: '127.0.0.1',
    identity: { principal: { id: 'a', kind: 'User', groups: [], roles: [], attributes: {} }, authentication: { method: 'apikey', strength: 1, mfa: false, scopes: [] } } as never,
    risk: { score: 0, factors: [] } as never,
    request: { bytes: 0, stream: false, method: 'POST', path: '/' },
    extra: JSON.parse('{"__proto__": 1}') as Record<string, unknown>,
  });
  assert.ok(Object.hasOwn(context, '__proto__'));
  const r = evaluator.isAuthorized({ principal: { type: 'U', id: 'a' }, action: { type: 'A', id: 'a' }, resource: { type: 'R', id: 'r' }, context }, []);
  assert.equal(r.decision, 'allow');
});
