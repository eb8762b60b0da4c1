/**
 * Latency of the committed injection detector per KB of text (no data needed: hand-made prose, table, code
 * and chat texts of 1, 4 and 16 KB). Reports CPU time of this process beside wall-clock time, and the load
 * average: on a shared machine the CPU-time figures are the comparable ones.
 *
 *   npm run bench:guard:injection
 */
import { loadavg } from 'node:os';
import { detectInjection } from '../src/guard/injection/index.js';

const UNITS: Record<string, string> = {
  prose: 'The quarterly report shows revenue growth in all regions, and the board asked for a summary of risks. ',
  table: '| 2019 | Lyon | 522000 | France | 12.5 |\n',
  code: 'def total(items):\n    return sum(i.price * i.qty for i in items if i.qty > 0)\n',
  chat: 'Could you explain how photosynthesis works, and why leaves change colour in autumn? ',
};

function make(unit: string, n: number, i: number): string {
  return `${i} ${unit.repeat(Math.ceil(n / unit.length))}`.slice(0, n);
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on this machine`);
console.log('| KB | text | mode | p50 ms/KB (wall) | p99 ms/KB (wall) | mean CPU ms/KB |\n|---|---|---|---|---|---|');
for (const kb of [1, 4, 16]) {
  for (const [name, unit] of Object.entries(UNITS)) {
    for (const kind of ['prompt', 'document'] as const) {
      const texts = Array.from({ length: kb === 16 ? 60 : 200 }, (_, i) => make(unit, kb * 1024, i));
      for (const t of texts.slice(0, 10)) detectInjection(t, { kind });
      const times: number[] = [];
      const c0 = process.cpuUsage();
      for (let rep = 0; rep < 3; rep++) {
        for (const t of texts) {
          const s = performance.now();
          detectInjection(t, { kind });
          times.push((performance.now() - s) / kb);
        }
      }
      const c = process.cpuUsage(c0);
      times.sort((a, b) => a - b);
      console.log(`| ${kb} | ${name} | ${kind} | ${pct(times, 50).toFixed(3)} | ${pct(times, 99).toFixed(3)} | ${((c.user + c.system) / 1000 / times.length / kb).toFixed(3)} |`);
    }
  }
}
