/**
 * The cluster's log read from any instance (the admin routes' `AuditSource`) and by the CLI: a checkpoint
 * asked of a follower is signed by the leader; inclusion and consistency proofs (leaf hashes inside
 * complete chunks are read on demand) verify against the signed root; exports verify offline; entries
 * read by a follower come back decrypted; `warden audit checkpoint|proof|export` read PostgreSQL; proofs
 * asked concurrently while the log grows stay correct.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import {
  auditAdminRoutes,
  auditConfigSchema,
  createClusterAuditLog,
  openCheckpoint,
  parseVerifierKey,
  rootFromLeafHashes,
  verifyConsistency,
  verifyExport,
  verifyInclusion,
  type ClusterAuditLog,
} from '../../src/audit/index.js';
import { runCli } from '../../src/cli/run.js';
import { AuditVerification } from '../../src/console/audit-verification.js';
import type { AdminRequest } from '../../src/gateway/admin-route.js';
import { freshSchema } from '../helpers/postgres.js';
import { adminEvent, sharedKeyDir, waitFor } from './helpers.js';

const TOTAL = 300;

function call(log: ClusterAuditLog, method: 'GET' | 'POST', path: string, params: Record<string, string> = {}, query: Record<string, string> = {}) {
  const route = auditAdminRoutes(log).find((r) => r.method === method && r.path === path)!;
  return route.handler({ params, query, body: undefined, rawBody: '' } as AdminRequest);
}

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await runCli(args, { stdout, stderr, env, cwd: process.cwd() });
  return { code, out, err };
}

test('the cluster log is read, proven, checkpointed and exported from a follower and by the CLI', async () => {
  const fresh = await freshSchema('wcr');
  const keys = sharedKeyDir();
  // Checkpoints only when asked (or at close): the one the follower asks for must come from the leader.
  const config = auditConfigSchema.parse({ signingKeyFile: keys.signingKeyFile, encryption: { kekFile: keys.kekFile }, checkpoint: { everyEntries: 1_000_000, everySeconds: 86_400 } });
  const leader = await createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config });
  let follower: ClusterAuditLog | undefined;
  try {
    await waitFor('a leader', () => leader.isLeader());
    follower = await createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config });
    const f = follower;
    assert.equal(f.isLeader(), false);
    const events = Array.from({ length: TOTAL }, (_, i) => adminEvent(i, i === 7 ? { prompt: 'a secret prompt' } : {}));
    await Promise.all(events.map((e) => f.append(e)));
    await waitFor('every event in the log', async () => (await f.size()) === TOTAL);
    const verifier = parseVerifierKey(f.publicKey().verifierKey);

    // GET /audit/checkpoint on the follower: no checkpoint yet, one is asked of the leader and signed.
    const noted = await call(f, 'GET', '/audit/checkpoint');
    const opened = openCheckpoint(noted.body as string, verifier);
    assert.ok(opened.ok, 'the checkpoint is signed with the cluster key');
    assert.equal(opened.checkpoint.size, TOTAL);
    const root = opened.checkpoint.rootHash;

    const raw = await f.readRaw(0, TOTAL);
    assert.equal(raw.length, TOTAL);
    assert.ok(rootFromLeafHashes(raw.map((r) => r.leafHash)).equals(root), 'the signed root is the root of the stored leaves');

    // Inclusion: a leaf in the first (complete) chunk, whose siblings are read on demand, and one in the tail.
    for (const index of [0, 5, 255, 260, TOTAL - 1]) {
      const proof = (await call(f, 'GET', '/audit/proofs/inclusion/:index', { index: String(index) })).body as { leafHash: string; proof: string[]; checkpoint?: string; rootHash: string };
      assert.equal(proof.rootHash, root.toString('hex'));
      assert.ok(proof.checkpoint, 'the proof carries the checkpoint it is against');
      assert.ok(verifyInclusion(index, TOTAL, Buffer.from(proof.leafHash, 'hex'), proof.proof.map((h) => Buffer.from(h, 'hex')), root), `inclusion of ${index}`);
    }
    for (const from of [1, 100, 256, 299]) {
      const c = (await call(f, 'GET', '/audit/proofs/consistency', {}, { from: String(from) })).body as { fromRoot: string; toRoot: string; proof: string[] };
      assert.ok(rootFromLeafHashes(raw.slice(0, from).map((r) => r.leafHash)).equals(Buffer.from(c.fromRoot, 'hex')));
      assert.ok(verifyConsistency(from, TOTAL, Buffer.from(c.fromRoot, 'hex'), root, c.proof.map((h) => Buffer.from(h, 'hex'))), `consistency from ${from}`);
    }
    const bad = await Promise.resolve(call(f, 'GET', '/audit/proofs/inclusion/:index', { index: String(TOTAL) })).catch((e: Error & { code?: string }) => e.code);
    assert.equal(bad, 'bad_request');

    const entries = (await call(f, 'GET', '/audit/entries', {}, { from: '5', limit: '3' })).body as { size: number; entries: { index: number }[] };
    assert.equal(entries.size, TOTAL);
    assert.deepEqual(entries.entries.map((e) => e.index), [5, 6, 7]);

    // The exporter's read: decrypted with the cluster's key-encryption keys, in log order.
    const records = await f.read(0, TOTAL);
    assert.deepEqual(new Set(records.map((r) => r.event.id)), new Set(events.map((e) => e.id)));
    const secret = records.find((r) => r.event.id === events[7]!.id)!;
    assert.equal((secret.event as unknown as { details: { prompt: string } }).details.prompt, 'a secret prompt');
    assert.ok(!raw.some((r) => r.entry.toString('utf8').includes('a secret prompt')), 'stored sealed');

    const exported = (await call(f, 'GET', '/audit/export', {}, { from: '10' })).body as string;
    const report = verifyExport(exported, verifier);
    assert.ok(report.ok, JSON.stringify(report.problems));
    assert.equal(report.entries, TOTAL - 10);

    // The CLI reads the same log with WARDEN_DATABASE_URL, and never a local audit.db.
    const env = { WARDEN_DATABASE_URL: fresh.url };
    const checkpoint = await cli(['audit', 'checkpoint', '--data-dir', keys.dir], env);
    assert.equal(checkpoint.code, 0, checkpoint.err);
    assert.equal(checkpoint.out, noted.body);
    const proof = await cli(['audit', 'proof', 'inclusion', '--index', '42', '--data-dir', keys.dir], env);
    assert.equal(proof.code, 0, proof.err);
    const parsed = JSON.parse(proof.out) as { treeSize: number; leafHash: string; proof: string[] };
    assert.equal(parsed.treeSize, TOTAL);
    assert.ok(verifyInclusion(42, TOTAL, Buffer.from(parsed.leafHash, 'hex'), parsed.proof.map((h) => Buffer.from(h, 'hex')), root));
    const consistency = await cli(['audit', 'proof', 'consistency', '--from', '120', '--data-dir', keys.dir], env);
    assert.equal(consistency.code, 0, consistency.err);
    const cp = JSON.parse(consistency.out) as { fromRoot: string; proof: string[] };
    assert.ok(verifyConsistency(120, TOTAL, Buffer.from(cp.fromRoot, 'hex'), root, cp.proof.map((h) => Buffer.from(h, 'hex'))));
    const exportCli = await cli(['audit', 'export', '--from', '0', '--data-dir', keys.dir], env);
    assert.equal(exportCli.code, 0, exportCli.err);
    const cliReport = verifyExport(exportCli.out, verifier);
    assert.ok(cliReport.ok, JSON.stringify(cliReport.problems));
    assert.equal(cliReport.entries, TOTAL);

    // The log grows; proofs asked at the same time bring the follower's tree up to date once, correctly.
    await Promise.all(Array.from({ length: TOTAL }, (_, i) => f.append(adminEvent(TOTAL + i))));
    await waitFor('the log grown', async () => (await f.size()) === 2 * TOTAL);
    const grown = rootFromLeafHashes((await f.readRaw(0, 2 * TOTAL)).map((r) => r.leafHash));
    const indexes = [3, 300, 511, 512, 2 * TOTAL - 1];
    const proofs = await Promise.all(indexes.map((i) => f.inclusionProof(i, 2 * TOTAL)));
    proofs.forEach((p, n) => assert.ok(verifyInclusion(indexes[n]!, 2 * TOTAL, Buffer.from(p.leafHash, 'hex'), p.proof.map((h) => Buffer.from(h, 'hex')), grown), `inclusion of ${indexes[n]} after growth`));
  } finally {
    await follower?.close();
    await leader.close();
    await fresh.close();
    rmSync(keys.dir, { recursive: true, force: true });
  }
});

test('the console\'s "verify now" verifies the cluster\'s log when a database URL is given', async () => {
  const fresh = await freshSchema('wcv');
  const keys = sharedKeyDir();
  const config = auditConfigSchema.parse({ signingKeyFile: keys.signingKeyFile, encryption: { kekFile: keys.kekFile }, checkpoint: { everySeconds: 0.2 } });
  const log = await createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config });
  try {
    await Promise.all(Array.from({ length: 40 }, (_, i) => log.append(adminEvent(i))));
    await waitFor('a checkpoint of every event', async () => (await log.latestCheckpoint())?.size === 40);
    const verification = new AuditVerification({ dataDir: keys.dir, origin: config.origin, signingKeyFile: keys.signingKeyFile, databaseUrl: fresh.url }, () => log.size());
    const started = await verification.start();
    assert.equal(started.state, 'running');
    assert.equal(started.entries, 40);
    await waitFor('the verification done', () => verification.status().state !== 'running');
    const status = verification.status();
    assert.equal(status.state, 'done', status.error ?? '');
    assert.equal(status.report?.ok, true);
    assert.equal(status.report?.entries, 40);
  } finally {
    await log.close();
    await fresh.close();
    rmSync(keys.dir, { recursive: true, force: true });
  }
});
