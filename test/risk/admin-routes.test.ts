import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { WardenError } from '../../src/core/errors.js';
import type { AdminRequest, AdminRoute } from '../../src/gateway/admin-route.js';
import { riskAdminRoutes } from '../../src/risk/index.js';
import { testEngine } from './helpers.js';

async function call(routes: AdminRoute[], method: string, path: string, request: Partial<AdminRequest>): Promise<unknown> {
  const route = routes.find((r) => r.method === method && r.path === path);
  assert.ok(route, `${method} ${path}`);
  const res = await route.handler({ params: {}, query: {}, body: undefined, rawBody: '', identity: { principal: { kind: 'User', id: 'carol', attributes: {}, groups: [] } } as never, ...request });
  return (res as { body: unknown }).body;
}

test('POST /ingest imports a batch and reports malformed records by line', async () => {
  const te = testEngine();
  const routes = riskAdminRoutes(te.engine);
  const rawBody = readFileSync(new URL('./fixtures/okta.jsonl', import.meta.url), 'utf8');
  const body = (await call(routes, 'POST', '/ingest', { query: { format: 'okta' }, rawBody })) as Record<string, unknown>;
  assert.equal(body.records, 6);
  assert.equal(body.events, 4);
  assert.equal(body.malformed, 2);
  assert.deepEqual((body.errors as { line: number }[]).map((e) => e.line), [5, 6]);
});

test('POST /ingest rejects an unknown format and an empty body with registry codes', async () => {
  const routes = riskAdminRoutes(testEngine().engine);
  await assert.rejects(call(routes, 'POST', '/ingest', { query: { format: 'nginx' }, rawBody: 'x' }), (e: unknown) => e instanceof WardenError && e.code === 'validation_failed');
  await assert.rejects(call(routes, 'POST', '/ingest', { query: { format: 'sshd' }, rawBody: '  ' }), (e: unknown) => e instanceof WardenError && e.code === 'bad_request');
});

test('GET /detections validates its query; GET /risk/:type/:id returns the snapshot', async () => {
  const te = testEngine({}, undefined, undefined, 'warden:test');
  const routes = riskAdminRoutes(te.engine);
  const sshd = ['Nov  2 07:01:40 h sshd[1]: Failed password for a from 5.255.255.5 port 1 ssh2', ...'bcdefghij'.split('').map((u, i) => `Nov  2 07:0${Math.floor(i / 2) + 2}:1${i % 10} h sshd[1]: Failed password for ${u} from 5.255.255.5 port 1 ssh2`)].join('\n');
  const ing = (await call(routes, 'POST', '/ingest', { query: { format: 'sshd' }, rawBody: sshd })) as { detections: number };
  assert.equal(ing.detections, 2, 'a spray, and ten failures from one source in an hour');
  const list = (await call(routes, 'GET', '/detections', { query: { detector: 'risk.password_spray' } })) as { detections: { entity: unknown }[] };
  assert.deepEqual(list.detections[0]!.entity, { type: 'SourceIp', id: '5.255.255.5' });
  await assert.rejects(call(routes, 'GET', '/detections', { query: { limit: 'lots' } }), (e: unknown) => e instanceof WardenError && e.code === 'validation_failed');
  await assert.rejects(call(routes, 'GET', '/detections', { query: { since: 'yesterday' } }), (e: unknown) => e instanceof WardenError && e.code === 'validation_failed');
  const risk = (await call(routes, 'GET', '/risk/:type/:id', { params: { type: 'User', id: 'a' } })) as { score: number; factors: unknown[]; detections: unknown[] };
  assert.deepEqual({ score: risk.score, factors: risk.factors }, { score: 0, factors: [] });
  await assert.rejects(call(routes, 'GET', '/risk/:type/:id', { params: { type: 'Table', id: 'a' } }), (e: unknown) => e instanceof WardenError && e.code === 'validation_failed');
});
