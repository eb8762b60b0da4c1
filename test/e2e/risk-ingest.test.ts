/**
 * Offline and online agree: `warden ingest` beside a running Warden hands the events to that Warden's
 * engine (through the risk inbox), so its live risk scores and detections include them; with no Warden
 * running, the same command processes them itself on the same data directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoConfig } from '../../src/config/demo.js';
import { Writable } from 'node:stream';
import { runCli as runCliInProcess } from '../../src/cli/run.js';
import { startWarden, tempDir } from '../helpers/warden-process.js';

/**
 * The CLI runs in this test's process (a process apart from the Warden under test, which is what
 * matters), so that no extra process start counts against the test's time on a loaded machine.
 */
async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (f: (s: string) => void): Writable => new Writable({ write(chunk, _enc, cb) { f(String(chunk)); cb(); } });
  const code = await runCliInProcess(args, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), env: {}, cwd: process.cwd() });
  return { code, stdout, stderr };
}

/** An auth log written just now: twelve guesses at `erin` from one address, then a login from it. */
function attackLog(user: string): string {
  const t0 = Date.now() - 120_000;
  const ts = (s: number): string => new Date(t0 + s * 1000).toISOString();
  const lines = Array.from({ length: 12 }, (_, i) => `${ts(i)} web-1 sshd[${300 + i}]: Failed password for ${user} from 45.95.147.10 port 4${i} ssh2`);
  lines.push(`${ts(20)} web-1 sshd[400]: Accepted password for ${user} from 45.95.147.10 port 50000 ssh2`);
  return lines.join('\n') + '\n';
}

test('warden ingest beside a running Warden feeds its engine; without one, it processes the file itself', async () => {
  const dir = tempDir();
  try {
    const warden = await startWarden(demoConfig, { dir });
    const adminKey = /carol +(wdn_\S+)/.exec(warden.output())![1]!;
    writeFileSync(join(dir, 'auth.log'), attackLog('erin'));
    const ingest = await runCli(['ingest', '--format', 'syslog', join(dir, 'auth.log'), '--wait', '--json', '--data-dir', warden.dataDir]);
    assert.equal(ingest.code, 0, ingest.stderr);
    const summary = JSON.parse(ingest.stdout) as { consumer: string; processed: boolean; events: number };
    assert.notEqual(summary.consumer, 'this command', 'the running Warden consumed the events');
    assert.equal(summary.processed, true);
    assert.equal(summary.events, 14);
    const risk = (await (await fetch(`${warden.url}/admin/risk/User/erin`, { headers: { authorization: `Bearer ${adminKey}` } })).json()) as { score: number; detections: { detector: string }[] };
    assert.ok(risk.score >= 50, `the live score includes the imported compromise: ${JSON.stringify(risk)}`);
    assert.ok(risk.detections.some((d) => d.detector === 'risk.attacker_success'));
    await warden.stop();

    writeFileSync(join(dir, 'auth2.log'), attackLog('fred'));
    const offline = await runCli(['ingest', '--format', 'syslog', join(dir, 'auth2.log'), '--json', '--data-dir', warden.dataDir]);
    assert.equal(offline.code, 0, offline.stderr);
    const second = JSON.parse(offline.stdout) as { consumer: string; processed: boolean; detections: number };
    assert.equal(second.consumer, 'this command');
    assert.equal(second.processed, true);
    assert.ok(second.detections >= 3);
    const list = await runCli(['detections', 'list', '--json', '--entity', 'User:erin', '--data-dir', warden.dataDir]);
    assert.ok(list.stdout.includes('risk.attacker_success'), 'what the running Warden found was stored in the same place');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
