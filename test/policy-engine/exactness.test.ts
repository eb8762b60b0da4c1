/**
 * Policy exactness (issue 10, finding 13): integers beyond 2^53 (Cedar's Long is i64), Cedar's JSON
 * escapes and entity forms, duplicate entities, and request validation against the schema: both engines
 * must do what the reference (cedar-wasm, Cedar's own JSON reader) does, and `warden policy test` must
 * feed the engines what Cedar's harness feeds them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createEvaluator, type AuthzRequest, type EntityJson, type EvaluatorInput } from '../../src/policy/engine/index.js';
import { parseJsonLossless } from '../../src/core/json/index.js';
import { loadCases, runCases } from '../../src/policy/testing/index.js';

const EXACTNESS = join(import.meta.dirname, 'exactness-cases');
const ENGINES = ['wasm', 'compiled'] as const;

/** Runs one request on both engines: the decision with its policy ids, or the error that refused it. */
function both(input: EvaluatorInput, request: AuthzRequest, extra: EntityJson[] = []): string[] {
  return ENGINES.map((engine) => {
    const { evaluator } = createEvaluator(input, engine);
    try {
      const r = evaluator.isAuthorized(request, extra);
      return `${r.decision} [${[...r.determining].sort().join(',')}] errors [${r.errors.map((e) => e.policyId).sort().join(',')}]`;
    } catch {
      return 'refused';
    } finally {
      evaluator.dispose();
    }
  });
}

const req = (context: string = '{}'): AuthzRequest => ({
  principal: { type: 'U', id: 'a' },
  action: { type: 'A', id: 'x' },
  resource: { type: 'R', id: 'r' },
  context: parseJsonLossless(context) as AuthzRequest['context'],
});
const entitiesFrom = (text: string): EntityJson[] => parseJsonLossless(text) as unknown as EntityJson[];
const world = (policy: string, entities = '[]'): EvaluatorInput => ({ policies: { staticPolicies: { p: policy } }, entities: entitiesFrom(entities) });

test('the hand-written Cedar-format cases for each exactness class pass on both engines, without fallback', () => {
  const cases = loadCases([EXACTNESS], EXACTNESS, EXACTNESS);
  assert.equal(cases.length, 1);
  for (const engine of ENGINES) {
    const report = runCases(cases, engine);
    assert.deepEqual(report.failures, [], engine);
    assert.equal(report.passed, 7, engine);
    assert.deepEqual(report.fallbacks, [], engine);
  }
});

test('Longs beyond 2^53 are exact in entity and context JSON, on both engines', () => {
  const input = world(
    'permit (principal, action, resource) when { principal.n - principal.m == 2 && context.k - 9007199254740991 == 2 };',
    '[{"uid":{"type":"U","id":"a"},"attrs":{"n":9007199254740993,"m":9007199254740991},"parents":[]}]',
  );
  // 9007199254740993 as a double is 9007199254740992: both differences would be 1
  assert.deepEqual(both(input, req('{"k": 9007199254740993}')), ['allow [p] errors []', 'allow [p] errors []']);
  assert.deepEqual(both(input, req('{"k": 9007199254740994}')), ['deny [] errors []', 'deny [] errors []']);
});

test('i64 bounds and overflow: max and min are accepted, one beyond is refused as Cedar refuses it', () => {
  const add = world('permit (principal, action, resource) when { context.k + 1 > 0 };');
  assert.deepEqual(both(add, req('{"k": 9223372036854775806}')), ['allow [p] errors []', 'allow [p] errors []']);
  assert.deepEqual(both(add, req('{"k": 9223372036854775807}')), ['deny [] errors [p]', 'deny [] errors [p]']);
  assert.deepEqual(both(add, req('{"k": -9223372036854775808}')), ['deny [] errors []', 'deny [] errors []']);
  for (const beyond of ['9223372036854775808', '-9223372036854775809', '18446744073709551616', '1e400']) {
    assert.deepEqual(both(add, req(`{"k": ${beyond}}`)), ['refused', 'refused'], beyond);
    const inEntity = world('permit (principal, action, resource);', `[{"uid":{"type":"U","id":"a"},"attrs":{"k":${beyond}},"parents":[]}]`);
    assert.deepEqual(both(inEntity, req()), ['refused', 'refused'], `${beyond} in an entity`);
  }
});

