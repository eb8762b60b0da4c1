/**
 * A shared counter on Redis against one on NATS JetStream KV (the issue asks "Redis (or NATS KV,
 * measured)"): the latency of one increment, p50/p99, one client at a time and with two clients (two
 * connections, standing for two instances) incrementing the same key at once.
 *
 *   node --import tsx bench/counter-kv.ts [--n 2000]
 *
 * Redis increments with INCR (atomic in the server). NATS KV has no increment: a client reads the value
 * and its revision and writes value+1 only if the revision is unchanged (compare-and-set), retrying when
 * another client won; under contention that is more round trips. The KV bucket has a unique name and is
 * deleted after; the Redis key has a unique name and is deleted after. Services on 127.0.0.1 (6379, 4222).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { connect } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';

const { values } = parseArgs({ options: { n: { type: 'string', default: '2000' } } });
const N = Number(values.n);
const id = randomBytes(5).toString('hex');

interface Stats {
  p50: number;
  p99: number;
  perSecond: number;
  /** CAS retries per increment (NATS only). */
  retries?: number;
}

async function time(n: number, op: () => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await op();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

function stats(samples: number[], wallMs: number, retries?: number): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 1000) / 1000;
  return { p50: at(0.5), p99: at(0.99), perSecond: Math.round((samples.length / wallMs) * 1000), ...(retries !== undefined ? { retries: Math.round((retries / samples.length) * 1000) / 1000 } : {}) };
}

/** Runs `clients` loops of N/clients increments at once; returns every latency and the wall time. */
async function run(clients: ((() => Promise<void>))[]): Promise<{ samples: number[]; wallMs: number }> {
  const t0 = performance.now();
  const parts = await Promise.all(clients.map((op) => time(Math.floor(N / clients.length), op)));
  return { samples: parts.flat(), wallMs: performance.now() - t0 };
}

async function natsIncrement(kv: KV, key: string, counter: { retries: number }): Promise<void> {
  for (;;) {
    const entry = await kv.get(key);
    try {
      if (!entry || entry.operation !== 'PUT') await kv.create(key, '1');
      else await kv.update(key, String(Number(entry.string()) + 1), entry.revision);
      return;
    } catch {
      counter.retries++;
    }
  }
}

async function main(): Promise<void> {
  const redisKey = `warden-bench:${id}`;
  const redisA = new Redis('redis://127.0.0.1:6379');
  const redisB = new Redis('redis://127.0.0.1:6379');
  const ncA = await connect({ servers: '127.0.0.1:4222' });
  const ncB = await connect({ servers: '127.0.0.1:4222' });
  const bucket = `warden_bench_${id}`;
  const kvA = await new Kvm(ncA).create(bucket, { history: 1 });
  const kvB = await new Kvm(ncB).open(bucket);
  const rows: Record<string, Stats> = {};
  try {
    // Warm-up: connections, the bucket's stream, JIT.
    await run([() => redisA.incr(redisKey).then(() => undefined)]);
    const warm = { retries: 0 };
    await run([() => natsIncrement(kvA, 'warm', warm)]);

    let r = await run([() => redisA.incr(redisKey).then(() => undefined)]);
    rows['Redis INCR, 1 client'] = stats(r.samples, r.wallMs);
    r = await run([() => redisA.incr(redisKey).then(() => undefined), () => redisB.incr(redisKey).then(() => undefined)]);
    rows['Redis INCR, 2 clients, same key'] = stats(r.samples, r.wallMs);
    const one = { retries: 0 };
    r = await run([() => natsIncrement(kvA, 'one', one)]);
    rows['NATS KV CAS, 1 client'] = stats(r.samples, r.wallMs, one.retries);
    const two = { retries: 0 };
    r = await run([() => natsIncrement(kvA, 'two', two), () => natsIncrement(kvB, 'two', two)]);
    rows['NATS KV CAS, 2 clients, same key'] = stats(r.samples, r.wallMs, two.retries);
    // Both stores must hold exactly the number of increments made: no lost update.
    const expected = Math.floor(N / 2) * 2;
    const natsTotal = Number((await kvA.get('two'))!.string());
    if (natsTotal !== expected) throw new Error(`NATS KV lost updates: ${natsTotal} of ${expected}`);
  } finally {
    await redisA.del(redisKey);
    await kvA.destroy();
    await redisA.quit();
    await redisB.quit();
    await ncA.close();
    await ncB.close();
  }
  console.log(`shared counter, ${N} increments per row, ${new Date().toISOString()}`);
  console.log('| store | p50 ms | p99 ms | increments/s | CAS retries per increment |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, s] of Object.entries(rows)) console.log(`| ${name} | ${s.p50} | ${s.p99} | ${s.perSecond} | ${s.retries ?? ''} |`);
  const ratio = (a: string, b: string): string => (rows[a]!.p50 / rows[b]!.p50).toFixed(1);
  console.log(`NATS KV / Redis p50: ${ratio('NATS KV CAS, 1 client', 'Redis INCR, 1 client')}x alone, ${ratio('NATS KV CAS, 2 clients, same key', 'Redis INCR, 2 clients, same key')}x contended`);
}

await main();
