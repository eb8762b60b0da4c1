import { test } from 'node:test';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { createExporter, exportConfigSchema, type ExportLogger } from '../../src/export/index.js';
import { MemoryReader, dedupe, hasOpenssl, sampleEvents, selfSignedCert, startHecReceiver, tempDir, waitFor } from './helpers.js';
import { validateOcsf } from './ocsf-validator.js';

const TOKEN = 'hec-secret-token-1f2e3d';

function capturingLogger(lines: string[]): ExportLogger {
  const log = (level: string) => (obj: object, msg: string) => void lines.push(`${level} ${msg} ${JSON.stringify(obj)}`);
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

function hecConfig(url: string, extra: Record<string, unknown> = {}) {
  return exportConfigSchema.parse({
    pollIntervalMs: 50,
    sinks: [
      {
        name: 'splunk',
        type: 'hec',
        format: 'ocsf',
        hec: { url, token: 'env:TEST_HEC_TOKEN', ...extra },
        batch: { maxRecords: 40 },
        retry: { initialDelayMs: 10, maxDelayMs: 150 },
      },
    ],
  });
}

test('HEC: every record arrives in order, without gaps, through 503s, dropped connections and a restart', async () => {
  const { dir, cleanup } = tempDir();
  const hec = await startHecReceiver(TOKEN);
  const reader = new MemoryReader();
  const logs: string[] = [];
  const env = { TEST_HEC_TOKEN: TOKEN };
  try {
    reader.append(sampleEvents(0, 300));
    let exporter = await createExporter({ reader, dataDir: dir, config: hecConfig(hec.url), env, logger: capturingLogger(logs) });
    exporter.start();
    await waitFor(() => hec.events.length >= 80, 'first batches');

    hec.mode = '503';
    reader.append(sampleEvents(300, 200));
    const requestsBefore = hec.requests;
    await waitFor(() => hec.requests >= requestsBefore + 5, '503 retries');
    const during503 = exporter.status().sinks[0]!;
    assert.equal(during503.state, 'retrying');
    assert.match(during503.lastError ?? '', /503/);
    assert.ok(during503.lag > 0);

    hec.mode = 'drop';
    const requestsBeforeDrop = hec.requests;
    await waitFor(() => hec.requests >= requestsBeforeDrop + 5, 'dropped connections');
    hec.mode = 'ok';
    await waitFor(() => new Set(hec.events.map((e) => (e.fields as { warden_log_index: number }).warden_log_index)).size >= 500, 'catch up after outage');

    // Restart: stop, append while down, a new exporter with the same data dir resumes from the cursor.
    await exporter.stop();
    const stopped = exporter.status().sinks[0]!;
    assert.equal(stopped.committed, 500);
    reader.append(sampleEvents(500, 150));
    exporter = await createExporter({ reader, dataDir: dir, config: hecConfig(hec.url), env, logger: capturingLogger(logs) });
    assert.equal(exporter.status().sinks[0]!.position, 500);
    exporter.start();
    await waitFor(() => exporter.status().sinks[0]!.committed === 650, 'catch up after restart');
    await exporter.stop();

    const positions = hec.events.map((e) => (e.fields as { warden_log_index: number }).warden_log_index);
    const { unique, outOfOrder } = dedupe(positions);
    assert.equal(outOfOrder, 0);
    assert.deepEqual(unique, Array.from({ length: 650 }, (_, i) => i));
    for (const e of hec.events) {
      const fields = e.fields as { warden_log_index: number; warden_leaf_hash: string };
      assert.equal(fields.warden_leaf_hash, reader.records[fields.warden_log_index]!.leafHash);
      assert.equal(e.sourcetype, 'warden:ocsf');
      assert.deepEqual(validateOcsf(e.event as Record<string, unknown>), []);
    }
    // The token is sent to HEC and never logged.
    assert.deepEqual([...hec.tokensSeen], [`Splunk ${TOKEN}`]);
    assert.ok(logs.some((l) => l.includes('retrying')));
    assert.ok(!logs.some((l) => l.includes(TOKEN)));
    assert.ok(!JSON.stringify(exporter.status()).includes(TOKEN));
  } finally {
    await hec.close();
    cleanup();
  }
});

test('HEC: a record the collector rejects as malformed is dead-lettered, the rest delivered (gzip)', async () => {
  const { dir, cleanup } = tempDir();
  const hec = await startHecReceiver(TOKEN);
  hec.poison.add(17);
  const reader = new MemoryReader();
  try {
    reader.append(sampleEvents(0, 60));
    const exporter = await createExporter({ reader, dataDir: dir, config: hecConfig(hec.url, { gzip: true }), env: { TEST_HEC_TOKEN: TOKEN } });
    exporter.start();
    await waitFor(() => exporter.status().sinks[0]!.committed === 60, 'delivery');
    const status = exporter.status().sinks[0]!;
    await exporter.stop();
    assert.equal(status.deadLettered, 1);
    const positions = dedupe(hec.events.map((e) => (e.fields as { warden_log_index: number }).warden_log_index)).unique;
    assert.deepEqual(positions, Array.from({ length: 60 }, (_, i) => i).filter((i) => i !== 17));
  } finally {
    await hec.close();
    cleanup();
  }
});

test('HEC: a missing token variable is a config error, not a crash', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await assert.rejects(
      () => createExporter({ reader: new MemoryReader(), dataDir: dir, config: hecConfig('http://127.0.0.1:9'), env: {} }),
      (e: Error & { code?: string }) => e.code === 'config_invalid' && /TEST_HEC_TOKEN/.test(e.message),
    );
  } finally {
    cleanup();
  }
});

