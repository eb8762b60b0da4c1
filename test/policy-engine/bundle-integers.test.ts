/**
 * Policy bundles keep Cedar's Longs exact (sibling of finding 13): entities.json read losslessly, stored
 * in and read back from policy_versions exactly, and an integer some reader may have rounded (the admin
 * API's JSON body) refused instead of silently changing a stored fact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BundleError, PolicyDecisionPoint, SqlitePolicyRepository, readBundle } from '../../src/policy/index.js';
import { openDatabase } from '../../src/store/index.js';
import { tempDir } from '../helpers/warden-process.js';

const SCHEMA = 'entity Team { budget: Long }; entity User in [Team]; entity Doc; action read appliesTo { principal: [User], resource: [Doc] };';
// 9007199254740993 - 9007199254740991 is 2; as doubles it would be 1
const POLICY = 'permit (principal, action, resource) when { Team::"t".budget - 9007199254740991 == 2 };';

function bundleDir(entities: string): { dir: string; schema: string; entities: string } {
  const dir = tempDir('warden-bundle-ints-');
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'p.cedar'), POLICY);
  writeFileSync(join(dir, 'schema.cedarschema'), SCHEMA);
  writeFileSync(join(dir, 'entities.json'), entities);
  return { dir, schema: join(dir, 'schema.cedarschema'), entities: join(dir, 'entities.json') };
}

const ENTITIES = '[{"uid": {"type": "Team", "id": "t"}, "attrs": {"budget": 9007199254740993}, "parents": []}]';
const request = { principal: { type: 'User', id: 'u' }, action: { type: 'Action', id: 'read' }, resource: { type: 'Doc', id: 'd' }, context: {} };

test('entities.json with a Long beyond 2^53: read, stored and decided exactly, on both engines', async () => {
  const paths = bundleDir(ENTITIES);
  const bundle = readBundle(join(paths.dir, 'policies'), paths.schema, paths.entities);
  const store = new SqlitePolicyRepository(openDatabase(join(paths.dir, 'data')));
  const version = await store.save(bundle, 'test');
  const stored = await store.get(version);
  assert.ok(stored);
  assert.equal((stored.entities[0]?.attrs as Record<string, unknown>).budget, 9007199254740993n);
  for (const engine of ['compiled', 'wasm'] as const) {
    const pdp = new PolicyDecisionPoint(engine);
    pdp.load(version, stored);
    assert.equal(pdp.decide(request, []).outcome, 'allow', engine);
  }
  // an unchanged bundle keeps its digest (and version)
  assert.equal(await store.save(readBundle(join(paths.dir, 'policies'), paths.schema, paths.entities), 'test'), version);
});

test('an integer a JSON double has rounded (e.g. from an HTTP body) is refused, not stored', () => {
  const paths = bundleDir(ENTITIES);
  const bundle = readBundle(join(paths.dir, 'policies'), paths.schema, paths.entities);
  const rounded = { ...bundle, entities: JSON.parse(ENTITIES) as typeof bundle.entities };
  const pdp = new PolicyDecisionPoint('compiled');
  assert.throws(() => pdp.load(1, rounded), (e: unknown) => e instanceof BundleError && /entities\[0\]\.attrs\.budget/.test(e.problems[0]?.message ?? ''));
});
