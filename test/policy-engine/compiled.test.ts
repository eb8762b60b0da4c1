/**
 * The compiled evaluator against cedar-wasm on hand-written expressions covering each construct: both
 * engines must give the expected outcome (true, false, or an evaluation error that skips the policy).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEvaluator, type AuthzResult, type EntityJson, type EngineName } from '../../src/policy/engine/index.js';

const entities: EntityJson[] = [
  { uid: { type: 'User', id: 'alice' }, attrs: { age: 30, name: 'alice', tags: ['a', 'b'], profile: { dept: 'eng' }, home: { __extn: { fn: 'ip', arg: '10.1.2.3' } } }, parents: [{ type: 'Group', id: 'eng' }] },
  { uid: { type: 'Group', id: 'eng' }, attrs: {}, parents: [{ type: 'Group', id: 'staff' }], tags: { level: 3 } },
  { uid: { type: 'Group', id: 'staff' }, attrs: {}, parents: [] },
  { uid: { type: 'Action', id: 'read' }, attrs: {}, parents: [{ type: 'Action', id: 'readOnly' }] },
];
const request = {
  principal: { type: 'User', id: 'alice' },
  action: { type: 'Action', id: 'read' },
  resource: { type: 'Doc', id: 'd1' },
  context: { n: 5, s: 'hello', big: 9007199254740991, when: { __extn: { fn: 'datetime', arg: '2024-06-01T12:00:00Z' } } },
};

type Expected = true | false | 'error';

function run(expr: string, engine: EngineName): { result: AuthzResult; fallbackReason: string | undefined } {
  const { evaluator, fallbackReason } = createEvaluator(
    { policies: { staticPolicies: { p: `permit (principal, action, resource) when { ${expr} };` } }, entities },
    engine,
  );
  return { result: evaluator.isAuthorized(request, []), fallbackReason };
}

function outcome(r: AuthzResult): Expected {
  if (r.errors.length > 0) return 'error';
  return r.decision === 'allow';
}

const CASES: [string, Expected][] = [
  // equality, hierarchy, is, has
  ['principal == User::"alice"', true],
  ['principal in Group::"staff"', true],
  ['principal in [Group::"x", Group::"staff"]', true],
  ['principal in [Group::"staff", 1]', 'error'],
  ['action in Action::"readOnly"', true],
  ['Group::"staff" in principal', false],
  ['User::"nobody" in Group::"staff"', false],
  ['principal is User', true],
  ['principal is User in Group::"eng"', true],
  ['resource is User in (1 + "a")', false],
  ['principal has profile.dept', true],
  ['principal has profile.team', false],
  ['principal has age.x', 'error'],
  ['User::"nobody" has age', false],
  ['User::"nobody".age == 1', 'error'],
  ['principal.missing == 1', 'error'],
  ['context.missing == 1', 'error'],
  ['1 == "1"', false],
  ['{a: 1, b: [2, 1]} == {b: [1, 2, 2], a: 1}', true],
  // like
  ['"hello" like "h*o"', true],
  ['"h*o" like "h\\*o"', true],
  ['"hello" like "h\\*o"', false],
  ['"" like "*"', true],
  ['"abcbc" like "a*bc"', true],
  ['"日本語" like "日*"', true],
  ['context.n like "5"', 'error'],
  // sets and records
  ['principal.tags.contains("a")', true],
  ['principal.tags.containsAll(["b", "a"])', true],
  ['principal.tags.containsAny(["z", "b"])', true],
  ['[].isEmpty()', true],
  ['[[1], {a: 1}].contains({a: 1})', true],
  ['context.n.contains(1)', 'error'],
  // booleans: short-circuit and types
  ['false && (1 + "a" == 2)', false],
  ['true || (1 + "a" == 2)', true],
  ['true && 1', 'error'],
  ['if context.n > 3 then true else 1', true],
  ['if context.n then true else false', 'error'],
  // Long arithmetic and overflow
  ['context.n * 2 - 1 == 9', true],
  ['context.big * 1024 > 0', true],
  ['context.big * 1025 > 0', 'error'],
  ['-(context.big * 1024) - 1024 < 0', true],
  ['-(context.big * 1024) - 1025 < 0', 'error'],
  ['context.n < "6"', 'error'],
  // ip
  ['principal.home.isInRange(ip("10.0.0.0/8"))', true],
  ['ip("127.0.0.1/8").isLoopback()', true],
  ['ip("127.0.0.1/7").isLoopback()', false],
  ['ip("ff02::1").isMulticast()', true],
  ['ip("::1").isIpv6() && ip("1.2.3.4").isIpv4()', true],
  ['ip("10.0.0.1/24") == ip("10.0.0.0/24")', false],
  ['ip("01.2.3.4").isIpv4()', 'error'],
  ['ip("::ffff:1.2.3.4").isIpv6()', 'error'],
  // decimal
  ['decimal("1.5").lessThan(decimal("1.50001"))', 'error'],
  ['decimal("1.0") == decimal("1.0000")', true],
  ['decimal("-1.5").lessThanOrEqual(decimal("-1.5"))', true],
  ['decimal("922337203685477.5808").greaterThan(decimal("0.0"))', 'error'],
  ['decimal("1.5") < decimal("2.5")', 'error'],
  // datetime and duration
  ['context.when > datetime("2024-01-01")', true],
  ['context.when.toDate() == datetime("2024-06-01")', true],
  ['context.when.toTime() == duration("12h")', true],
  ['datetime("2024-01-01T10:00:00+0100") == datetime("2024-01-01T09:00:00Z")', true],
  ['datetime("2024-01-01").offset(duration("-1d2h")).durationSince(datetime("2023-12-30")) == duration("22h")', true],
  ['duration("1d2h3m4s5ms").toMilliseconds() == 93784005', true],
  ['duration("-90m").toHours() == -1', true],
  ['datetime("2023-02-29") < datetime("2024-01-01")', 'error'],
  ['duration("1h1d") < duration("1d")', 'error'],
  ['datetime("2024-01-01") < duration("1d")', 'error'],
  // tags
  ['Group::"eng".hasTag("level") && Group::"eng".getTag("level") == 3', true],
  ['Group::"eng".getTag("nope") == 3', 'error'],
  ['User::"nobody".hasTag("level")', false],
];

for (const engine of ['wasm', 'compiled'] as const) {
  test(`${engine}: each construct gives Cedar's outcome`, () => {
    for (const [expr, expected] of CASES) {
      const { result, fallbackReason } = run(expr, engine);
      assert.equal(fallbackReason, undefined, `${expr}: fell back`);
      assert.equal(outcome(result), expected, `${engine}: ${expr} -> ${JSON.stringify(result)}`);
    }
  });
}

test('the engines agree on diagnostics: determining and errored policy ids', () => {
  const policies = {
    staticPolicies: {
      allowAll: 'permit (principal, action, resource);',
      deniesOnRisk: 'forbid (principal, action, resource) when { context.n > 3 };',
      broken: 'forbid (principal, action, resource) when { context.nope };',
    },
  };
  const results = (['wasm', 'compiled'] as const).map((e) => createEvaluator({ policies, entities }, e).evaluator.isAuthorized(request, []));
  for (const r of results) {
    assert.equal(r.decision, 'deny');
    assert.deepEqual(r.determining, ['deniesOnRisk']);
    assert.deepEqual(r.errors.map((e) => e.policyId), ['broken']);
  }
});

test('a construct the compiler cannot carry exactly falls back to cedar-wasm, visibly', () => {
  // 2^62 does not survive cedar-wasm's JSON form (a JavaScript number) exactly
  const { evaluator, fallbackReason } = createEvaluator(
    { policies: { staticPolicies: { p: 'permit (principal, action, resource) when { 4611686018427387904 > 1 };' } }, entities },
    'compiled',
  );
  assert.equal(evaluator.engine, 'wasm');
  assert.match(fallbackReason ?? '', /integer/);
  assert.equal(evaluator.isAuthorized(request, []).decision, 'allow');
});

test('a policy set cedar-wasm cannot parse is refused by both engines', () => {
  for (const engine of ['wasm', 'compiled'] as const) {
    assert.throws(() => createEvaluator({ policies: { staticPolicies: { p: 'permit (principal, action, resource) when {' } }, entities }, engine));
  }
});
