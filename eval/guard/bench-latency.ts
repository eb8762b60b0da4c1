/**
 * Latency of the committed detector on texts of fixed length (hand-made filler, no data needed).
 *
 *   npx tsx eval/guard/bench-latency.ts
 */
import { detectInjection } from '../../src/guard/injection/index.js';
import { percentile } from './metrics.js';

const prose = 'The quarterly report shows revenue growth in all regions, and the board asked for a summary of risks. ';
const table = '| 2019 | Lyon | 522000 | France | 12.5 |\n';
function make(unit: string, n: number, i: number): string {
  return `${i} ${unit.repeat(Math.ceil(n / unit.length))}`.slice(0, n);
}
const rows: string[] = [];
for (const n of [100, 1024, 4096, 16384]) {
  for (const [name, unit] of [['prose', prose], ['table', table]] as const) {
    for (const kind of ['prompt', 'document'] as const) {
      const texts = Array.from({ length: 200 }, (_, i) => make(unit, n, i));
      for (const t of texts.slice(0, 20)) detectInjection(t, { kind });
      const times: number[] = [];
      for (let rep = 0; rep < 3; rep++) {
        for (const t of texts) {
          const s = performance.now();
          detectInjection(t, { kind });
          times.push(performance.now() - s);
        }
      }
      times.sort((a, b) => a - b);
      rows.push(`| ${n} | ${name} | ${kind} | ${percentile(times, 50).toFixed(3)} | ${percentile(times, 99).toFixed(3)} |`);
    }
  }
}
console.log('| chars | text | kind | p50 ms | p99 ms |\n|---|---|---|---|---|');
console.log(rows.join('\n'));
