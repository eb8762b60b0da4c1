import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InProcessBus } from '../../src/events/index.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/database.js';
import type { WardenEvent, AssetEvent, DetectionEvent } from '../../src/core/events.js';
import { createIntegrity, HashPool, integrityAdminRoutes, integrityConfigSchema, signModel, SqliteIntegrityRepository, type Integrity } from '../../src/integrity/index.js';
import type { AdminRequest } from '../../src/gateway/admin-route.js';
import type { Identity } from '../../src/core/types.js';
import { ecKeys, tempDir, writeDir } from './helpers.js';

let tmp: { dir: string; cleanup: () => void };
let db: SqliteDatabase;
let bus: InProcessBus;
let events: WardenEvent[];
let integrity: Integrity;

beforeEach(async () => {
  tmp = tempDir('warden-svc-');
  db = openDatabase(join(tmp.dir, 'data'));
  bus = new InProcessBus();
  events = [];
  bus.subscribe((e) => void events.push(e));
  integrity = await createIntegrity({ repo: new SqliteIntegrityRepository(db), bus, config: integrityConfigSchema.parse({ watchIntervalSeconds: 0, debounceMs: 50, hashWorkers: 2 }) });
});
afterEach(async () => {
  await integrity.close();
  db.close();
  tmp.cleanup();
});

function dir(name: string, files: Record<string, string>): string {
  return writeDir(tmp.dir, name, files);
}

const assetEvents = (change: AssetEvent['change']): AssetEvent[] => events.filter((e): e is AssetEvent => e.type === 'asset' && e.change === change);
const detections = (): DetectionEvent[] => events.filter((e): e is DetectionEvent => e.type === 'detection');

test('a signed model registered with its expected signer is verified; attributes are synchronous', async () => {
  const keys = ecKeys();
  const m = dir('model', { 'w.bin': 'weights', 'config.json': '{}' });
  const pool = new HashPool({ workers: 1 });
  const signed = await signModel(m, keys.privatePem, { pool });
  await pool.close();
  const { asset, check } = await integrity.addAsset({ id: 'm1', kind: 'model', location: m, owner: 'ml', signerPublicKey: keys.publicPem }, { id: 'alice' });
  assert.equal(check.result, 'baselined');
  assert.equal(asset.verified, true);
  assert.equal(asset.status, 'verified');
  assert.equal(asset.verifiedDigest, signed.manifest.rootDigest);
  const attrs = integrity.resourceAttributes('Warden::Model', 'm1');
  assert.equal(attrs?.verified, true);
  assert.equal(attrs?.signer, signed.signer);
  assert.ok((attrs?.lastVerified ?? 0) > 1_700_000_000);
  assert.equal(attrs?.suspect, false);
  assert.equal(integrity.resourceAttributes('Warden::Dataset', 'm1'), undefined);
  assert.equal(integrity.resourceAttributes('Warden::Model', 'nope'), undefined);
  await bus.drain();
  assert.equal(assetEvents('registered').length, 1);
  assert.equal(assetEvents('verified').length, 1);
});

test('unsigned or wrongly signed models are not verified', async () => {
  const m = dir('unsigned', { 'w.bin': 'weights' });
  const { asset } = await integrity.addAsset({ id: 'u', kind: 'model', location: m, owner: 'ml' }, { id: 'alice' });
  assert.equal(asset.verified, false);
  assert.equal(asset.status, 'unsigned');
  const keys = ecKeys();
  const other = ecKeys();
  const m2 = dir('wrong', { 'w.bin': 'weights' });
  const pool = new HashPool({ workers: 1 });
  await signModel(m2, other.privatePem, { pool });
  await pool.close();
  const second = await integrity.addAsset({ id: 'w', kind: 'model', location: m2, owner: 'ml', signerPublicKey: keys.publicPem }, { id: 'alice' });
  assert.equal(second.asset.verified, false);
  assert.equal(second.asset.status, 'failed');
  assert.equal(second.check.signature?.reason, 'wrong_key');
  await bus.drain();
  assert.equal(assetEvents('verification_failed').length, 1);
});