test('floats are refused as Cedar refuses them, also when a double would hold an integer (1.0, 1e3, -0)', () => {
  const input = world('permit (principal, action, resource);');
  for (const float of ['1.0', '1e3', '1E2', '-0', '0.5', '2.5e-3']) {
    assert.deepEqual(both(input, req(`{"k": ${float}}`)), ['refused', 'refused'], float);
    const inEntity = world('permit (principal, action, resource);', `[{"uid":{"type":"U","id":"a"},"attrs":{},"parents":[],"tags":{"k":${float}}}]`);
    assert.deepEqual(both(inEntity, req()), ['refused', 'refused'], `${float} in a tag`);
  }
});

test('escapes: only a lone `__entity` / `__extn` key is an escape; other shapes are records', () => {
  const isEntity = world('permit (principal, action, resource) when { context.e == U::"b" };');
  assert.deepEqual(both(isEntity, req('{"e": {"__entity": {"type": "U", "id": "b", "extra": 1}}}')), ['allow [p] errors []', 'allow [p] errors []']);
  assert.deepEqual(both(isEntity, req('{"e": {"__entity": {"type": "U", "id": "b"}, "x": 1}}')), ['deny [] errors []', 'deny [] errors []']);
  const isRecord = world('permit (principal, action, resource) when { context.e.__entity == 1 };');
  assert.deepEqual(both(isRecord, req('{"e": {"__entity": 1}}')), ['allow [p] errors []', 'allow [p] errors []']);
  const implicit = world('permit (principal, action, resource) when { context.e.type == "U" };');
  // without a schema, {type, id} is a record
  assert.deepEqual(both(implicit, req('{"e": {"type": "U", "id": "b"}}')), ['allow [p] errors []', 'allow [p] errors []']);
  const extnRecord = world('permit (principal, action, resource) when { context.e.__extn.fn == "ip" };');
  assert.deepEqual(both(extnRecord, req('{"e": {"__extn": {"fn": "ip"}}}')), ['allow [p] errors []', 'allow [p] errors []']);
  const extn = world('permit (principal, action, resource) when { context.e == ip("10.0.0.1") };');
  assert.deepEqual(both(extn, req('{"e": {"__extn": {"fn": "ip", "args": ["10.0.0.1"]}}}')), ['allow [p] errors []', 'allow [p] errors []']);
  assert.deepEqual(both(extn, req('{"e": {"__extn": {"fn": "ip", "arg": "10.0.0.1"}, "y": 1}}')), ['deny [] errors []', 'deny [] errors []']);
  assert.deepEqual(both(extn, req('{"e": {"__expr": "ip(\\"10.0.0.1\\")"}}')), ['refused', 'refused']);
  assert.deepEqual(both(extn, req('{"e": null}')), ['refused', 'refused']);
  const proto = world('permit (principal, action, resource) when { context["__proto__"] == 1 };');
  assert.deepEqual(both(proto, req('{"__proto__": 1}')), ['allow [p] errors []', 'allow [p] errors []']);
});

