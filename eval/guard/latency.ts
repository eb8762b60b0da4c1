/**
 * Latency of the committed detector per KB of text, on corpus texts cut or repeated to 1, 4 and 16 KB, in
 * prompt and document mode. CPU time of this process (user + system) is reported beside wall-clock time, so
 * a loaded machine shows in the wall-clock figures only.
 */
import { loadavg } from 'node:os';
import { detectInjection } from '../../src/guard/injection/index.js';
import { percentile } from './metrics.js';

export interface LatencyResult {
  cells: Array<{ kb: number; kind: 'prompt' | 'document'; n: number; p50PerKb: number; p99PerKb: number; cpuMeanPerKb: number }>;
  load: string;
  table: string;
}

function toLength(text: string, n: number): string {
  return text.length >= n ? text.slice(0, n) : text.repeat(Math.ceil(n / Math.max(1, text.length))).slice(0, n);
}

export function measureLatency(texts: readonly string[], perCell = 400): LatencyResult {
  const step = Math.max(1, Math.floor(texts.length / perCell));
  const chosen = texts.filter((_, i) => i % step === 0).slice(0, perCell);
  const cells: LatencyResult['cells'] = [];
  for (const kb of [1, 4, 16]) {
    for (const kind of ['prompt', 'document'] as const) {
      const inputs = chosen.map((t) => toLength(t, kb * 1024));
      for (const t of inputs.slice(0, 20)) detectInjection(t, { kind });
      const times: number[] = [];
      const cpu0 = process.cpuUsage();
      for (const t of inputs) {
        const s = performance.now();
        detectInjection(t, { kind });
        times.push((performance.now() - s) / kb);
      }
      const cpu = process.cpuUsage(cpu0);
      times.sort((a, b) => a - b);
      cells.push({ kb, kind, n: inputs.length, p50PerKb: percentile(times, 50), p99PerKb: percentile(times, 99), cpuMeanPerKb: (cpu.user + cpu.system) / 1000 / inputs.length / kb });
    }
  }
  const load = loadavg().map((x) => x.toFixed(1)).join(' ');
  const lines = ['| size | mode | n | p50 ms/KB | p99 ms/KB | mean CPU ms/KB |', '|---|---|---|---|---|---|'];
  for (const c of cells) lines.push(`| ${c.kb} KB | ${c.kind} | ${c.n} | ${c.p50PerKb.toFixed(3)} | ${c.p99PerKb.toFixed(3)} | ${c.cpuMeanPerKb.toFixed(3)} |`);
  return { cells, load, table: lines.join('\n') };
}
