/**
 * `npm run bench:audit`: durable appends per second (one writer, group commit), verification speed
 * (entries/s), and proof latency, on the real audit.db in a temporary directory. Knobs: BENCH_AUDIT_N
 * (entries, default 200000), BENCH_AUDIT_WINDOW (appends in flight, default 20000). Figures depend on the
 * machine and its load: compare ratios taken in the same run.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  auditConfigSchema,
  createAuditLog,
  verifyAuditLog,
  verifyConsistency,
  verifyInclusion,
  type AuditLog,
} from '../src/audit/index.js';
import type { WardenEvent } from '../src/core/events.js';

const N = Number(process.env.BENCH_AUDIT_N ?? 200_000);
const WINDOW = Number(process.env.BENCH_AUDIT_WINDOW ?? 20_000);
const work = mkdtempSync(join(tmpdir(), 'warden-bench-audit-'));

function decisionEvent(i: number, sensitive: boolean): WardenEvent {
  return {
    type: 'decision',
    id: randomUUID(),
    time: new Date(1_790_000_000_000 + i).toISOString(),
    requestId: `req-${i}`,
    decisionId: `dec-${i}`,
    principal: { type: 'User', id: `user-${i % 500}`, groups: ['eng'] },
    authMethod: 'jwt',
    action: 'invoke',
    resource: { type: 'Model', id: 'gpt-4o' },
    route: 'chat',
    method: 'POST',
    path: '/v1/chat/completions',
    sourceIp: `10.0.${i % 256}.${(i >> 8) % 256}`,
    userAgent: 'openai-python/1.40',
    outcome: i % 17 === 0 ? 'deny' : 'allow',
    enforced: true,
    policyIds: ['default-allow'],
    status: 200,
    model: 'gpt-4o',
    risk: (i % 100) / 100,
    usage: { requestBytes: 812, responseBytes: 2048, promptTokens: 120, completionTokens: 380 },
    latencyMs: { auth: 0.2, decision: 0.3, guard: 1.1, upstream: 420, total: 422 },
    ...(sensitive ? { prompt: `summarise the quarterly report for customer ${i}` } : {}),
  } as WardenEvent;
}

async function appendAll(log: AuditLog, n: number, sensitiveEvery: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  let pending: Promise<unknown>[] = [];
  while (next < n) {
    const end = Math.min(n, next + WINDOW);
    for (; next < end; next++) pending.push(log.append(decisionEvent(next, sensitiveEvery > 0 && next % sensitiveEvery === 0)));
    // Keep about one window in flight: wait for the older half.
    if (pending.length >= WINDOW * 2 || next >= n) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  return (performance.now() - started) / 1000;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const config = auditConfigSchema.parse({});
const results: Record<string, unknown> = { machine: `${availableParallelism()} CPUs (shared)`, entries: N, window: WINDOW };

// 1. Sequential durable appends (each awaited): the latency of one group commit with one entry.
{
  const dir = join(work, 'seq');
  const log = await createAuditLog({ dataDir: dir, config });
  const times: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    await log.append(decisionEvent(i, false));
    times.push(performance.now() - t);
  }
  await log.close();
  results.sequentialAppendMs = { p50: +percentile(times, 50).toFixed(3), p99: +percentile(times, 99).toFixed(3), perSecond: Math.round(300 / (times.reduce((a, b) => a + b, 0) / 1000)) };
}

// 2. Pipelined durable appends, group commit, one writer.
const dir = join(work, 'main');
const log = await createAuditLog({ dataDir: dir, config });
await appendAll(log, 5000, 0); // warm-up
const cpu0 = process.cpuUsage();
const seconds = await appendAll(log, N, 0);
const cpu = process.cpuUsage(cpu0);
results.durableAppendsPerSecond = Math.round(N / seconds);
// All threads of the process (main + writer): what the appends cost when the machine is not contended.
results.appendCpuMicrosPerEntry = +((cpu.user + cpu.system) / N).toFixed(1);
const secondsSensitive = await appendAll(log, Math.floor(N / 4), 10);
results.durableAppendsPerSecondWith10PctSensitive = Math.round(N / 4 / secondsSensitive);

// 3. Proof latency (generation in process; verification separately).
const size = log.size();
const inc: number[] = [];
const incVerify: number[] = [];
const root = Buffer.from(log.rootHash(size), 'hex');
for (let i = 0; i < 500; i++) {
  const index = Math.floor(Math.random() * size);
  let t = performance.now();
  const p = log.inclusionProof(index, size);
  inc.push(performance.now() - t);
  t = performance.now();
  const ok = verifyInclusion(index, size, Buffer.from(p.leafHash, 'hex'), p.proof.map((h) => Buffer.from(h, 'hex')), root);
  incVerify.push(performance.now() - t);
  if (!ok) throw new Error('inclusion proof failed');
}
const con: number[] = [];
for (let i = 0; i < 200; i++) {
  const m = 1 + Math.floor(Math.random() * (size - 1));
  const t = performance.now();
  const p = log.consistencyProof(m, size);
  con.push(performance.now() - t);
  if (!verifyConsistency(m, size, Buffer.from(p.fromRoot, 'hex'), root, p.proof.map((h) => Buffer.from(h, 'hex')))) throw new Error('consistency proof failed');
}
results.inclusionProofMs = { p50: +percentile(inc, 50).toFixed(3), p99: +percentile(inc, 99).toFixed(3), verifyP50: +percentile(incVerify, 50).toFixed(3) };
results.consistencyProofMs = { p50: +percentile(con, 50).toFixed(3), p99: +percentile(con, 99).toFixed(3) };
await log.close();

// 4. Full verification from storage: single-threaded, then with one worker thread per CPU.
results.verify = {};
for (const workers of [0, availableParallelism()]) {
  const c0 = process.cpuUsage();
  const report = await verifyAuditLog({ dataDir: dir, workers });
  const c = process.cpuUsage(c0);
  if (!report.ok) throw new Error(`verification failed: ${JSON.stringify(report.problems.slice(0, 3))}`);
  (results.verify as Record<string, unknown>)[`threads${Math.max(1, workers)}`] = {
    entries: report.entries,
    seconds: +report.seconds.toFixed(2),
    entriesPerSecond: Math.round(report.entries / report.seconds),
    processCpuMicrosPerEntry: +((c.user + c.system) / report.entries).toFixed(2),
    checkpoints: report.checkpointsVerified,
  };
}

console.log(JSON.stringify(results, null, 2));
rmSync(work, { recursive: true, force: true });
