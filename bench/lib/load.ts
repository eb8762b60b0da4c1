/**
 * A closed-loop HTTP load generator on undici (a Warden dependency, so nothing to install): `connections`
 * keep-alive connections, each sending the next request as soon as the last answer is read, for
 * `durationMs`. Reports what autocannon reports for the gateway benchmark: requests per second, latency
 * percentiles, non-2xx answers and errors.
 *
 * @example
 * const r = await load({ url: `${warden.url}/v1/chat/completions`, method: 'POST', headers, body, connections: 32, durationMs: 10_000 });
 * console.log(r.rps, r.p99);
 */
import { Pool } from 'undici';

export interface LoadOptions {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  durationMs: number;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  const pool = new Pool(target.origin, { connections: options.connections, pipelining: 1 });
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  try {
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          try {
            const res = await pool.request({ path: target.pathname + target.search, method: options.method, headers: options.headers, body: options.body ?? null });
            await res.body.arrayBuffer();
            if (res.statusCode < 200 || res.statusCode > 299) non2xx++;
          } catch {
            errors++;
            continue;
          }
          latencies.push(performance.now() - t0);
        }
      }),
    );
  } finally {
    await pool.close();
  }
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0) * 10) / 10;
  return { rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), non2xx, errors };
}
