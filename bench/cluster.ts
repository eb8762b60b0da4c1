/**
 * `npm run bench:cluster`: the same gateway load, in one run, on
 *   (a) one instance with SQLite (no cluster services),
 *   (b) one instance on PostgreSQL, NATS JetStream and Redis (the cluster's services, one member),
 *   (c) that instance behind the test balancer, a process of its own (what the balancer alone costs),
 *   (d) two instances on those services behind the balancer,
 * reporting req/s and p99 side by side, so that the ratios mean something on a shared machine. Every
 * instance runs authentication, Cedar policy, a rate limit (memory in (a), Redis otherwise) and the
 * durable decision event before the answer's last byte (audit.db in (a), the PostgreSQL inbox otherwise);
 * the guard and the risk engine are off in every row (bench:gateway measures them).
 *
 *   npm run bench:cluster                                  # 32 connections, 3 rounds of 10 s per setup
 *   npm run bench:cluster -- --duration 5 --connections 16 --rounds 5
 *
 * Needs the PostgreSQL and Redis the tests use (127.0.0.1:5432 database `test`, 127.0.0.1:6379) and
 * /usr/sbin/nats-server; a fresh schema, a private nats-server and a random Redis key prefix, removed after.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { ApiKeyStore, PgApiKeyRepository, SqliteApiKeyRepository } from '../src/identity/index.js';
import { openDatabase } from '../src/store/index.js';
import { sharedKeyDir } from '../test/audit-ha/helpers.js';
import { startPrivateNats } from '../test/helpers/nats-server.js';
import { freshSchema } from '../test/helpers/postgres.js';
import { load, type LoadResult } from './lib/load.js';
import { ROOT, startProcess, type Started } from './lib/processes.js';

const { values: flags } = parseArgs({ options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '32' }, rounds: { type: 'string', default: '3' } } });
const durationMs = Number(flags.duration) * 1000;
const rounds = Number(flags.rounds);
const connections = Number(flags.connections);
const UPSTREAM_KEY = 'bench-upstream-key';
const REDIS_URL = 'redis://127.0.0.1:6379';

/** The round with the median req/s (its p99 with it: one measurement, not a mix of two). */
function median(results: LoadResult[]): LoadResult {
  return [...results].sort((a, b) => a.rps - b.rps)[Math.floor(results.length / 2)]!;
}

