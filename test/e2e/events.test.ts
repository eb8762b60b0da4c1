/**
 * The event bus end to end: every request's decision event reaches the audit log (verifiable after a
 * restart) and a file SIEM sink, in order, with its log position.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoConfig } from '../../src/config/demo.js';
import { runCli, startWarden, tempDir } from '../helpers/warden-process.js';

test('decision events land in the audit log and the export sink; the log verifies after shutdown', async () => {
  const dir = tempDir();
  const sinkFile = join(dir, 'events.jsonl');
  const warden = await startWarden({ ...demoConfig, export: { sinks: [{ name: 'file', type: 'file', format: 'native', file: { path: sinkFile } }] } }, { dir });
  const key = /alice +(wdn_\S+)/.exec(warden.output())![1]!;
  const statuses: number[] = [];
  for (const model of ['demo-chat', 'demo-chat-secure', 'nope']) {
    const res = await fetch(`${warden.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) });
    statuses.push(res.status);
  }
  // Export is asynchronous (audit log first, then the sink's cursor): wait until the sink has caught up.
  for (let i = 0; i < 80 && !(existsSync(sinkFile) && readFileSync(sinkFile, 'utf8').includes('unknown_model')); i++) await new Promise((r) => setTimeout(r, 250));
  await warden.stop();
  assert.deepEqual(statuses, [200, 401, 404]);
  const verify = await runCli(['audit', 'verify', '--data-dir', warden.dataDir]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  const exported = readFileSync(sinkFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const text = JSON.stringify(exported);
  assert.ok(text.includes('"outcome":"step_up"') && text.includes('unknown_model'), 'the decisions were exported');
  assert.ok(!text.includes(key), 'no credential in exported events');
});
