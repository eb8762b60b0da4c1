/**
 * A short differential-fuzzing run (the long run is `npm run fuzz:cedar -- --requests N --all`): the
 * compiled evaluator and cedar-wasm must agree on every request, with and without a schema, on data with
 * Longs beyond 2^53. Also checks that the shrinker returns a minimal case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDisagreement, runFuzz, shrink, type Disagreement, type Outcome, type Reproducer } from '../../src/policy/testing/fuzz/index.js';

test('2,000 random requests: zero disagreements', { timeout: 900_000 }, () => {
  const report = runFuzz({ requests: 2000, seed: 424242, requestsPerWorld: 25 });
  const first = report.disagreements[0];
  assert.equal(report.disagreements.length, 0, first === undefined ? '' : formatDisagreement(first));
  assert.equal(report.requests, 2000);
  assert.equal(report.unparsableWorlds, 0, 'the generator wrote a policy cedar-wasm cannot parse');
  // the run exercised what it is meant to: both decisions and policy errors of several kinds, worlds
  // with a schema, and data with Longs beyond 2^53
  assert.ok(report.allow > 0 && report.allow < report.requests);
  assert.ok(report.withErrors > 0);
  assert.ok(Object.keys(report.errorKinds).length >= 3, JSON.stringify(report.errorKinds));
  assert.ok(report.schemaRequests > 200 && report.schemaRequests < 1800, `${report.schemaRequests} requests with a schema`);
  assert.ok(report.bigIntRequests > 100, `${report.bigIntRequests} requests with big Longs`);
  assert.ok(report.failedBoth > 0 && report.failedBoth < 1000, `${report.failedBoth} refused by both`);
});

test('the shrinker returns a 1-minimal case: exactly what the disagreement needs', () => {
  const uid = (type: string, id: string): { type: string; id: string } => ({ type, id });
  const permit = 'permit (principal, action, resource);';
  const d: Disagreement = {
    policies: {
      staticPolicies: { a: permit, b: permit, c: permit, d: permit },
      templates: { t: 'permit (principal == ?principal, action, resource);' },
      templateLinks: [{ templateId: 't', newId: 'l0', values: { '?principal': uid('U', 'a') } }],
    },
    entities: ['e0', 'e1', 'e2', 'e3', 'e4'].map((id) => ({ uid: uid('U', id), attrs: {}, parents: [] })),
    request: {
      request: { principal: uid('U', 'a'), action: uid('A', 'a'), resource: uid('R', 'r'), context: { j: 1, k: 2, m: 3 } },
      requestEntities: [{ uid: uid('U', 'r0'), attrs: {}, parents: [] }, { uid: uid('U', 'r1'), attrs: {}, parents: [] }],
    },
    wasm: { ok: true, decision: 'allow', determining: ['b'], errored: [], messages: [] },
    compiled: { ok: true, decision: 'deny', determining: [], errored: [], messages: [] },
  };
  // A stand-in for the engines: the "disagreement" persists exactly while policy b, entity e3, request
  // entity r1 and context key k are all present.
  const outcomes = { wasm: d.wasm, compiled: d.compiled } as { wasm: Outcome; compiled: Outcome };
  let calls = 0;
  const reproduces: Reproducer = (c) => {
    calls++;
    const needed =
      'b' in (c.policies.staticPolicies as Record<string, string>) &&
      c.entities.some((e) => (e.uid as { id: string }).id === 'e3') &&
      c.request.requestEntities.some((e) => (e.uid as { id: string }).id === 'r1') &&
      'k' in c.request.request.context;
    return needed ? outcomes : undefined;
  };
  const s = shrink(d, reproduces);
  assert.deepEqual(Object.keys(s.policies.staticPolicies as Record<string, string>), ['b']);
  assert.deepEqual(s.policies.templateLinks, []);
  assert.deepEqual(s.policies.templates, {});
  assert.deepEqual(s.entities.map((e) => (e.uid as { id: string }).id), ['e3']);
  assert.deepEqual(s.request.requestEntities.map((e) => (e.uid as { id: string }).id), ['r1']);
  assert.deepEqual(Object.keys(s.request.request.context), ['k']);
  assert.ok(calls > 0);
  // and the real engines: a case on which they agree is left as given (nothing reproduces)
  assert.deepEqual(shrink(d), d);
  assert.match(formatDisagreement(d), /"compiled"/);
});
