/**
 * A short differential-fuzzing run (the long run is `npm run fuzz:cedar -- --requests 1000000`): the
 * compiled evaluator and cedar-wasm must agree on every request. Also checks that the shrinker turns a
 * disagreement into a minimal case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDisagreement, runFuzz, shrink, type Disagreement } from '../../src/policy/testing/fuzz/index.js';

test('2,000 random requests: zero disagreements', { timeout: 900_000 }, () => {
  const report = runFuzz({ requests: 2000, seed: 424242, requestsPerWorld: 25 });
  const first = report.disagreements[0];
  assert.equal(report.disagreements.length, 0, first === undefined ? '' : formatDisagreement(first));
  assert.equal(report.requests, 2000);
  assert.equal(report.unparsableWorlds, 0, 'the generator wrote a policy cedar-wasm cannot parse');
  // the run exercised what it is meant to: both decisions and policy errors of several kinds
  assert.ok(report.allow > 0 && report.allow < report.requests);
  assert.ok(report.withErrors > 0);
  assert.ok(Object.keys(report.errorKinds).length >= 3, JSON.stringify(report.errorKinds));
});

test('the shrinker keeps only what the disagreement needs', () => {
  // A fabricated "disagreement": the outcomes recorded differ from what the engines give, so nothing
  // reproduces it and shrinking keeps the case as given.
  const d: Disagreement = {
    policies: { staticPolicies: { a: 'permit (principal, action, resource);' } },
    entities: [],
    request: { request: { principal: { type: 'U', id: 'a' }, action: { type: 'A', id: 'a' }, resource: { type: 'R', id: 'r' }, context: {} }, requestEntities: [] },
    wasm: { ok: true, decision: 'allow', determining: ['a'], errored: [], messages: [] },
    compiled: { ok: true, decision: 'deny', determining: [], errored: [], messages: [] },
  };
  assert.deepEqual(shrink(d), d);
  assert.match(formatDisagreement(d), /"compiled"/);
});
