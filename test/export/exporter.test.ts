import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createExporter, createExportAdminRoutes, exportConfigSchema, SqliteExportCursorRepository } from '../../src/export/index.js';
import { openDatabase } from '../../src/store/index.js';
import { backoffDelay } from '../../src/export/backoff.js';
import { MemoryReader, dedupe, sampleEvents, tempDir, waitFor } from './helpers.js';
import type { AdminRequest } from '../../src/gateway/admin-route.js';

test('file sink: JSON Lines with position and leaf hash, mode 0600, resumes after restart', async () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'out', 'events.jsonl');
  const reader = new MemoryReader();
  const config = { pollIntervalMs: 50, sinks: [{ name: 'archive', type: 'file' as const, format: 'native' as const, file: { path }, batch: { maxRecords: 7 } }] };
  try {
    reader.append(sampleEvents(0, 50));
    let exporter = await createExporter({ reader, dataDir: dir, config });
    exporter.start();
    await waitFor(() => exporter.status().sinks[0]!.committed === 50, 'written');
    await exporter.stop();
    reader.append(sampleEvents(50, 25));
    exporter = await createExporter({ reader, dataDir: dir, config });
    exporter.start();
    await waitFor(() => exporter.status().sinks[0]!.committed === 75, 'written after restart');
    await exporter.stop();
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { log_index: number; leaf_hash: string; event: { id: string } });
    assert.deepEqual(dedupe(lines.map((l) => l.log_index)).unique, Array.from({ length: 75 }, (_, i) => i));
    assert.equal(lines.length, 75, 'a clean stop re-sends nothing');
    for (const l of lines) assert.equal(l.leaf_hash, reader.records[l.log_index]!.leafHash);
    assert.equal(statSync(path).mode & 0o777, 0o600);
  } finally {
    cleanup();
  }
});

test('type filters, startAt end, status and the admin route', async () => {
  const { dir, cleanup } = tempDir();
  const reader = new MemoryReader();
  reader.append(sampleEvents(0, 18));
  const config = exportConfigSchema.parse({
    pollIntervalMs: 50,
    sinks: [
      { name: 'detections', type: 'file', format: 'cef', types: ['detection'], file: { path: join(dir, 'd.cef') } },
      { name: 'tail', type: 'file', format: 'ecs', startAt: 'end', file: { path: join(dir, 't.jsonl') } },
      { name: 'off', type: 'file', enabled: false, file: { path: join(dir, 'off.jsonl') } },
    ],
  });
  try {
    const exporter = await createExporter({ reader, dataDir: dir, config });
    exporter.start();
    reader.append(sampleEvents(18, 9));
    await waitFor(() => exporter.status().sinks.every((s) => s.committed === 27), 'both caught up');
    const routes = createExportAdminRoutes(exporter);
    assert.equal(routes[0]!.path, '/export/status');
    const response = await routes[0]!.handler({ params: {}, query: {}, body: undefined, rawBody: '' } as unknown as AdminRequest);
    const body = response.body as { running: boolean; sinks: { name: string; lag: number; deliveredTotal: number; state: string }[] };
    assert.equal(body.running, true);
    assert.deepEqual(body.sinks.map((s) => s.name), ['detections', 'tail']);
    assert.deepEqual(body.sinks.map((s) => s.lag), [0, 0]);
    assert.deepEqual(body.sinks.map((s) => s.deliveredTotal), [3, 9]);
    await exporter.stop();
    assert.equal(exporter.status().running, false);
    const cef = readFileSync(join(dir, 'd.cef'), 'utf8').trim().split('\n');
    assert.deepEqual(cef.map((l) => /cn1=(\d+)/.exec(l)![1]), ['3', '12', '21']);
    const db = openDatabase(dir);
    assert.deepEqual((await new SqliteExportCursorRepository(db).cursors()).map((r) => [r.sink, r.position]), [['detections', 27], ['tail', 27]]);
    db.close();
  } finally {
    cleanup();
  }
});

