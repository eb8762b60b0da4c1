/**
 * Latency of the committed injection detector per KB of text (no data needed: hand-made prose, table, code
 * and chat texts cut or repeated to 1, 4 and 16 KB), measured by the evaluation's own latency harness.
 * Reports CPU time of this process beside wall-clock time, and the load average: on a shared machine the
 * CPU-time figures are the comparable ones.
 *
 *   npm run bench:guard:injection
 */
import { measureLatency } from '../eval/guard/latency.js';

const UNITS: Record<string, string> = {
  prose: 'The quarterly report shows revenue growth in all regions, and the board asked for a summary of risks. ',
  table: '| 2019 | Lyon | 522000 | France | 12.5 |\n',
  code: 'def total(items):\n    return sum(i.price * i.qty for i in items if i.qty > 0)\n',
  chat: 'Could you explain how photosynthesis works, and why leaves change colour in autumn? ',
};

for (const [name, unit] of Object.entries(UNITS)) {
  // A distinct prefix per text, so no two inputs are the same string.
  const { table, load } = measureLatency(Array.from({ length: 200 }, (_, i) => `${i} ${unit}`), 200);
  console.log(`\n${name} (load average ${load})\n${table}`);
}
