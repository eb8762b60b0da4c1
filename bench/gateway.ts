/**
 * Gateway benchmark: the same load, in one run, against (a) the upstream directly, (b) Warden with
 * authentication, Cedar policy and durable decision recording, with the guard off and on, and with
 * everything on (guard and risk engine), each row naming what it switches off, and (c) the Portkey AI
 * gateway as the peer, for JSON and for streaming (SSE) chat completions; plus the cost of one decision
 * in-process.
 *
 *   npm run bench            # all of it
 *   npm run bench -- --duration 5 --connections 32 --engine wasm
 *
 * Peers live in bench/package.json (`npm --prefix bench install`), never in Warden's dependencies.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { stringify } from 'yaml';
import { ApiKeyStore, SqliteApiKeyRepository } from '../src/identity/index.js';
import { openDatabase } from '../src/store/index.js';
import { startProcess, wardenCommand, ROOT, type Started } from './lib/processes.js';
import { measureDecisions } from './lib/decisions.js';

const require = createRequire(join(ROOT, 'bench/package.json'));
type Autocannon = (opts: Record<string, unknown>) => Promise<{ requests: { average: number }; latency: { p50: number; p99: number; average: number }; non2xx: number; errors: number; timeouts: number }>;
const autocannon = require('autocannon') as Autocannon;

const { values: flags } = parseArgs({
  options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '32' }, engine: { type: 'string', default: 'compiled' }, skipPortkey: { type: 'boolean', default: false } },
});
const duration = Number(flags.duration);
const connections = Number(flags.connections);
const UPSTREAM_KEY = 'bench-upstream-key';

async function sample(options: { url: string; method: string; headers: Record<string, string | undefined>; body: string }): Promise<string> {
  const res = await fetch(options.url, { method: options.method, headers: options.headers as Record<string, string>, body: options.body });
  return `${res.status} ${(await res.text()).slice(0, 200)}`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-'));
  const started: Started[] = [];
  try {
    const upstream = await startProcess(wardenCommand(['demo-upstream', '--port', '0', '--api-key', UPSTREAM_KEY]), /listening at (http:\/\/\S+)/);
    started.push(upstream);
    let key: string | undefined;
    const dataDirFor = async (name: string): Promise<string> => {
      // One data directory per instance (the audit log has one writer), the same API key in each.
      const dataDir = join(dir, name);
      const db = openDatabase(dataDir);
      key = (await (await ApiKeyStore.open(new SqliteApiKeyRepository(db))).create({ principal: 'alice', ...(key ? { key } : {}) })).key;
      db.close();
      return dataDir;
    };
    writeFileSync(join(dir, 'upstream.key'), UPSTREAM_KEY);
    // Three Warden configurations, each stated with what it switches off (beside every figure):
    // the access path alone (authentication, Cedar policy, each decision durable in the audit log before
    // the answer's last byte, the decision table), the same with the guard inspecting prompts and answers,
    // and everything on (guard and the risk engine). With the risk engine on, one principal firing
    // thousands of requests a second is what it flags: its step-ups show as non-2xx answers in that row.
    // No configuration has export sinks or watched integrity assets (nothing for them to do here).
    const startWarden = async (name: string, components: { guard: boolean; risk: boolean }): Promise<Started> => {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(
        file,
        stringify({
          server: { port: 0 },
          dataDir: await dataDirFor(name),
          log: { level: 'warn' },
          policy: { engine: flags.engine },
          guard: { enabled: components.guard },
          risk: { enabled: components.risk },
          principals: [{ id: 'alice', groups: ['engineering'], roles: ['user'], attributes: { clearance: 2 } }],
          upstreams: [{ name: 'main', baseUrl: `${upstream.url}/v1`, apiKey: `file:${join(dir, 'upstream.key')}` }],
          models: [{ id: 'demo-chat', upstream: 'main', sensitivity: 'internal' }],
        }),
      );
      return startProcess(wardenCommand(['start', '--config', file]), /Warden is running at (http:\/\/\S+)/);
    };
    const warden = await startWarden('warden', { guard: false, risk: false });
    started.push(warden);
    const wardenGuard = await startWarden('warden-guard', { guard: true, risk: false });
    started.push(wardenGuard);
    const wardenAll = await startWarden('warden-all', { guard: true, risk: true });
    started.push(wardenAll);
    let portkey: Started | undefined;
    if (!flags.skipPortkey) {
      const entry = require.resolve('@portkey-ai/gateway/build/start-server.js');
      const port = 20_000 + Math.floor(Math.random() * 20_000);
      const peer = await startProcess([entry, `--port=${port}`, '--headless'], /Ready for connections/, { NODE_ENV: 'production' });
      portkey = { ...peer, url: `http://127.0.0.1:${port}` };
      started.push(portkey);
    }

    const body = (stream: boolean) => JSON.stringify({ model: 'demo-chat', stream, messages: [{ role: 'user', content: 'Summarise the zero-trust principles in one sentence.' }] });
    const targets = [
      { name: 'upstream (direct)', off: '', url: `${upstream.url}/v1/chat/completions`, headers: { authorization: `Bearer ${UPSTREAM_KEY}` } },
      { name: 'warden', off: 'guard, risk engine', url: `${warden.url}/v1/chat/completions`, headers: { authorization: `Bearer ${key}` } },
      { name: 'warden + guard', off: 'risk engine', url: `${wardenGuard.url}/v1/chat/completions`, headers: { authorization: `Bearer ${key}` } },
      { name: 'warden, everything on', off: 'none', url: `${wardenAll.url}/v1/chat/completions`, headers: { authorization: `Bearer ${key}` } },
      ...(portkey
        ? [{ name: 'portkey', off: '', url: `${portkey.url}/v1/chat/completions`, headers: { authorization: `Bearer ${UPSTREAM_KEY}`, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` } }]
        : []),
    ];
    const rows: { mode: string; target: string; off: string; rps: number; p50: number; p99: number; non2xx: number; errors: number }[] = [];
    for (const stream of [false, true]) {
      for (const target of targets) {
        const options = { url: target.url, method: 'POST', headers: { 'content-type': 'application/json', ...target.headers }, body: body(stream), connections, pipelining: 1 };
        await autocannon({ ...options, duration: 2 }); // warm-up: JIT, connection pools
        const r = await autocannon({ ...options, duration });
        if (r.non2xx) console.error(`${target.name} (${stream ? 'stream' : 'json'}): ${r.non2xx} non-2xx answers, e.g. ${await sample(options)}`);
        rows.push({ mode: stream ? 'stream' : 'json', target: target.name, off: target.off, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts });
      }
    }
    console.log(`\nGateway benchmark: ${connections} connections, ${duration} s per run, policy engine ${flags.engine}, one 2-core shared machine\n`);
    console.log('Every Warden row: authentication, Cedar policy, each decision durable in the audit log before the last byte, decision table.');
    console.log('| mode | target | switched off | req/s | p50 ms | p99 ms | non-2xx | errors | vs direct | warden vs portkey |');
    console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const row of rows) {
      const direct = rows.find((r) => r.mode === row.mode && r.target === 'upstream (direct)')!;
      const pk = rows.find((r) => r.mode === row.mode && r.target === 'portkey');
      const vsPortkey = row.target.startsWith('warden') && pk ? `${(row.rps / pk.rps).toFixed(1)}x` : '';
      console.log(`| ${row.mode} | ${row.target} | ${row.off} | ${row.rps.toFixed(0)} | ${row.p50} | ${row.p99} | ${row.non2xx} | ${row.errors} | ${(row.rps / direct.rps).toFixed(2)} | ${vsPortkey} |`);
    }
    console.log('\nOne decision in-process (demo policies, principal + resource entities + full context):');
    for (const engine of ['wasm', 'compiled'] as const) {
      const d = measureDecisions(engine, 20_000);
      console.log(`  ${engine.padEnd(8)} p50 ${d.p50Us.toFixed(1)} µs  p99 ${d.p99Us.toFixed(1)} µs  ${d.perSecond.toFixed(0)} decisions/s`);
    }
  } finally {
    for (const p of started.reverse()) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
