/** Shared helpers for the audit tests: temporary data dirs and sample events. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { WardenEvent } from '../../src/core/events.js';
import type { CliIO } from '../../src/cli/command.js';
import { auditConfigSchema, type AuditConfig, type AuditConfigInput } from '../../src/audit/index.js';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'warden-audit-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function config(overrides: AuditConfigInput = {}): AuditConfig {
  return auditConfigSchema.parse(overrides);
}

export function sampleEvent(i: number, extra: Record<string, unknown> = {}): WardenEvent {
  return {
    type: 'admin',
    id: randomUUID(),
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60)).toISOString(),
    actor: { type: 'User', id: `user-${i % 17}` },
    operation: 'policy.publish',
    target: `policy-${i}`,
    outcome: 'success',
    details: { n: i, ...extra },
  };
}

/** Builds a closed log of `n` entries with a checkpoint every `every` entries (appended in groups). */
export async function buildLog(dir: string, n: number, every: number, extra: (i: number) => Record<string, unknown> = () => ({})): Promise<void> {
  const { createAuditLog } = await import('../../src/audit/index.js');
  const log = await createAuditLog({ dataDir: dir, config: config({ checkpoint: { everyEntries: every } }) });
  for (let i = 0; i < n; i += every) {
    await Promise.all(Array.from({ length: Math.min(every, n - i) }, (_, j) => log.append(sampleEvent(i + j, extra(i + j)))));
  }
  await log.close();
}

/** Captures a CLI run. */
export function captureIo(cwd: string): { io: CliIO; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) => new Writable({ write(chunk, _enc, cb) { append(String(chunk)); cb(); } });
  return {
    io: { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), env: { PATH: process.env.PATH ?? '' }, cwd },
    out: () => out,
    err: () => err,
  };
}