test('HEC over HTTPS: the collector certificate is verified against the configured CA', { skip: hasOpenssl() ? false : 'the openssl CLI is not installed' }, async () => {
  const { dir, cleanup } = tempDir();
  const cert = selfSignedCert(dir);
  const hec = await startHecReceiver(TOKEN, cert);
  const reader = new MemoryReader();
  try {
    reader.append(sampleEvents(0, 30));
    const exporter = await createExporter({ reader, dataDir: dir, config: hecConfig(hec.url, { tls: { caFile: cert.certFile } }), env: { TEST_HEC_TOKEN: TOKEN } });
    exporter.start();
    await waitFor(() => exporter.status().sinks[0]!.committed === 30, 'delivery over https');
    await exporter.stop();
    assert.deepEqual(dedupe(hec.events.map((e) => (e.fields as { warden_log_index: number }).warden_log_index)).unique, Array.from({ length: 30 }, (_, i) => i));
    // Without the CA the same collector is refused, and nothing moves.
    const untrusted = await createExporter({ reader, dataDir: join(dir, 'other'), config: hecConfig(hec.url), env: { TEST_HEC_TOKEN: TOKEN } });
    untrusted.start();
    await waitFor(() => untrusted.status().sinks[0]!.retries >= 2, 'refused');
    const status = untrusted.status().sinks[0]!;
    await untrusted.stop();
    assert.equal(status.committed, 0);
    assert.match(status.lastError ?? '', /certificate|self.signed/i);
  } finally {
    await hec.close();
    cleanup();
  }
});

/** A collector that holds every request until the test releases it, so the test controls the order. */
async function startHoldingCollector(): Promise<{ url: string; held: (() => void)[]; received: number; close: () => Promise<void> }> {
  const { createServer } = await import('node:http');
  const state = { url: '', held: [] as (() => void)[], received: 0, close: async () => {} };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.received++;
      state.held.push(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"Success","code":0}'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  state.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return state;
}

test('HEC: the cursor moves only after the collector acknowledged, and stop() drains the batch in flight', async () => {
  const { dir, cleanup } = tempDir();
  const collector = await startHoldingCollector();
  const reader = new MemoryReader();
  try {
    reader.append(sampleEvents(0, 10));
    const exporter = await createExporter({ reader, dataDir: dir, config: hecConfig(collector.url), env: { TEST_HEC_TOKEN: TOKEN } });
    exporter.start();
    await waitFor(() => collector.held.length === 1, 'the first batch to reach the collector');
    // Handed over, not acknowledged: a cursor saved now would lose the batch if the collector failed.
    assert.equal(exporter.status().sinks[0]!.committed, 0);
    const stopping = exporter.stop();
    collector.held.shift()!();
    await stopping;
    // What was handed over before stop() and acknowledged is committed, not abandoned and re-sent.
    assert.equal(exporter.status().sinks[0]!.committed, 10);
    assert.equal(collector.received, 1);
  } finally {
    await collector.close();
    cleanup();
  }
});