test('entity shape and names: Cedar\'s rules, on both engines', () => {
  const permit = 'permit (principal, action, resource);';
  const refused = [
    '[{"uid":{"type":"U","id":"a"},"attrs":{}}]', // no parents
    '[{"uid":{"type":"U","id":"a"},"parents":[]}]', // no attrs
    '[{"uid":{"type":"U","id":"a"},"attrs":null,"parents":[]}]',
    '[{"uid":{"type":"U","id":"a"},"attrs":{},"parents":[],"tags":null}]',
    '[{"uid":{"type":"U","id":"a"},"attrs":{},"parents":["U::\\"b\\""]}]', // a parent as Cedar text
    '[{"uid":{"type":"U","id":1},"attrs":{},"parents":[]}]',
    '[{"uid":{"type":"U","id":"a"},"attrs":{},"parents":[]},{"uid":{"type":"U","id":"a"},"attrs":{"x":1},"parents":[]}]', // conflicting duplicate
    '[{"uid":{"type":"U","id":"a"},"attrs":{},"parents":[{"type":"U","id":"b"}]},{"uid":{"type":"U","id":"b"},"attrs":{},"parents":[{"type":"U","id":"a"}]}]', // cycle
  ];
  for (const text of refused) assert.deepEqual(both(world(permit, text), req()), ['refused', 'refused'], text);
  for (const type of ['if', 'in', 'true', 'has', 'like', 'is', 'then', 'else', '__cedar', 'a::__cedar', 'U ', 'U:: V', '1U', '']) {
    const text = JSON.stringify([{ uid: { type, id: 'a' }, attrs: {}, parents: [] }]);
    assert.deepEqual(both(world(permit, text), req()), ['refused', 'refused'], `type ${JSON.stringify(type)}`);
    assert.deepEqual(both(world(permit), { ...req(), resource: { type, id: 'r' } }), ['refused', 'refused'], `request type ${JSON.stringify(type)}`);
  }
  for (const type of ['Action', 'principal', 'permit', '_', 'A::B::C']) {
    const text = JSON.stringify([{ uid: { type, id: 'a' }, attrs: {}, parents: [], extra: 'ignored' }]);
    assert.deepEqual(both(world(permit, text), req()), ['allow [p] errors []', 'allow [p] errors []'], `type ${type}`);
  }
  // a request entity with a malformed value is refused too, not silently dropped
  assert.deepEqual(both(world(permit), req(), entitiesFrom('[{"uid":{"type":"U","id":"a"},"attrs":{"k":1.5},"parents":[]}]')), ['refused', 'refused']);
});

test('request validation against the schema, as Cedar\'s harness asks for it (validateRequest, default on)', () => {
  const input: EvaluatorInput = {
    policies: { staticPolicies: { p: 'permit (principal, action, resource);' } },
    entities: [],
    schema: 'entity User; entity Doc; action read appliesTo { principal: [User], resource: [Doc], context: { n?: Long } };',
  };
  const base: AuthzRequest = { principal: { type: 'User', id: 'a' }, action: { type: 'Action', id: 'read' }, resource: { type: 'Doc', id: 'd' }, context: {} };
  assert.deepEqual(both(input, base), ['allow [p] errors []', 'allow [p] errors []']);
  const wrongType = { ...base, principal: { type: 'Doc', id: 'a' } };
  assert.deepEqual(both(input, wrongType), ['refused', 'refused']);
  assert.deepEqual(both(input, { ...wrongType, validateRequest: false }), ['allow [p] errors []', 'allow [p] errors []']);
  // the context is read through the schema whatever validateRequest says: an undeclared attribute or action is refused
  assert.deepEqual(both(input, { ...base, context: { zz: 1 }, validateRequest: false }), ['refused', 'refused']);
  assert.deepEqual(both(input, { ...base, action: { type: 'Action', id: 'nope' }, validateRequest: false }), ['refused', 'refused']);
  assert.deepEqual(both(input, { ...base, context: parseJsonLossless('{"n": 9223372036854775807}') as AuthzRequest['context'] }), ['allow [p] errors []', 'allow [p] errors []']);
  assert.deepEqual(both(input, { ...base, context: parseJsonLossless('{"n": 1.0}') as AuthzRequest['context'] }), ['refused', 'refused']);
});
