/** The audit admin routes, called as the gateway would (handlers with parsed input). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditAdminRoutes, createAuditLog, openCheckpoint, parseVerifierKey, verifyConsistency, verifyExport, verifyInclusion } from '../../src/audit/index.js';
import type { AdminRequest, AdminRoute } from '../../src/gateway/admin-route.js';
import type { Identity } from '../../src/core/types.js';
import type { WardenError } from '../../src/core/errors.js';
import { config, sampleEvent, tempDir } from './helpers.js';

const identity = { principal: { kind: 'User', id: 'admin', attributes: {}, groups: [], roles: ['admin'] }, authentication: { method: 'apikey', strength: 1, mfa: false, scopes: [] } } as Identity;

function call(routes: AdminRoute[], method: string, path: string, params: Record<string, string> = {}, q: Record<string, string> = {}) {
  const route = routes.find((r) => r.method === method && r.path === path);
  assert.ok(route, `${method} ${path}`);
  const req: AdminRequest = { params, query: q, body: undefined, rawBody: '', identity };
  return Promise.resolve(route.handler(req));
}

test('checkpoint, key, proofs, entries and export over the admin routes', async () => {
  const { dir, cleanup } = tempDir();
  const log = await createAuditLog({ dataDir: dir, config: config() });
  try {
    await Promise.all(Array.from({ length: 300 }, (_, i) => log.append(sampleEvent(i, { prompt: 'hidden' }))));
    const routes = auditAdminRoutes(log);
    const key = (await call(routes, 'GET', '/audit/key')).body as { verifierKey: string };
    const verifier = parseVerifierKey(key.verifierKey);
    const note = (await call(routes, 'POST', '/audit/checkpoint')).body as string;
    const cp = openCheckpoint(note, verifier);
    assert.ok(cp.ok && cp.checkpoint.size === 300);
    assert.equal((await call(routes, 'GET', '/audit/checkpoint')).body, note);

    const inc = (await call(routes, 'GET', '/audit/proofs/inclusion/:index', { index: '123' })).body as { leafHash: string; proof: string[]; treeSize: number; checkpoint: string };
    assert.equal(inc.treeSize, 300);
    assert.equal(inc.checkpoint, note);
    assert.ok(verifyInclusion(123, 300, Buffer.from(inc.leafHash, 'hex'), inc.proof.map((h) => Buffer.from(h, 'hex')), cp.checkpoint.rootHash));

    const con = (await call(routes, 'GET', '/audit/proofs/consistency', {}, { from: '77' })).body as { fromRoot: string; proof: string[] };
    assert.ok(verifyConsistency(77, 300, Buffer.from(con.fromRoot, 'hex'), cp.checkpoint.rootHash, con.proof.map((h) => Buffer.from(h, 'hex'))));

    const entries = (await call(routes, 'GET', '/audit/entries', {}, { from: '5', limit: '2' })).body as { entries: { index: number; event: { details: { prompt: { $enc: string } } } }[] };
    assert.deepEqual(entries.entries.map((e) => e.index), [5, 6]);
    assert.equal(entries.entries[0]!.event.details.prompt.$enc, 'A256GCM');

    await log.append(sampleEvent(300));
    const exp = (await call(routes, 'GET', '/audit/export', {}, { from: '250' })).body as string;
    const report = verifyExport(exp, verifier);
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.to, 301);

    await assert.rejects(call(routes, 'GET', '/audit/proofs/inclusion/:index', { index: 'x' }), (e: WardenError) => e.code === 'validation_failed');
    await assert.rejects(call(routes, 'GET', '/audit/proofs/inclusion/:index', { index: '5000' }), (e: WardenError) => e.code === 'bad_request');
  } finally {
    await log.close();
    cleanup();
  }
});
