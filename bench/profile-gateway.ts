/**
 * Profiles Warden under load: the gateway benchmark's setup (demo upstream, one Warden with guard and
 * risk off), Warden started with --cpu-prof, autocannon for a few seconds, then a graceful stop so that
 * the profile is written. Prints the functions with the most self time.
 *
 *   node --import tsx bench/profile-gateway.ts [--seconds 6] [--guard]
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { stringify } from 'yaml';
import { ApiKeyStore, SqliteApiKeyRepository } from '../src/identity/index.js';
import { openDatabase } from '../src/store/index.js';
import { ROOT, startProcess, wardenCommand } from './lib/processes.js';

const require = createRequire(join(ROOT, 'bench/package.json'));
const autocannon = require('autocannon') as (o: Record<string, unknown>) => Promise<{ requests: { average: number }; non2xx: number }>;
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '6' }, guard: { type: 'boolean', default: false } } });

const dir = mkdtempSync(join(tmpdir(), 'warden-profile-'));
const upstream = await startProcess(wardenCommand(['demo-upstream', '--port', '0', '--api-key', 'k']), /listening at (http:\/\/\S+)/);
const dataDir = join(dir, 'data');
const db = openDatabase(dataDir);
const { key } = await (await ApiKeyStore.open(new SqliteApiKeyRepository(db))).create({ principal: 'alice' });
db.close();
writeFileSync(join(dir, 'warden.yaml'), stringify({ server: { port: 0 }, dataDir, log: { level: 'warn' }, guard: { enabled: values.guard }, risk: { enabled: false }, principals: [{ id: 'alice', groups: ['engineering'], roles: ['user'] }], upstreams: [{ name: 'main', baseUrl: `${upstream.url}/v1`, apiKey: 'k' }], models: [{ id: 'demo-chat', upstream: 'main', sensitivity: 'internal' }] }));
const [entry, ...rest] = wardenCommand(['start', '--config', join(dir, 'warden.yaml')]);
const warden = await startProcess(['--cpu-prof', `--cpu-prof-dir=${dir}`, entry!, ...rest], /Warden is running at (http:\/\/\S+)/);
const r = await autocannon({ url: `${warden.url}/v1/chat/completions`, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content: 'hi' }] }), connections: 32, duration: Number(values.seconds) });
console.log(`req/s ${r.requests.average.toFixed(0)}, non-2xx ${r.non2xx}`);
await new Promise<void>((resolve) => {
  warden.child.once('exit', () => resolve());
  warden.child.kill('SIGINT');
});
await upstream.stop();
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const n = byId.get(id)!;
  const k = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-3).join('/')}:${n.callFrame.lineNumber}`;
  self.set(k, (self.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0));
  total += profile.timeDeltas[i] ?? 0;
});
for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${((t / total) * 100).toFixed(1).padStart(5)}% ${k}`);
console.log(`profile: ${join(dir, file)}`);