test('config: defaults, validation errors and duplicate names', async () => {
  assert.deepEqual(exportConfigSchema.parse(undefined), { sinks: [], pollIntervalMs: 1000 });
  const parsed = exportConfigSchema.parse({ sinks: [{ name: 'a', type: 'stdout' }] }).sinks[0]!;
  assert.equal(parsed.format, 'ocsf');
  assert.equal(parsed.batch.maxRecords, 500);
  assert.equal(parsed.retry.maxDelayMs, 30_000);
  assert.equal(exportConfigSchema.safeParse({ sinks: [{ name: 'a', type: 'stdout' }, { name: 'a', type: 'stdout' }] }).success, false);
  assert.equal(exportConfigSchema.safeParse({ sinks: [{ name: 'bad name', type: 'stdout' }] }).success, false);
  assert.equal(exportConfigSchema.safeParse({ sinks: [{ name: 'h', type: 'hec', hec: { url: 'not a url', token: 'env:X' } }] }).success, false);
  const { dir, cleanup } = tempDir();
  try {
    await assert.rejects(() => createExporter({ reader: new MemoryReader(), dataDir: dir, config: { sinks: [{ name: 'x', type: 'syslog' }] } as never }), (e: Error & { code?: string }) => e.code === 'config_invalid');
  } finally {
    cleanup();
  }
});

test('backoff grows exponentially, is capped, and honours Retry-After', () => {
  const retry = { initialDelayMs: 100, maxDelayMs: 5000, multiplier: 2, jitter: 0 };
  assert.deepEqual([0, 1, 2, 3, 10].map((a) => backoffDelay(a, retry)), [100, 200, 400, 800, 5000]);
  assert.equal(backoffDelay(0, retry, 3000), 3000);
  assert.equal(backoffDelay(0, retry, 60_000), 5000);
  const jittered = backoffDelay(3, { ...retry, jitter: 0.5 }, undefined, () => 1);
  assert.equal(jittered, 400);
});

test('an entry the format cannot express is dead-lettered and the sink goes on', async () => {
  const { dir, cleanup } = tempDir();
  const reader = new MemoryReader();
  const broken = { ...sampleEvents(2, 1)[0]!, latencyMs: undefined } as unknown as ReturnType<typeof sampleEvents>[number];
  reader.append([...sampleEvents(0, 2), broken, ...sampleEvents(3, 5)]);
  const path = join(dir, 'o.jsonl');
  try {
    const exporter = await createExporter({ reader, dataDir: dir, config: { pollIntervalMs: 50, sinks: [{ name: 'o', type: 'file', format: 'ocsf', file: { path } }] } });
    exporter.start();
    await waitFor(() => exporter.status().sinks[0]!.committed === 8, 'export');
    const status = exporter.status().sinks[0]!;
    await exporter.stop();
    assert.equal(status.deadLettered, 1);
    assert.match(status.lastError ?? '', /total/);
    const positions = readFileSync(path, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { metadata: { sequence: number } }).metadata.sequence);
    assert.deepEqual(positions, [0, 1, 3, 4, 5, 6, 7]);
    const db = openDatabase(dir);
    assert.deepEqual((await new SqliteExportCursorRepository(db).deadLetters('o')).map((d) => [d.position, d.leafHash]), [[2, reader.records[2]!.leafHash]]);
    db.close();
  } finally {
    cleanup();
  }
});

test('stdout sink: one line per record on the stream', async () => {
  const { createStreamSink } = await import('../../src/export/sinks/jsonl.js');
  const { PassThrough } = await import('node:stream');
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  const sink = createStreamSink(stream);
  const payloads = [0, 1].map((index) => ({ index, payload: sink.encode({ index, leafHash: 'h', time: 0, severity: 'info', body: { a: index, s: 'x\ny' } }) }));
  await sink.send(payloads, new AbortController().signal);
  await sink.close();
  assert.deepEqual(text.trim().split('\n').map((l) => JSON.parse(l) as { a: number }), [{ a: 0, s: 'x\ny' }, { a: 1, s: 'x\ny' }]);
});
