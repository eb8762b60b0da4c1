/**
 * Conformance of the integrity registry's repository: the same cases on SQLite and on PostgreSQL, at the
 * repository and through the registry, change control and lineage built on it. `open()` twice is two
 * instances (or the CLI beside a server) on one database.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  AssetRegistry,
  ChangeControl,
  Lineage,
  PgIntegrityRepository,
  SqliteIntegrityRepository,
  type ChangeRequest,
  type IntegrityRepository,
} from '../../src/integrity/index.js';
import type { NewAsset } from '../../src/integrity/store/types.js';
import { conformance, type BackendFactories } from './backends.js';

const factories: BackendFactories<IntegrityRepository> = { sqlite: (db) => new SqliteIntegrityRepository(db), postgres: (pool) => PgIntegrityRepository.open(pool) };

const DIGEST = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const APPROVER_ROLES = ['admin', 'asset-approver'];

function newAsset(id: string, over: Partial<NewAsset> = {}): NewAsset {
  return {
    id, kind: 'model', name: id, location: `/models/${id}`, owner: 'ml', sensitivity: 'internal', expectedSigner: null, signerPublicKey: null,
    serialization: { method: 'files' }, createdBy: 'alice', createdAt: '2030-01-01T00:00:00.000Z', ...over,
  };
}

function pending(assetId: string, over: Partial<ChangeRequest> = {}): ChangeRequest {
  return {
    id: randomUUID(), assetId, requestedBy: 'alice', reason: 'retrain', expectedDigest: null, status: 'pending', decidedBy: null, decisionNote: null,
    createdAt: new Date().toISOString(), decidedAt: null, appliedAt: null, appliedDigest: null, ...over,
  };
}

function control(repo: IntegrityRepository): { registry: AssetRegistry; changes: ChangeControl; lineage: Lineage } {
  const registry = new AssetRegistry(repo);
  return { registry, changes: new ChangeControl(repo, registry, { approverRoles: APPROVER_ROLES, approvalTtlSeconds: 3600 }), lineage: new Lineage(repo, registry) };
}

conformance<IntegrityRepository>('an asset registers once and its verification state reads back exactly', factories, async ({ open }) => {
  const repo = await open();
  assert.equal(await repo.insertAsset(newAsset('m1', { sensitivity: 'restricted', expectedSigner: 'f'.repeat(64), signerPublicKey: 'PEM', serialization: { method: 'shards', shardSize: 4096 } })), true);
  assert.equal(await repo.insertAsset(newAsset('m1', { owner: 'mallory' })), false, 'a taken id changes nothing');
  assert.equal(await repo.insertAsset(newAsset('d1', { kind: 'dataset' })), true);
  const fresh = (await repo.getAsset('m1'))!;
  assert.deepEqual(
    { ...fresh },
    {
      id: 'm1', kind: 'model', name: 'm1', location: '/models/m1', owner: 'ml', sensitivity: 'restricted', expectedSigner: 'f'.repeat(64), signerPublicKey: 'PEM',
      serialization: { method: 'shards', shardSize: 4096 }, verifiedDigest: null, verified: false, signer: '', lastVerified: 0, status: 'unverified', statusDetail: null,
      suspect: false, suspectReason: null, createdBy: 'alice', createdAt: '2030-01-01T00:00:00.000Z', updatedAt: '2030-01-01T00:00:00.000Z',
    },
  );
  assert.deepEqual(await repo.assetEvidence('m1'), { manifest: null, tamperedDigest: null });

  const manifest = [{ name: 'w.bin', digest: DIGEST }, { name: 'config.json', digest: OTHER }];
  const at = '2030-01-02T03:04:05.678Z';
  const verified = (await repo.updateAsset('m1', { verifiedDigest: DIGEST, manifest, verified: true, signer: 'key-hint', lastVerified: 1_900_000_000, status: 'verified', statusDetail: null, tamperedDigest: 'missing', serialization: { method: 'files' } }, at))!;
  assert.equal(verified.verified, true);
  assert.equal(verified.verifiedDigest, DIGEST);
  assert.equal(verified.lastVerified, 1_900_000_000);
  assert.equal(verified.status, 'verified');
  assert.deepEqual(verified.serialization, { method: 'files' });
  assert.equal(verified.updatedAt, at);
  assert.deepEqual(await repo.assetEvidence('m1'), { manifest, tamperedDigest: 'missing' });
  const suspect = (await repo.updateAsset('m1', { suspect: true, suspectReason: 'upstream tampered', manifest: null }, at))!;
  assert.equal(suspect.suspect, true);
  assert.equal(suspect.verified, true, 'fields not named are left alone');
  assert.deepEqual(await repo.assetEvidence('m1'), { manifest: null, tamperedDigest: 'missing' });
  assert.equal(await repo.updateAsset('ghost', { suspect: true }, at), undefined);
  assert.equal(await repo.getAsset('ghost'), undefined);
  assert.equal(await repo.assetEvidence('ghost'), undefined);
  assert.deepEqual((await (await open()).listAssets()).map((a) => [a.id, a.verified, a.suspect]), [['d1', false, false], ['m1', true, true]], 'another connection sees them, by id');
});

conformance<IntegrityRepository>('the registry: register, verify, and the memory copy Cedar reads follows another instance on reload', factories, async ({ open }) => {
  const x = control(await open()).registry;
  const y = control(await open()).registry;
  const asset = await x.add({ id: 'm', kind: 'model', location: '/models/m', owner: 'ml' }, { id: 'alice' });
  assert.equal(asset.status, 'unverified');
  await assert.rejects(y.add({ id: 'm', kind: 'dataset', location: '/d', owner: 'o' }, { id: 'bob' }), { code: 'conflict' });
  await assert.rejects(x.add({ id: '../etc', kind: 'model', location: '/m', owner: 'o' }, { id: 'alice' }), { code: 'validation_failed' });
  assert.deepEqual(x.attributes('Warden::Model', 'm'), { verified: false, signer: '', lastVerified: 0, suspect: false });
  assert.equal(y.attributes('Warden::Model', 'm'), undefined, 'not loaded yet on the other instance');
  await y.reload();
  await y.update('m', { verified: true, signer: 'hint', lastVerified: 1_900_000_000, status: 'verified', verifiedDigest: DIGEST });
  assert.deepEqual(y.attributes('Model', 'm'), { verified: true, signer: 'hint', lastVerified: 1_900_000_000, suspect: false });
  assert.equal(x.attributes('Model', 'm')?.verified, false, 'synchronous reads never wait for the database');
  await x.reload();
  assert.deepEqual(x.attributes('Model', 'm'), { verified: true, signer: 'hint', lastVerified: 1_900_000_000, suspect: false });
  assert.equal(x.attributes('Dataset', 'm'), undefined, 'only the asset kind matches');
  assert.equal((await x.require('m')).verifiedDigest, DIGEST);
  await assert.rejects(x.require('ghost'), { code: 'not_found' });
  await assert.rejects(x.update('ghost', { suspect: true }), { code: 'not_found' });
});

conformance<IntegrityRepository>('a change needs a second person with an approver role; nobody decides it twice', factories, async ({ open }) => {
  const repo = await open();
  const { registry, changes } = control(repo);
  await registry.add({ id: 'm', kind: 'model', location: '/models/m', owner: 'ml' }, { id: 'alice' });
  const req = await changes.request({ assetId: 'm', reason: 'retrain', expectedDigest: DIGEST }, { id: 'alice' });
  assert.equal(req.status, 'pending');
  await assert.rejects(changes.approve(req.id, { id: 'alice', roles: ['admin'] }), { code: 'forbidden', message: /two-person rule/ });
  await assert.rejects(changes.reject(req.id, { id: 'alice', roles: ['admin'] }), { code: 'forbidden' });
  await assert.rejects(changes.approve(req.id, { id: 'bob', roles: ['viewer'] }), { code: 'forbidden' });
  // The repository refuses the requester too, whatever the caller checked.
  assert.equal(await repo.decideChange(req.id, { status: 'approved', by: 'alice', note: null, at: new Date().toISOString() }), undefined);
  assert.equal((await changes.require(req.id)).status, 'pending');
  const approved = await changes.approve(req.id, { id: 'bob', roles: ['asset-approver'] }, 'looks right');
  assert.deepEqual([approved.status, approved.decidedBy, approved.decisionNote, approved.expectedDigest], ['approved', 'bob', 'looks right', DIGEST]);
  await assert.rejects(changes.approve(req.id, { id: 'bob', roles: ['asset-approver'] }), { code: 'conflict' }, 'the same person approving again');
  await assert.rejects(changes.reject(req.id, { id: 'carol', roles: ['admin'] }), { code: 'conflict' });
  await assert.rejects(changes.approve(randomUUID(), { id: 'bob', roles: ['admin'] }), { code: 'not_found' });
  await assert.rejects(changes.request({ assetId: 'ghost', reason: 'x' }, { id: 'alice' }), { code: 'not_found' });
  await assert.rejects(changes.request({ assetId: 'm', reason: '' }, { id: 'alice' }), { code: 'validation_failed' });

  assert.equal((await changes.approvedFor('m', OTHER)), undefined, 'the expected digest is enforced');
  assert.equal((await changes.approvedFor('m', DIGEST))?.id, req.id);
  assert.equal(await changes.markApplied(req.id, OTHER), false);
  assert.equal(await changes.markApplied(req.id, DIGEST), true);
  assert.equal(await changes.markApplied(req.id, DIGEST), false, 'an approval is used once');
  const applied = await changes.require(req.id);
  assert.deepEqual([applied.status, applied.appliedDigest], ['applied', DIGEST]);
  assert.ok(!Number.isNaN(Date.parse(applied.appliedAt ?? '')));

  const rejected = await changes.request({ assetId: 'm', reason: 'again' }, { id: 'carol' });
  assert.equal((await changes.reject(rejected.id, { id: 'bob', roles: ['admin'] }, 'no')).status, 'rejected');
  assert.deepEqual((await changes.list({ assetId: 'm' })).map((c) => c.status), ['applied', 'rejected']);
  assert.deepEqual((await changes.list({ status: 'rejected' })).map((c) => c.id), [rejected.id]);
});

conformance<IntegrityRepository>('two instances approving at once: one decision, applied once', factories, async ({ open }) => {
  const [x, y] = [control(await open()), control(await open())];
  await x.registry.add({ id: 'm', kind: 'model', location: '/models/m', owner: 'ml' }, { id: 'alice' });
  for (let round = 0; round < 5; round++) {
    const req = await x.changes.request({ assetId: 'm', reason: `round ${round}` }, { id: 'alice' });
    // Different approvers on the two instances, then one approver on both: exactly one decision is recorded.
    const approvers = round % 2 ? ['bob', 'bob'] : ['bob', 'carol'];
    const results = await Promise.allSettled([x.changes.approve(req.id, { id: approvers[0]!, roles: ['admin'] }), y.changes.approve(req.id, { id: approvers[1]!, roles: ['admin'] })]);
    const won = results.filter((r): r is PromiseFulfilledResult<ChangeRequest> => r.status === 'fulfilled');
    assert.equal(won.length, 1, `round ${round}: one approval wins`);
    assert.equal((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.code, 'conflict');
    assert.equal((await y.changes.require(req.id)).decidedBy, won[0]!.value.decidedBy);
    const applied = await Promise.all([x.changes.markApplied(req.id, DIGEST), y.changes.markApplied(req.id, DIGEST), x.changes.markApplied(req.id, DIGEST)]);
    assert.equal(applied.filter(Boolean).length, 1, `round ${round}: applied once`);
  }
});

conformance<IntegrityRepository>('an approval expires after its time to live and can then no longer be applied', factories, async ({ open }) => {
  const repo = await open();
  await repo.insertAsset(newAsset('m'));
  const old = new Date(Date.now() - 2 * 3600_000).toISOString();
  const stale = pending('m', { status: 'approved', decidedBy: 'bob', decidedAt: old });
  const recent = pending('m', { status: 'approved', decidedBy: 'bob', decidedAt: new Date().toISOString() });
  await repo.insertChange(stale);
  await repo.insertChange(recent);
  const hourAgo = new Date(Date.now() - 3600_000).toISOString();
  assert.equal(await repo.markApplied(stale.id, DIGEST, new Date().toISOString(), hourAgo), false, 'not applied even before the sweep');
  await repo.expireApprovals(hourAgo);
  assert.equal((await repo.getChange(stale.id))?.status, 'expired');
  assert.equal((await repo.getChange(recent.id))?.status, 'approved');
  const { changes } = control(repo);
  assert.deepEqual((await changes.list({ status: 'approved' })).map((c) => c.id), [recent.id]);
  assert.deepEqual(await repo.getChange(stale.id), { ...stale, status: 'expired' }, 'a change reads back exactly');
});

conformance<IntegrityRepository>('lineage edges: recorded with digests, walked both ways, cycles refused even when two instances race', factories, async ({ open }) => {
  const [repoX, repoY] = [await open(), await open()];
  const x = control(repoX);
  const y = control(repoY);
  for (const id of ['raw', 'clean', 'model-a', 'model-b', 'p', 'q']) await x.registry.add({ id, kind: id.startsWith('model') ? 'model' : 'dataset', location: `/a/${id}`, owner: 'o' }, { id: 'alice' });
  await x.registry.update('raw', { verifiedDigest: DIGEST });
  const first = await x.lineage.add({ upstream: 'raw', downstream: 'clean' }, { id: 'alice' });
  assert.deepEqual({ ...first, id: 0, recordedAt: '' }, { id: 0, upstreamId: 'raw', downstreamId: 'clean', runId: null, upstreamDigest: DIGEST, downstreamDigest: null, recordedBy: 'alice', recordedAt: '' });
  assert.ok(Number.isInteger(first.id) && !Number.isNaN(Date.parse(first.recordedAt)));
  await y.lineage.add({ upstream: 'clean', downstream: 'model-a', runId: 'r1', downstreamDigest: OTHER }, { id: 'bob' });
  await x.lineage.add({ upstream: 'model-a', downstream: 'model-b', runId: 'distill' }, { id: 'alice' });
  const shown = await y.lineage.show('clean');
  assert.deepEqual(shown.upstream.map((e) => e.upstreamId), ['raw']);
  assert.deepEqual(shown.downstream.map((e) => [e.upstreamId, e.downstreamId, e.runId]), [['clean', 'model-a', 'r1'], ['model-a', 'model-b', 'distill']]);
  assert.equal(shown.downstream[0]!.downstreamDigest, OTHER);
  await assert.rejects(y.lineage.add({ upstream: 'model-b', downstream: 'raw' }, { id: 'alice' }), { code: 'conflict' });
  await assert.rejects(x.lineage.add({ upstream: 'raw', downstream: 'raw' }, { id: 'alice' }), { code: 'validation_failed' });
  await assert.rejects(x.lineage.add({ upstream: 'raw', downstream: 'ghost' }, { id: 'alice' }), { code: 'not_found' });
  assert.deepEqual(await repoX.addEdge({ upstreamId: 'model-b', downstreamId: 'clean', runId: null, upstreamDigest: null, downstreamDigest: null, recordedBy: 'alice', recordedAt: new Date().toISOString() }), undefined);

  // p -> q on one instance and q -> p on the other at the same moment: one of them, never both.
  const race = await Promise.allSettled([x.lineage.add({ upstream: 'p', downstream: 'q' }, { id: 'alice' }), y.lineage.add({ upstream: 'q', downstream: 'p' }, { id: 'bob' })]);
  assert.equal(race.filter((r) => r.status === 'fulfilled').length, 1);
  assert.equal((await repoY.edges('p', 'down')).length + (await repoY.edges('q', 'down')).length, 1);

  assert.deepEqual((await x.lineage.markDownstreamSuspect('clean', 'upstream `clean` was tampered with')).sort(), ['model-a', 'model-b']);
  assert.equal((await y.registry.require('model-b')).suspectReason, 'upstream `clean` was tampered with');
  assert.deepEqual(await x.lineage.markDownstreamSuspect('clean', 'again'), [], 'already suspect');
});

conformance<IntegrityRepository>('opening again applies no migration twice and keeps every row', factories, async ({ open }) => {
  const repo = await open();
  await repo.insertAsset(newAsset('up'));
  await repo.insertAsset(newAsset('down'));
  const change = pending('up');
  await repo.insertChange(change);
  const edge = await repo.addEdge({ upstreamId: 'up', downstreamId: 'down', runId: 'r', upstreamDigest: DIGEST, downstreamDigest: null, recordedBy: 'alice', recordedAt: '2030-01-01T00:00:00.000Z' });
  await repo.updateAsset('up', { manifest: [{ name: 'f', digest: DIGEST }], verified: true }, '2030-01-01T00:00:01.000Z');
  const again = await open();
  await open();
  assert.deepEqual((await again.listAssets()).map((a) => a.id), ['down', 'up']);
  assert.equal((await again.getAsset('up'))?.verified, true);
  assert.deepEqual((await again.assetEvidence('up'))?.manifest, [{ name: 'f', digest: DIGEST }]);
  assert.deepEqual(await again.getChange(change.id), change);
  assert.deepEqual(await again.edges('down', 'up'), [edge]);
});