/** Always the TypeScript sources (a stale `dist/` would measure other code). */
const warden = (args: string[]): string[] => ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/main.ts'), ...args];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-cluster-'));
  const keys = sharedKeyDir();
  const redisPrefix = `warden-bench:${randomBytes(5).toString('hex')}:`;
  const [fresh, nats] = await Promise.all([freshSchema('wbc'), startPrivateNats()]);
  const started: Started[] = [];
  try {
    const upstream = await startProcess(warden(['demo-upstream', '--port', '0', '--api-key', UPSTREAM_KEY]), /listening at (http:\/\/\S+)/);
    started.push(upstream);
    writeFileSync(join(dir, 'upstream.key'), UPSTREAM_KEY);
    // One key, the same in SQLite (a) and in PostgreSQL (b-d).
    const sqliteDir = join(dir, 'sqlite');
    const db = openDatabase(sqliteDir);
    const key = (await (await ApiKeyStore.open(new SqliteApiKeyRepository(db))).create({ principal: 'alice' })).key;
    db.close();
    await (await ApiKeyStore.open(await PgApiKeyRepository.open(fresh.pool))).create({ principal: 'alice', key });

    const clusterEnv = { WARDEN_DATABASE_URL: fresh.url, WARDEN_NATS_URL: nats.url, WARDEN_REDIS_URL: REDIS_URL };
    let n = 0;
    const startWarden = async (dataDir: string, env: NodeJS.ProcessEnv): Promise<Started> => {
      const file = join(dir, `warden-${n++}.yaml`);
      writeFileSync(
        file,
        stringify({
          server: { port: 0 },
          dataDir,
          log: { level: 'warn' },
          guard: { enabled: false },
          risk: { enabled: false },
          principals: [{ id: 'alice', groups: ['engineering'], roles: ['user'], attributes: { clearance: 2 } }],
          upstreams: [{ name: 'main', baseUrl: `${upstream.url}/v1`, apiKey: `file:${join(dir, 'upstream.key')}` }],
          models: [{ id: 'demo-chat', upstream: 'main', sensitivity: 'internal' }],
          // A limit every request is counted against, never reached: the counter store is on the path.
          limits: { keyPrefix: redisPrefix, redisTimeoutMs: 2000, rules: [{ name: 'per-user', requests: 1_000_000_000, window: '1m' }] },
          audit: { signingKeyFile: keys.signingKeyFile, encryption: { kekFile: keys.kekFile } },
        }),
      );
      // Under tsx on a loaded 2-core machine a start-up can take a minute.
      const instance = await startProcess(warden(['start', '--config', file]), /Warden is running at (http:\/\/\S+)/, env, 180_000);
      started.push(instance);
      return instance;
    };

    const body = JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content: 'Summarise the zero-trust principles in one sentence.' }] });
    const run = (url: string, ms: number): Promise<LoadResult> =>
      load({ url: `${url}/v1/chat/completions`, method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body, connections, durationMs: ms });

    // Everything runs for the whole benchmark (an idle instance costs little), so rounds can alternate the
    // setups and the median of each is reported: the machine's load moves between rounds, not within one.
    const [single, first, second] = await Promise.all([startWarden(sqliteDir, {}), startWarden(join(dir, 'member-1'), clusterEnv), startWarden(join(dir, 'member-2'), clusterEnv)]);
    const balancer = (backends: string[]): Promise<Started> => startProcess(['--import', import.meta.resolve('tsx'), join(ROOT, 'bench/lib/balancer-process.ts'), ...backends], /listening at (http:\/\/\S+)/);
    const balancers = [await balancer([first!.url]), await balancer([first!.url, second!.url])];
    started.push(...balancers);
    const setups = [
      { name: '(a) one instance, SQLite', url: single!.url },
      { name: '(b) one instance, PostgreSQL + NATS + Redis', url: first!.url },
      { name: '(c) (b) behind the balancer', url: balancers[0]!.url },
      { name: '(d) two instances behind the balancer', url: balancers[1]!.url },
    ];
    for (const setup of setups) await run(setup.url, 2000); // warm-up: JIT, connection pools, the audit leader
    const results = new Map<string, LoadResult[]>(setups.map((s) => [s.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const setup of round % 2 ? [...setups].reverse() : setups) results.get(setup.name)!.push(await run(setup.url, durationMs));
    }
    const rows = setups.map((s) => ({ setup: s.name, result: median(results.get(s.name)!) }));

    console.log(`\nCluster benchmark: chat completions (JSON), ${connections} connections, median of ${rounds} rounds of ${durationMs / 1000} s, one 2-core shared machine`);
    console.log('Every row: authentication, Cedar policy, a rate limit, the decision event durable before the last byte; guard and risk engine off.');
    console.log('| setup | req/s | p50 ms | p99 ms | non-2xx | errors | vs (a) |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const { setup, result } of rows) {
      console.log(`| ${setup} | ${result.rps.toFixed(0)} | ${result.p50} | ${result.p99} | ${result.non2xx} | ${result.errors} | ${(result.rps / rows[0]!.result.rps).toFixed(2)} |`);
    }
  } finally {
    for (const p of started.reverse()) await p.stop();
    await Promise.all([nats.stop(), fresh.close()]);
    const redis = new Redis(REDIS_URL);
    const stale = await redis.keys(`${redisPrefix}*`);
    if (stale.length) await redis.del(...stale);
    redis.disconnect();
    rmSync(keys.dir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
