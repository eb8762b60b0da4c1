/**
 * `npm run eval:risk`: simulates an organisation over weeks of normal behaviour with labelled attacks,
 * runs the risk engine over it and reports, per seed, whether and how fast each attack was detected and
 * the false-positive rate (benign principals flagged per day). Targets: every scenario detected, at
 * most 1% of active principals falsely flagged per day.
 *
 * Usage: npm run eval:risk -- [--seeds 1,2,3] [--days 28] [--users-per-team 25] [--without-hard] [--json]
 */
import { parseArgs } from 'node:util';
import { openGeoLocator } from '../../src/risk/geo.js';
import { renderEvaluation } from '../../src/risk/simulate/report.js';
import { evaluate, simulate, type Evaluation } from '../../src/risk/simulate/run.js';

const { values } = parseArgs({
  options: { seeds: { type: 'string', default: '1,2,3' }, days: { type: 'string', default: '28' }, 'users-per-team': { type: 'string', default: '25' }, json: { type: 'boolean', default: false }, 'without-hard': { type: 'boolean', default: false } },
});
const seeds = values.seeds.split(',').map(Number).filter(Number.isFinite);
const days = Number(values.days);
const geo = openGeoLocator({ defaultAccuracyKm: 100, unknownCidrs: [] });
const results: { seed: number; evaluation: Evaluation }[] = [];
for (const seed of seeds) {
  const sim = simulate(geo, { seed, days, usersPerTeam: Number(values['users-per-team']), hard: !values['without-hard'] });
  const evaluation = evaluate(sim, geo);
  results.push({ seed, evaluation });
  if (!values.json) process.stdout.write(renderEvaluation(evaluation, `seed ${seed}: ${days} days`) + '\n');
}
const all = results.flatMap((r) => r.evaluation.scenarios).filter((s) => !s.scenario.startsWith('hard_'));
const hard = results.flatMap((r) => r.evaluation.scenarios).filter((s) => s.scenario.startsWith('hard_'));
const detected = all.filter((s) => s.detected).length;
const fp = results.reduce((a, r) => a + r.evaluation.falsePositiveRate, 0) / results.length;
const anyRate = results.reduce((a, r) => a + r.evaluation.anyDetectionRate, 0) / results.length;
const delays = all.filter((s) => s.delayMinutes !== null).map((s) => s.delayMinutes!).sort((a, b) => a - b);
const summary = {
  seeds,
  scenarios: all.length,
  detected,
  medianDelayMinutes: delays[Math.floor(delays.length / 2)] ?? null,
  maxDelayMinutes: delays.at(-1) ?? null,
  falsePositiveRate: fp,
  anyDetectionRate: anyRate,
  targetsMet: detected === all.length && fp <= 0.01,
  hardVariants: Object.fromEntries([...new Set(hard.map((s) => s.scenario))].map((name) => [name, `${hard.filter((s) => s.scenario === name && s.detected).length}/${hard.filter((s) => s.scenario === name).length}`])),
};
if (values.json) process.stdout.write(JSON.stringify({ summary, results }, null, 2) + '\n');
else {
  process.stdout.write(
    `### summary\n\n- detected ${detected}/${all.length} scenarios over ${seeds.length} seeds; delay median ${summary.medianDelayMinutes} min, max ${summary.maxDelayMinutes} min\n` +
      `- benign principals flagged per day (medium+): ${(fp * 100).toFixed(2)}% (target <= 1%); any severity: ${(anyRate * 100).toFixed(2)}%\n` +
      `- harder variants (not in the target) detected: ${Object.entries(summary.hardVariants).map(([k, v]) => `${k} ${v}`).join(', ') || 'not run'}\n` +
      `- targets met: ${summary.targetsMet ? 'yes' : 'no'}\n`,
  );
}
process.exitCode = summary.targetsMet ? 0 : 1;
