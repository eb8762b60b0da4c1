/**
 * The added cost per request of the limiter, Redis against memory, side by side: one admission (two rules:
 * a request limit and a token budget, as a typical LLM route has) timed one at a time, and the throughput
 * with 32 admissions in flight (as 32 connections would keep). Redis on 127.0.0.1:6379, a random key
 * prefix, deleted after.
 *
 *   node --import tsx bench/limits.ts [--n 5000] [--rounds 3]
 *
 * Rounds alternate the stores and the median round is reported, to dampen a shared machine's noise.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createLogger } from '../src/core/logger.js';
import { Limiter, MemoryCounterStore, RedisCounterStore, limitsConfigSchema, type CounterStore, type LimitSubject } from '../src/limits/index.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '3' } } });
const N = Number(values.n);
const ROUNDS = Number(values.rounds);
const PREFIX = `warden-bench:${randomBytes(5).toString('hex')}:`;
const config = limitsConfigSchema.parse({
  keyPrefix: PREFIX,
  rules: [
    { name: 'per-user', requests: 1e12, window: '1m' },
    { name: 'tokens', per: ['principal', 'model'], tokens: 1e15, window: '1d' },
  ],
});
const logger = createLogger('silent');

interface Row {
  p50us: number;
  p99us: number;
  perSecond: number;
}

/** Many principals, so that counters are spread as in real traffic. */
const subject = (i: number): LimitSubject => ({ principal: { kind: 'User', id: `user-${i % 500}`, groups: [] }, model: 'gpt-4o', route: 'openai.chat', tokens: true });

async function measure(limiter: Limiter): Promise<Row> {
  const samples: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = process.hrtime.bigint();
    const r = await limiter.admit(subject(i));
    samples.push(Number(process.hrtime.bigint() - t) / 1000);
    if (r.outcome !== 'admitted') throw new Error(`not admitted: ${r.outcome}`);
  }
  samples.sort((a, b) => a - b);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < N) await limiter.admit(subject(next++));
    }),
  );
  const wall = performance.now() - t0;
  return { p50us: Math.round(samples[Math.floor(N / 2)]!), p99us: Math.round(samples[Math.floor(N * 0.99)]!), perSecond: Math.round((N / wall) * 1000) };
}

function median(rows: Row[]): Row {
  const mid = <K extends keyof Row>(k: K): number => [...rows].sort((a, b) => a[k] - b[k])[Math.floor(rows.length / 2)]![k];
  return { p50us: mid('p50us'), p99us: mid('p99us'), perSecond: mid('perSecond') };
}

async function main(): Promise<void> {
  const redisStore = new RedisCounterStore({ url: 'redis://127.0.0.1:6379', keyPrefix: PREFIX, timeoutMs: 2000 });
  await redisStore.ready(5000);
  const stores: [string, CounterStore][] = [
    ['memory', new MemoryCounterStore()],
    ['redis', redisStore],
  ];
  const results: Record<string, Row[]> = { memory: [], redis: [] };
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      for (const [name, store] of round % 2 ? [...stores].reverse() : stores) {
        const row = await measure(new Limiter(config, store, logger, new Registry()));
        // Round 0 warms up connections, the script cache and the JIT.
        if (round > 0) results[name]!.push(row);
      }
    }
  } finally {
    const redis = new Redis('redis://127.0.0.1:6379');
    const keys = await redis.keys(`${PREFIX}*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    await redis.quit();
    await redisStore.close();
  }
  const memory = median(results.memory!);
  const redis = median(results.redis!);
  console.log(`limiter admission (2 rules, 500 principals), ${N} per round, median of ${ROUNDS} rounds, ${new Date().toISOString()}`);
  console.log('| store | p50 µs (one at a time) | p99 µs | admissions/s (32 in flight) |');
  console.log('| --- | ---: | ---: | ---: |');
  console.log(`| memory | ${memory.p50us} | ${memory.p99us} | ${memory.perSecond} |`);
  console.log(`| redis | ${redis.p50us} | ${redis.p99us} | ${redis.perSecond} |`);
  console.log(`Redis adds ${redis.p50us - memory.p50us} µs per request at p50 (${(redis.p50us / Math.max(1, memory.p50us)).toFixed(0)}x the memory store); throughput ratio redis/memory ${(redis.perSecond / memory.perSecond).toFixed(3)}`);
}

await main();
