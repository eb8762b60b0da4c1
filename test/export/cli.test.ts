import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { exportStatusCommand } from '../../src/cli/commands/export-status.js';
import { createExporter } from '../../src/export/index.js';
import { MemoryReader, sampleEvents, tempDir, waitFor } from './helpers.js';

function io(cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { io: { stdout, stderr, env: {}, cwd }, out: () => out, err: () => err };
}

test('warden export status prints each sink cursor from the data dir', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const missing = io(dir);
    assert.equal(await exportStatusCommand.run(['--data-dir', join(dir, 'nope')], missing.io), 1);
    assert.match(missing.err(), /no warden.db/);

    const reader = new MemoryReader();
    reader.append(sampleEvents(0, 12));
    const exporter = await createExporter({ reader, dataDir: dir, config: { pollIntervalMs: 50, sinks: [{ name: 'archive', type: 'file', file: { path: join(dir, 'a.jsonl') } }] } });
    exporter.start();
    await waitFor(() => exporter.status().sinks[0]!.committed === 12, 'export');
    await exporter.stop();

    const text = io(dir);
    assert.equal(await exportStatusCommand.run(['--data-dir', dir], text.io), 0);
    assert.match(text.out(), /^SINK +STATE +CURSOR/m);
    assert.match(text.out(), /^archive +- +12 /m);
    const json = io(dir);
    assert.equal(await exportStatusCommand.run(['--data-dir', dir, '--json'], json.io), 0);
    const parsed = JSON.parse(json.out()) as { sinks: { sink: string; position: number; delivered: number; deadLettered: number }[] };
    assert.deepEqual(parsed.sinks.map((s) => [s.sink, s.position, s.delivered, s.deadLettered]), [['archive', 12, 12, 0]]);
  } finally {
    cleanup();
  }
});