test('watcher: an unapproved change raises tampered + detection with files, digests, when and who; downstream becomes suspect', async () => {
  const data = dir('dataset', { 'train.csv': 'a,b\n1,2\n', 'test.csv': 'a,b\n' });
  const model = dir('model2', { 'w.bin': 'weights' });
  await integrity.addAsset({ id: 'ds', kind: 'dataset', location: data, owner: 'data', sensitivity: 'confidential' }, { id: 'alice' });
  await integrity.addAsset({ id: 'mdl', kind: 'model', location: model, owner: 'ml' }, { id: 'alice' });
  await integrity.lineage.add({ upstream: 'ds', downstream: 'mdl', runId: 'run-1' }, { id: 'bob' });
  const before = (await integrity.registry.require('ds')).verifiedDigest;
  await integrity.watcher.start();
  appendFileSync(join(data, 'train.csv'), '666,poison\n');
  // fs.watch delivers the change; the debounce and queue then re-hash. Wait generously (loaded machine).
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && (await integrity.registry.require('ds')).status !== 'tampered') await new Promise((r) => setTimeout(r, 50));
  await integrity.watcher.idle();
  await bus.drain();
  const ds = await integrity.registry.require('ds');
  assert.equal(ds.status, 'tampered');
  const tampered = assetEvents('tampered');
  assert.equal(tampered.length, 1);
  const det = detections()[0];
  assert.ok(det);
  assert.equal(det.detector, 'integrity.tamper');
  assert.equal(det.severity, 'critical');
  assert.deepEqual(det.entity, { type: 'Warden::Dataset', id: 'ds' });
  const details = det.details as { files: { modified: string[] }; oldDigest: string; newDigest: string; when: string; who: string[] };
  assert.deepEqual(details.files.modified, ['train.csv']);
  assert.equal(details.oldDigest, before);
  assert.notEqual(details.newDigest, before);
  assert.ok(Date.parse(details.when) > 0);
  assert.match(details.who[0] ?? '', /uid \d+/);
  assert.equal(integrity.resourceAttributes('Warden::Model', 'mdl')?.suspect, true);
  assert.equal(assetEvents('marked_suspect')[0]?.assetId, 'mdl');
  // The same tampered state is not reported twice.
  await integrity.verifier.check('ds', 'periodic');
  await bus.drain();
  assert.equal(assetEvents('tampered').length, 1);
});

test('two-person rule: the requester cannot approve; an approved change is accepted without a detection', async () => {
  const data = dir('dataset2', { 'train.csv': 'x\n' });
  await integrity.addAsset({ id: 'd2', kind: 'dataset', location: data, owner: 'data' }, { id: 'alice' });
  const req = await integrity.changes.request({ assetId: 'd2', reason: 'fix labels' }, { id: 'alice' });
  await assert.rejects(integrity.changes.approve(req.id, { id: 'alice', roles: ['admin'] }), { code: 'forbidden' });
  await assert.rejects(integrity.changes.approve(req.id, { id: 'bob', roles: ['viewer'] }), { code: 'forbidden' });
  appendFileSync(join(data, 'train.csv'), 'y\n');
  const { change, check } = await integrity.approveChange(req.id, { id: 'bob', roles: ['asset-approver'] });
  assert.equal(check?.result, 'accepted');
  assert.equal(change.status, 'applied');
  assert.equal((await integrity.registry.require('d2')).status, 'unsigned');
  // A second change without approval is tampering again.
  appendFileSync(join(data, 'train.csv'), 'z\n');
  assert.equal((await integrity.verifier.check('d2', 'periodic')).result, 'tampered');
  const rejected = await integrity.changes.request({ assetId: 'd2', reason: 'again' }, { id: 'carol' });
  assert.equal((await integrity.changes.reject(rejected.id, { id: 'bob', roles: ['admin'] }, 'no')).status, 'rejected');
  await assert.rejects(integrity.changes.approve(rejected.id, { id: 'bob', roles: ['admin'] }), { code: 'conflict' });
  await bus.drain();
  for (const kind of ['change_requested', 'change_approved', 'change_rejected'] as const) assert.ok(assetEvents(kind).length >= 1, kind);
  assert.equal(detections().length, 1);
});

test('a change approved before it is made is accepted by the next check; expected digest is enforced', async () => {
  const data = dir('dataset3', { 'a.txt': '1' });
  await integrity.addAsset({ id: 'd3', kind: 'dataset', location: data, owner: 'data' }, { id: 'alice' });
  const wrongDigest = 'f'.repeat(64);
  const req = await integrity.changes.request({ assetId: 'd3', reason: 'pinned', expectedDigest: wrongDigest }, { id: 'alice' });
  await integrity.approveChange(req.id, { id: 'bob', roles: ['admin'] });
  writeFileSync(join(data, 'a.txt'), '2');
  assert.equal((await integrity.verifier.check('d3', 'manual')).result, 'tampered');
  writeFileSync(join(data, 'a.txt'), '1');
  assert.equal((await integrity.verifier.check('d3', 'manual')).result, 'restored');
});

