/**
 * MCP gateway benchmark: the added latency of one tool call through Warden against the same call made
 * directly to the server, side by side in one run (calls alternate, so both see the same machine load).
 * The server is the demo MCP server on the official SDK; Warden runs as its own process with its defaults
 * (authentication, Cedar per call, pinned definition check, result scanning, session summary, each
 * decision durable in the audit log before the answer). One call at a time: this measures latency, not
 * throughput. Beside the wall times, each Warden process's CPU time (user + system, from /proc) over the
 * measured calls, per call: on a shared, loaded machine this is the figure that does not include
 * waiting for a core.
 *
 *   npm run bench:mcp
 *   npm run bench:mcp -- --calls 2000
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { startDemoMcpServer } from '../src/demo/mcp-tools.js';
import { ApiKeyStore, SqliteApiKeyRepository } from '../src/identity/index.js';
import { openDatabase } from '../src/store/index.js';
import { ROOT, startProcess, type Started } from './lib/processes.js';

const { values: flags } = parseArgs({ options: { calls: { type: 'string', default: '1000' }, warmup: { type: 'string', default: '200' } } });
const TOKEN = 'bench-tools-token';
const ACCEPT = 'application/json, text/event-stream';
const INIT = JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } });
const CALL = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search_docs', arguments: { query: 'vpn' } } });

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
}

async function openSession(target: Target): Promise<void> {
  const res = await fetch(target.url, { method: 'POST', headers: { ...target.headers, 'content-type': 'application/json', accept: ACCEPT }, body: INIT });
  const session = res.headers.get('mcp-session-id');
  await res.text();
  if (!res.ok || !session) throw new Error(`${target.name}: initialize answered ${res.status}`);
  target.headers['mcp-session-id'] = session;
}

async function call(target: Target): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(target.url, { method: 'POST', headers: { ...target.headers, 'content-type': 'application/json', accept: ACCEPT }, body: CALL });
  const text = await res.text();
  const elapsed = performance.now() - t0;
  if (!res.ok || !text.includes('VPN')) throw new Error(`${target.name}: ${res.status} ${text.slice(0, 200)}`);
  return elapsed;
}

/** CPU time (user + system) a process has used so far, in ms; undefined where /proc is not available. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // Fields 14 and 15 of stat (utime, stime), counted after the command name: indexes 11 and 12 here.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
/** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ) on every common platform. */
const CLOCK_TICKS = 100;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-mcp-'));
  const demo = await startDemoMcpServer({ token: TOKEN });
  const dataDir = join(dir, 'data');
  const db = openDatabase(dataDir);
  const key = (await (await ApiKeyStore.open(new SqliteApiKeyRepository(db))).create({ principal: 'alice' })).key;
  db.close();
  writeFileSync(join(dir, 'tools.key'), TOKEN);
  // Two Warden processes: the defaults, and the same without the audit log (so without waiting for each
  // decision to be durable before the answer), to show what the durable acknowledgement costs here.
  const start = async (name: string, audit: boolean) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, stringify({
      server: { port: 0 },
      dataDir: audit ? dataDir : join(dir, `${name}-data`),
      log: { level: 'warn' },
      audit: { enabled: audit },
      principals: [{ id: 'alice', groups: ['engineering'], roles: ['user'] }],
      mcp: { servers: [{ name: 'demo-tools', url: demo.url, apiKey: `file:${join(dir, 'tools.key')}`, pinning: 'trust-first-use' }] },
    }));
    if (!audit) {
      const other = openDatabase(join(dir, `${name}-data`));
      await (await ApiKeyStore.open(new SqliteApiKeyRepository(other))).create({ principal: 'alice', key });
      other.close();
    }
    // The sources, not a possibly older build: this measures the code in the tree.
    return startProcess(['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/main.ts'), 'start', '--config', file], /Warden is running at (http:\/\/\S+)/);
  };
  const started: Started[] = [];
  try {
    // Started one after the other and stopped in `finally` whatever happens, so none outlives the run.
    const warden = await start('warden', true);
    started.push(warden);
    const wardenNoAudit = await start('warden-no-audit', false);
    started.push(wardenNoAudit);
    const direct: Target = { name: 'direct', url: demo.url, headers: { authorization: `Bearer ${TOKEN}` } };
    const through: Target = { name: 'warden', url: `${warden.url}/mcp/demo-tools`, headers: { authorization: `Bearer ${key}` } };
    const throughNoAudit: Target = { name: 'warden, audit log off', url: `${wardenNoAudit.url}/mcp/demo-tools`, headers: { authorization: `Bearer ${key}` } };
    const targets = [direct, through, throughNoAudit];
    for (const target of targets) await openSession(target);
    const samples: Record<string, number[]> = Object.fromEntries(targets.map((t) => [t.name, []]));
    const warmup = Number(flags.warmup);
    const calls = Number(flags.calls);
    const wardens = [{ name: through.name, pid: warden.child.pid }, { name: throughNoAudit.name, pid: wardenNoAudit.child.pid }];
    let cpuAtStart: (number | undefined)[] = [];
    for (let i = 0; i < warmup + calls; i++) {
      if (i === warmup) cpuAtStart = wardens.map((w) => cpuMs(w.pid));
      // A different order each round, so no target always follows another.
      for (const target of [...targets.slice(i % 3), ...targets.slice(0, i % 3)]) {
        const ms = await call(target);
        if (i >= warmup) samples[target.name]!.push(ms);
      }
    }
    const cpuPerCall = wardens.map((w, i) => {
      const end = cpuMs(w.pid);
      const start = cpuAtStart[i];
      return end === undefined || start === undefined ? undefined : { name: w.name, ms: (end - start) / calls };
    });
    const rows = Object.entries(samples).map(([name, list]) => {
      const sorted = [...list].sort((a, b) => a - b);
      return { name, p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99) };
    });
    const d = rows.find((r) => r.name === 'direct')!;
    console.log(`MCP tools/call latency, ${calls} calls each, one at a time, interleaved (ms)`);
    console.log('| target | p50 | p90 | p99 | added at p50 |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const r of rows) console.log(`| ${r.name} | ${r.p50.toFixed(3)} | ${r.p90.toFixed(3)} | ${r.p99.toFixed(3)} | ${(r.p50 - d.p50).toFixed(3)} |`);
    for (const c of cpuPerCall) if (c) console.log(`Warden CPU time per call (${c.name}, user + system over the measured calls): ${c.ms.toFixed(3)} ms`);
    await Promise.all(started.map((p) => p.stop()));
    // Warden's own time per call, from its decision events: total minus the wait for the server (the
    // same work without the scheduling noise of three processes sharing the cores with the client).
    const store = openDatabase(dataDir);
    const own = (store.prepare("SELECT event FROM decisions WHERE action = 'call_tool'").all() as { event: string }[])
      .map((r) => (JSON.parse(r.event) as { latencyMs: { total: number; upstream?: number } }).latencyMs)
      .map((l) => l.total - (l.upstream ?? 0))
      .sort((a, b) => a - b);
    store.close();
    if (own.length) console.log(`Warden's own time per call, in process (decision events, ${own.length} calls): p50 ${quantile(own, 0.5).toFixed(3)} ms, p90 ${quantile(own, 0.9).toFixed(3)} ms`);
  } finally {
    await Promise.all(started.map((p) => p.stop()));
    await demo.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
