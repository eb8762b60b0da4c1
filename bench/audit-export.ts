/**
 * `npm run bench:audit:export`: export throughput per sink (records/s), against local receivers running in
 * a worker thread. Each case exports the same N records (BENCH_EXPORT_N, default 20000) from an in-memory
 * log through a fresh exporter (fresh cursor store) and times until the persisted cursor reaches N and the
 * receiver has counted them. Also times the formatters alone (after one warm-up pass). Results are ratios
 * on one shared machine.
 */
import { Worker } from 'node:worker_threads';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditReader, AuditRecord } from '../src/audit/index.js';
import { createExporter, defaultFormatContext, toCef, toEcs, toOcsf, type ExportConfigInput } from '../src/export/index.js';
import { sampleEvent } from '../test/export/helpers.js';

const N = Number(process.env.BENCH_EXPORT_N ?? 20_000);
const work = mkdtempSync(join(tmpdir(), 'warden-bench-export-'));

class StaticReader implements AuditReader {
  constructor(private readonly records: AuditRecord[]) {}
  size(): number {
    return this.records.length;
  }
  read(from: number, limit: number): AuditRecord[] {
    return this.records.slice(from, from + limit);
  }
  onAppend(): () => void {
    return () => undefined;
  }
}

const records: AuditRecord[] = Array.from({ length: N }, (_, i) => ({ index: i, leafHash: i.toString(16).padStart(64, '0'), event: sampleEvent(i) }));
const reader = new StaticReader(records);

function formatters(): { name: string; perSecond: number }[] {
  const ctx = defaultFormatContext('bench');
  return (
    [
      ['ocsf', (r: AuditRecord) => JSON.stringify(toOcsf(r, ctx))],
      ['ecs', (r: AuditRecord) => JSON.stringify(toEcs(r, ctx))],
      ['cef', (r: AuditRecord) => toCef(r, ctx)],
    ] as const
  ).map(([name, fn]) => {
    for (const r of records) fn(r); // warm-up: Warden is long-running, so time the optimised code
    const start = performance.now();
    for (const r of records) fn(r);
    return { name: `format ${name} (+stringify)`, perSecond: Math.round(N / ((performance.now() - start) / 1000)) };
  });
}

async function main(): Promise<void> {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(work, 'key.pem'), '-out', join(work, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const worker = new Worker(new URL('./audit-export-receivers.mjs', import.meta.url), { workerData: { key: readFileSync(join(work, 'key.pem')), cert: readFileSync(join(work, 'cert.pem')) } });
  const next = <T>(): Promise<T> => new Promise((resolve) => worker.once('message', resolve));
  const { ports } = await next<{ ports: Record<'hec' | 'tcp' | 'tls' | 'udp', number> }>();
  const counts = async (): Promise<Record<string, number>> => {
    const reply = next<{ counts: Record<string, number> }>();
    worker.postMessage('counts');
    return (await reply).counts;
  };

  const base = { batch: { maxRecords: 500 }, retry: { initialDelayMs: 5, maxDelayMs: 100 } };
  const cases: { label: string; counter?: string; sink: Record<string, unknown> }[] = [
    { label: 'hec ocsf', counter: 'hec', sink: { type: 'hec', format: 'ocsf', hec: { url: `http://127.0.0.1:${ports.hec}`, token: 'bench' } } },
    { label: 'hec ocsf gzip', counter: 'hec', sink: { type: 'hec', format: 'ocsf', hec: { url: `http://127.0.0.1:${ports.hec}`, token: 'bench', gzip: true } } },
    { label: 'hec ecs', counter: 'hec', sink: { type: 'hec', format: 'ecs', hec: { url: `http://127.0.0.1:${ports.hec}`, token: 'bench' } } },
    { label: 'syslog tcp cef', counter: 'tcp', sink: { type: 'syslog', format: 'cef', syslog: { host: '127.0.0.1', port: ports.tcp, protocol: 'tcp', settleMs: 0 } } },
    { label: 'syslog tls cef', counter: 'tls', sink: { type: 'syslog', format: 'cef', syslog: { host: '127.0.0.1', port: ports.tls, protocol: 'tls', settleMs: 0, tls: { caFile: join(work, 'cert.pem') } } } },
    { label: 'syslog udp cef', counter: 'udp', sink: { type: 'syslog', format: 'cef', syslog: { host: '127.0.0.1', port: ports.udp, protocol: 'udp' } } },
    { label: 'file ocsf (fsync/batch)', sink: { type: 'file', format: 'ocsf', file: { path: join(work, 'ocsf.jsonl') } } },
    { label: 'file cef (fsync/batch)', sink: { type: 'file', format: 'cef', file: { path: join(work, 'cef.log') } } },
  ];
  const results: Record<string, unknown>[] = [];
  for (const f of formatters()) results.push({ case: f.name, recordsPerSecond: f.perSecond });
  for (const [i, c] of cases.entries()) {
    worker.postMessage('reset');
    const dataDir = join(work, `d${i}`);
    const config: ExportConfigInput = { pollIntervalMs: 20, sinks: [{ name: 's', ...base, ...c.sink } as never] };
    const exporter = await createExporter({ reader, dataDir, config });
    const start = performance.now();
    exporter.start();
    while (exporter.status().sinks[0]!.committed < N) await new Promise((r) => setTimeout(r, 5));
    let received = N;
    if (c.counter) {
      const deadline = Date.now() + (c.counter === 'udp' ? 2000 : 30_000);
      while ((received = (await counts())[c.counter]!) < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    }
    const seconds = (performance.now() - start) / 1000;
    await exporter.stop();
    results.push({ case: c.label, records: N, seconds: Number(seconds.toFixed(3)), recordsPerSecond: Math.round(N / seconds), received });
  }
  worker.postMessage('close');
  await worker.terminate();
  rmSync(work, { recursive: true, force: true });
  console.log(`export throughput, ${N} records, batch 500, one shared machine (${new Date().toISOString()})`);
  for (const r of results) console.log(`${String(r.case).padEnd(28)} ${String(r.recordsPerSecond).padStart(9)} records/s${r.received !== undefined && r.received !== N ? `  (received ${String(r.received)} of ${N})` : ''}`);
  console.log(JSON.stringify(results));
}

await main();