test('lineage: show upstream and downstream; cycles are refused', async () => {
  for (const id of ['raw', 'clean', 'model-a', 'model-b']) await integrity.addAsset({ id, kind: id.startsWith('model') ? 'model' : 'dataset', location: dir(id, { f: id }), owner: 'o' }, { id: 'alice' });
  await integrity.lineage.add({ upstream: 'raw', downstream: 'clean' }, { id: 'alice' });
  await integrity.lineage.add({ upstream: 'clean', downstream: 'model-a', runId: 'r1' }, { id: 'alice' });
  await integrity.lineage.add({ upstream: 'model-a', downstream: 'model-b', runId: 'distill' }, { id: 'alice' });
  const shown = await integrity.lineage.show('clean');
  assert.deepEqual(shown.upstream.map((e) => e.upstreamId), ['raw']);
  assert.deepEqual(shown.downstream.map((e) => e.downstreamId), ['model-a', 'model-b']);
  assert.equal(shown.downstream[0]?.upstreamDigest?.length, 64);
  await assert.rejects(integrity.lineage.add({ upstream: 'model-b', downstream: 'raw' }, { id: 'alice' }), { code: 'conflict' });
  await assert.rejects(integrity.lineage.add({ upstream: 'raw', downstream: 'ghost' }, { id: 'alice' }), { code: 'not_found' });
  appendFileSync(join(tmp.dir, 'raw', 'f'), 'poison');
  const check = await integrity.verifier.check('raw', 'manual');
  assert.deepEqual(check.markedSuspect?.sort(), ['clean', 'model-a', 'model-b']);
  await integrity.clearSuspect('model-b', { id: 'bob' });
  assert.equal(integrity.resourceAttributes('Model', 'model-b')?.suspect, false);
});

test('admin routes: validation, roles and the approval flow', async () => {
  const routes = integrityAdminRoutes(integrity);
  const find = (method: string, path: string) => {
    const r = routes.find((x) => x.method === method && x.path === path);
    assert.ok(r, `${method} ${path}`);
    return r;
  };
  const identity = (id: string, roles: string[]): Identity => ({
    principal: { kind: 'User', id, attributes: {}, groups: [], roles },
    authentication: { method: 'jwt', strength: 2, mfa: true, scopes: [] },
  });
  const req = (body: unknown, params: Record<string, string> = {}, who = identity('alice', ['admin'])): AdminRequest => ({ params, query: {}, body, rawBody: JSON.stringify(body ?? ''), identity: who });
  const location = dir('api-model', { 'w.bin': 'w' });
  const created = await find('POST', '/integrity/assets').handler(req({ id: 'api', kind: 'model', location, owner: 'ml' }));
  assert.equal(created.status, 201);
  await assert.rejects(async () => find('POST', '/integrity/assets').handler(req({ kind: 'weird', location })), { code: 'validation_failed' });
  const change = (await find('POST', '/integrity/changes').handler(req({ assetId: 'api', reason: 'retrain' }))).body as { change: { id: string } };
  await assert.rejects(async () => find('POST', '/integrity/changes/:id/approve').handler(req({}, { id: change.change.id })), { code: 'forbidden' });
  const approveRoute = find('POST', '/integrity/changes/:id/approve');
  assert.deepEqual(approveRoute.roles, ['admin', 'asset-approver']);
  const approved = (await approveRoute.handler(req({ note: 'ok' }, { id: change.change.id }, identity('bob', ['asset-approver'])))).body as { change: { status: string } };
  assert.equal(approved.change.status, 'approved');
  const list = (await find('GET', '/integrity/assets').handler(req(undefined))) as { body: { assets: unknown[] } };
  assert.equal(list.body.assets.length, 1);
  await assert.rejects(async () => find('GET', '/integrity/assets/:id').handler(req(undefined, { id: 'nope' })), { code: 'not_found' });
});

