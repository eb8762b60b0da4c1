/**
 * Entity indexing (ancestor closure, request entities, cycles), policy ids and annotations, templates
 * and links, and schema-directed reading: compiled and wasm side by side.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEvaluator, policyAnnotations, type AuthzRequest, type EntityJson, type EvaluatorInput } from '../../src/policy/engine/index.js';
import { policySetFromText } from '../../src/policy/testing/index.js';

const G = (id: string): { type: string; id: string } => ({ type: 'Group', id });
const U = (id: string): { type: string; id: string } => ({ type: 'User', id });

const entities: EntityJson[] = [
  { uid: G('a'), attrs: {}, parents: [G('b')] },
  { uid: G('b'), attrs: {}, parents: [G('c')] },
  { uid: G('c'), attrs: {}, parents: [] },
  { uid: U('alice'), attrs: { level: 1 }, parents: [G('a')] },
];
const req = (principal: string, context: AuthzRequest['context'] = {}): AuthzRequest => ({
  principal: U(principal),
  action: { type: 'Action', id: 'go' },
  resource: { type: 'Doc', id: 'd' },
  context,
});

function both(input: EvaluatorInput, request: AuthzRequest, extra: EntityJson[] = []): { decision: string; determining: string[] }[] {
  return (['wasm', 'compiled'] as const).map((engine) => {
    const { evaluator } = createEvaluator(input, engine);
    const r = evaluator.isAuthorized(request, extra);
    evaluator.dispose();
    return { decision: r.decision, determining: [...r.determining].sort() };
  });
}

const inC = { policies: { staticPolicies: { p: 'permit (principal in Group::"c", action, resource) when { principal.level >= 1 };' } }, entities };

test('ancestors are transitive, and request entities replace stored ones for one request', () => {
  for (const r of both(inC, req('alice'))) assert.equal(r.decision, 'allow');
  // the caller brings its own entity: not in any group now
  for (const r of both(inC, req('alice'), [{ uid: U('alice'), attrs: { level: 1 }, parents: [] }])) assert.equal(r.decision, 'deny');
  // a new caller, in b (hence in c)
  for (const r of both(inC, req('bob'), [{ uid: U('bob'), attrs: { level: 2 }, parents: [G('b')] }])) assert.equal(r.decision, 'allow');
  // replacing a group others descend from changes their ancestors too (b no longer in c)
  for (const r of both(inC, req('alice'), [{ uid: G('b'), attrs: {}, parents: [] }])) assert.equal(r.decision, 'deny');
  // and the stored store is unchanged afterwards
  for (const r of both(inC, req('alice'))) assert.equal(r.decision, 'allow');
});

test('a parent that is not an entity still counts as an ancestor', () => {
  const input = { policies: { staticPolicies: { p: 'permit (principal in Group::"ghost", action, resource);' } }, entities: [{ uid: U('alice'), attrs: {}, parents: [G('ghost')] }] };
  for (const r of both(input, req('alice'))) assert.equal(r.decision, 'allow');
});

test('a cycle in the hierarchy fails the request on both engines', () => {
  const cyclic = [...entities, { uid: G('c'), attrs: {}, parents: [G('a')] }].filter((e, i, all) => all.findLastIndex((x) => JSON.stringify(x.uid) === JSON.stringify(e.uid)) === i);
  for (const engine of ['wasm', 'compiled'] as const) {
    const { evaluator } = createEvaluator({ ...inC, entities: cyclic }, engine);
    assert.throws(() => evaluator.isAuthorized(req('alice'), []), /cycle/);
    const fine = createEvaluator(inC, engine).evaluator;
    assert.throws(() => fine.isAuthorized(req('alice'), [{ uid: G('c'), attrs: {}, parents: [G('a')] }]), /cycle/);
  }
});

test('policy ids follow Cedar: policyN in source order across policies and templates, or @id', () => {
  const text = [
    'permit (principal, action, resource);',
    '@id("tmpl") permit (principal == ?principal, action, resource);',
    '@id("named") forbid (principal, action, resource) when { context.x };',
    'permit (principal, action, resource);',
  ].join('\n');
  const plain = policySetFromText(text);
  assert.deepEqual(Object.keys(plain.staticPolicies as object), ['policy0', 'policy2', 'policy3']);
  assert.deepEqual(Object.keys(plain.templates ?? {}), ['policy1']);
  const named = policySetFromText(text, true);
  assert.deepEqual(Object.keys(named.staticPolicies as object), ['policy0', 'named', 'policy3']);
  assert.deepEqual(Object.keys(named.templates ?? {}), ['tmpl']);
});

test('more than ten policies keep their source-order ids (cedar-wasm lists them by id)', () => {
  const text = Array.from({ length: 12 }, (_, i) => `permit (principal == User::"u${i}", action, resource);`).join('\n');
  const set = policySetFromText(text);
  const ids = Object.entries(set.staticPolicies as Record<string, string>);
  ids.forEach(([id, body]) => assert.ok(body.includes(`"u${id.slice('policy'.length)}"`), `${id}: ${body}`));
  for (const r of both({ policies: set, entities: [] }, req('u11'))) assert.deepEqual(r.determining, ['policy11']);
  // the same text given whole: cedar-wasm numbers it, and the compiled engine must agree
  for (const r of both({ policies: { staticPolicies: text }, entities: [] }, req('u11'))) assert.deepEqual(r.determining, ['policy11']);
});

test('annotations stay visible, links show their template annotations', () => {
  const annotations = policyAnnotations({
    staticPolicies: { mfa: '@id("mfa") @on_deny("step_up") forbid (principal, action, resource) unless { context.mfa };' },
    templates: { t: '@note("shared") permit (principal == ?principal, action, resource);' },
    templateLinks: [{ templateId: 't', newId: 'alice-link', values: { '?principal': U('alice') } }],
  });
  assert.deepEqual(annotations.get('mfa'), { id: 'mfa', on_deny: 'step_up' });
  assert.deepEqual(annotations.get('alice-link'), { note: 'shared' });
});

test('templates apply only through their links', () => {
  const input: EvaluatorInput = {
    policies: {
      templates: { t: 'permit (principal in ?principal, action, resource == ?resource);' },
      templateLinks: [{ templateId: 't', newId: 'link1', values: { '?principal': G('b'), '?resource': { type: 'Doc', id: 'd' } } }],
    },
    entities,
  };
  for (const r of both(input, req('alice'))) assert.deepEqual(r, { decision: 'allow', determining: ['link1'] });
  for (const r of both(input, req('bob'))) assert.deepEqual(r, { decision: 'deny', determining: [] });
});

test('with a schema, values are read as Cedar reads them (extension strings, actions from the schema)', () => {
  const schema = `
    entity User { home: ipaddr };
    entity Doc;
    action go, run in [all] appliesTo { principal: User, resource: Doc, context: { score: decimal } };
    action all;`;
  const input: EvaluatorInput = {
    policies: {
      staticPolicies: {
        p: 'permit (principal, action in Action::"all", resource) when { principal.home.isLoopback() && context.score.greaterThan(decimal("0.5")) };',
      },
    },
    entities: [{ uid: U('alice'), attrs: { home: '127.0.0.1' }, parents: [] }],
    schema,
  };
  for (const r of both(input, req('alice', { score: '0.75' }))) assert.equal(r.decision, 'allow');
  for (const r of both(input, req('alice', { score: '0.25' }))) assert.equal(r.decision, 'deny');
});

test('a uid listed twice in the stored entities: refused when the entries differ, as Cedar does, on both engines', () => {
  const conflicting = {
    policies: { staticPolicies: { p: 'permit (principal in Group::"c", action, resource);' } },
    entities: [...entities, { uid: U('alice'), attrs: {}, parents: [] }],
  };
  for (const engine of ['wasm', 'compiled'] as const) {
    const { evaluator } = createEvaluator(conflicting, engine);
    assert.throws(() => evaluator.isAuthorized(req('alice'), []), /duplicate entity entry/, engine);
    // request entities cannot hide the conflict by replacing the uid
    assert.throws(() => evaluator.isAuthorized(req('alice'), [{ uid: U('alice'), attrs: {}, parents: [] }]), /duplicate entity entry/, engine);
    evaluator.dispose();
  }
  // the same entity twice (attribute order and repeated parents do not matter) is one entity
  const identical = {
    policies: conflicting.policies,
    entities: [...entities, { uid: U('alice'), parents: [G('a'), G('a')], attrs: { level: 1 } }],
  };
  for (const r of both(identical, req('alice'))) assert.equal(r.decision, 'allow');
});
