/** Conformance of the policy version repository: the same cases on SQLite and on PostgreSQL. */
import assert from 'node:assert/strict';
import { NoSuchPolicyVersion, PgPolicyRepository, SqlitePolicyRepository, bundleDigest, type PolicyBundle, type PolicyRepository } from '../../src/policy/index.js';
import { conformance, type BackendFactories } from './backends.js';

const factories: BackendFactories<PolicyRepository> = { sqlite: (db) => new SqlitePolicyRepository(db), postgres: (pool) => PgPolicyRepository.open(pool) };

const bundle = (text: string): PolicyBundle => ({
  files: { 'main.cedar': text },
  schema: '',
  // 2^53 + 1 must come back exact: bundles are stored as lossless JSON text on both backends.
  entities: [{ uid: { type: 'Team', id: 't' }, attrs: { budget: 9007199254740993n }, parents: [] }] as unknown as PolicyBundle['entities'],
  links: [],
});

conformance<PolicyRepository>('a bundle is saved once per digest, numbered in order, and reads back exactly', factories, async ({ open }) => {
  const repo = await open();
  const a = bundle('permit(principal, action, resource);');
  const b = bundle('forbid(principal, action, resource);');
  const va = await repo.save(a, 'alice');
  const vb = await repo.save(b, 'bob');
  assert.ok(vb > va);
  assert.equal(await repo.save(a, 'carol'), va, 'the identical bundle keeps its version');
  const stored = (await repo.get(va))!;
  assert.equal(bundleDigest(stored), bundleDigest(a));
  assert.equal((stored.entities[0]!.attrs as Record<string, unknown>).budget, 9007199254740993n);
  assert.equal(await repo.get(vb + 100), undefined);
  const listed = await repo.list();
  assert.deepEqual(listed.map((v) => [v.version, v.digest, v.createdBy, v.active]), [[va, bundleDigest(a), 'alice', false], [vb, bundleDigest(b), 'bob', false]]);
  assert.ok(!Number.isNaN(Date.parse(listed[0]!.createdAt)));
  // a third save after a refused duplicate: no gap in the numbering
  const vc = await repo.save(bundle('permit(principal, action == Action::"x", resource);'), 'dave');
  assert.equal(vc, vb + 1);
});

conformance<PolicyRepository>('exactly one version is active; an unknown version is refused and changes nothing', factories, async ({ open }) => {
  const repo = await open();
  assert.equal(await repo.activeVersion(), undefined);
  const v1 = await repo.save(bundle('permit(principal, action, resource);'), 't');
  const v2 = await repo.save(bundle('forbid(principal, action, resource);'), 't');
  await repo.activate(v1, 't');
  await repo.activate(v2, 't');
  assert.equal(await repo.activeVersion(), v2);
  await assert.rejects(repo.activate(v2 + 50, 't'), NoSuchPolicyVersion);
  assert.equal(await repo.activeVersion(), v2);
  assert.deepEqual((await repo.list()).map((v) => v.active), [false, true]);
});

conformance<PolicyRepository>('two writers saving the same bundle at once get one version', factories, async ({ open }) => {
  const [x, y] = [await open(), await open()];
  const same = bundle('permit(principal, action, resource) when { context.n == 1 };');
  const versions = await Promise.all([x.save(same, 'x'), y.save(same, 'y'), x.save(same, 'x'), y.save(same, 'y')]);
  assert.equal(new Set(versions).size, 1);
  assert.equal((await x.list()).length, 1);
});

conformance<PolicyRepository>('two writers activating different versions at once: one of them is active, seen by both', factories, async ({ open }) => {
  const [x, y] = [await open(), await open()];
  const candidates: number[] = [];
  for (let i = 0; i < 6; i++) candidates.push(await x.save(bundle(`permit(principal, action, resource) when { context.n == ${i} };`), 'x'));
  await Promise.all(candidates.map((v, i) => (i % 2 ? x : y).activate(v, i % 2 ? 'x' : 'y')));
  const active = await x.activeVersion();
  assert.ok(active !== undefined && candidates.includes(active));
  assert.equal(await y.activeVersion(), active);
  assert.equal((await y.list()).filter((v) => v.active).length, 1);
});

conformance<PolicyRepository>('opening again applies no migration twice and keeps every version', factories, async ({ open }) => {
  const repo = await open();
  const v = await repo.save(bundle('permit(principal, action, resource);'), 't');
  await repo.activate(v, 't');
  const again = await open();
  await open();
  assert.equal(await again.activeVersion(), v);
  assert.equal((await again.list()).length, 1);
});
