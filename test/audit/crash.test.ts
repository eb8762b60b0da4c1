/**
 * Crash test: a child process appends heavily and prints acknowledged indexes; it is killed with SIGKILL
 * mid-stream, twice. After each restart the log verifies and every acknowledged entry is present.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createAuditLog, verifyAuditLog } from '../../src/audit/index.js';
import { config, tempDir } from './helpers.js';

const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

/** Runs the child until it has acknowledged at least `atLeast` more entries, then SIGKILLs it. */
function runAndKill(dataDir: string, atLeast: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: number[] = [];
    let buf = '';
    let err = '';
    let killed = false;
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) if (l) acked.push(Number(l));
      if (!killed && acked.length >= atLeast) {
        killed = true;
        proc.kill('SIGKILL');
      }
    });
    proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}

test('SIGKILL during heavy appends loses no acknowledged entry and the log verifies', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const all: number[] = [];
    for (let round = 0; round < 2; round++) {
      const acked = await runAndKill(dir, 6000);
      assert.ok(acked.length >= 6000);
      all.push(...acked);
      const report = await verifyAuditLog({ dataDir: dir });
      assert.equal(report.ok, true, JSON.stringify(report.problems));
      const log = await createAuditLog({ dataDir: dir, config: config() });
      try {
        const max = Math.max(...all);
        assert.ok(log.size() > max, `size ${log.size()} but entry ${max} was acknowledged`);
        const present = new Set<number>();
        for (let at = 0; at < log.size(); at += 5000) {
          for (const r of log.read(at, 5000)) {
            // The child appends event n at index n: the content proves the entry is the acknowledged one.
            assert.equal((r.event as { details?: { n?: number } }).details?.n, r.index);
            present.add(r.index);
          }
        }
        for (const i of all) assert.ok(present.has(i), `acknowledged entry ${i} is missing`);
        const sensitive = log.read(all.find((i) => i % 10 === 0)!, 1)[0]!.event as { details?: { prompt?: unknown } };
        assert.match(String(sensitive.details?.prompt), /^secret \d+$/);
      } finally {
        await log.close();
      }
      assert.equal((await verifyAuditLog({ dataDir: dir })).ok, true);
    }
  } finally {
    cleanup();
  }
});