test('a change approved before it is made is accepted by the next check', async () => {
  const data = dir('dataset4', { 'a.txt': '1' });
  await integrity.addAsset({ id: 'd4', kind: 'dataset', location: data, owner: 'data' }, { id: 'alice' });
  const req = await integrity.changes.request({ assetId: 'd4', reason: 'append a day of data' }, { id: 'alice' });
  const { change, check } = await integrity.approveChange(req.id, { id: 'bob', roles: ['admin'] });
  assert.equal(check?.result, 'unchanged');
  assert.equal(change.status, 'approved');
  writeFileSync(join(data, 'b.txt'), 'new');
  const later = await integrity.verifier.check('d4', 'periodic');
  assert.equal(later.result, 'accepted');
  assert.deepEqual(later.diff?.added, ['b.txt']);
  assert.equal((await integrity.changes.require(req.id)).status, 'applied');
  // Used once: a further change is tampering.
  writeFileSync(join(data, 'c.txt'), 'more');
  assert.equal((await integrity.verifier.check('d4', 'periodic')).result, 'tampered');
});

test('watcher: the periodic re-hash finds a change without file-system events', async () => {
  await integrity.close();
  integrity = await createIntegrity({ repo: new SqliteIntegrityRepository(db), bus, config: integrityConfigSchema.parse({ watchIntervalSeconds: 1, fsEvents: false, hashWorkers: 1 }) });
  const data = dir('periodic', { 'x.csv': '1\n' });
  await integrity.addAsset({ id: 'p', kind: 'dataset', location: data, owner: 'data' }, { id: 'alice' });
  await integrity.watcher.start();
  appendFileSync(join(data, 'x.csv'), '2\n');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && (await integrity.registry.require('p')).status !== 'tampered') await new Promise((r) => setTimeout(r, 100));
  assert.equal((await integrity.registry.require('p')).status, 'tampered');
  await bus.drain();
  assert.equal((detections()[0]?.details as { trigger: string }).trigger, 'periodic');
});

test('watcher: the rate limit defers re-hashes beyond the per-minute budget; stop() does not wait for it', { timeout: 45_000 }, async () => {
  await integrity.close();
  integrity = await createIntegrity({ repo: new SqliteIntegrityRepository(db), bus, config: integrityConfigSchema.parse({ watchIntervalSeconds: 0, fsEvents: false, rehashPerMinute: 1, hashWorkers: 1 }) });
  await integrity.addAsset({ id: 'r1', kind: 'dataset', location: dir('r1', { a: '1' }), owner: 'o' }, { id: 'alice' });
  await integrity.addAsset({ id: 'r2', kind: 'dataset', location: dir('r2', { a: '1' }), owner: 'o' }, { id: 'alice' });
  appendFileSync(join(tmp.dir, 'r1', 'a'), 'x');
  appendFileSync(join(tmp.dir, 'r2', 'a'), 'x');
  await integrity.watcher.start();
  integrity.watcher.enqueue('r1', 'test');
  integrity.watcher.enqueue('r2', 'test');
  // Wait for the state, not for time: the watcher holds the queue once the budget of 1 is spent. However
  // slowly hashing runs, r1 is checked first and r2 must then wait; a limit that does not hold never
  // reaches this state (and the test times out) or checks r2 at once (and the asserts below fail).
  while (!integrity.watcher.status().waitingForBudget && (await integrity.registry.require('r2')).status !== 'tampered') await new Promise((r) => setTimeout(r, 20));
  assert.equal((await integrity.registry.require('r1')).status, 'tampered');
  assert.notEqual((await integrity.registry.require('r2')).status, 'tampered', 'second re-hash must wait for the next minute');
  assert.deepEqual(integrity.watcher.status(), { queued: ['r2'], usedThisWindow: 1, waitingForBudget: true });
  // stop() cuts the wait for the next window (60 s, beyond this test's timeout) short
  await integrity.watcher.stop();
  assert.equal(integrity.watcher.status().waitingForBudget, false);
  assert.notEqual((await integrity.registry.require('r2')).status, 'tampered');
});

test('removing or replacing the signature of a verified model is detected', async () => {
  const keys = ecKeys();
  const m = dir('sig-model', { 'w.bin': 'weights' });
  const pool = new HashPool({ workers: 1 });
  await signModel(m, keys.privatePem, { pool });
  await integrity.addAsset({ id: 'sm', kind: 'model', location: m, owner: 'ml', signerPublicKey: keys.publicPem }, { id: 'alice' });
  await signModel(m, ecKeys().privatePem, { pool }); // re-signed by someone else, files unchanged
  await pool.close();
  const check = await integrity.verifier.check('sm', 'fs-event');
  assert.equal(check.verified, false);
  assert.equal(integrity.resourceAttributes('Warden::Model', 'sm')?.verified, false);
  await bus.drain();
  assert.equal(detections()[0]?.detector, 'integrity.signature');
  assert.equal(assetEvents('verification_failed').length, 1);
});
