/**
 * `npm run eval:risk`: simulates an organisation over weeks of normal behaviour with labelled attacks
 * (gateway, identity and host-log scenarios), runs the risk engine over it and reports whether and how
 * fast each attack was detected and the false-positive rate (benign principals flagged per day).
 *
 * The headline is measured on UNSEEN seeds: the detectors were adjusted while looking at seeds 1-3, so
 * figures on those flatter; they are reported beside the unseen ones, never instead of them.
 * Targets (unseen seeds): every scenario detected, at most 1% of active principals flagged per day.
 *
 * Usage: npm run eval:risk -- [--unseen 11,12,...,20] [--tuned 1,2,3] [--days 28] [--users-per-team 25] [--without-hard] [--per-seed] [--json]
 */
import { parseArgs } from 'node:util';
import { openGeoLocator } from '../../src/risk/geo.js';
import { renderEvaluation } from '../../src/risk/simulate/report.js';
import { evaluate, simulate, type Evaluation } from '../../src/risk/simulate/run.js';
import { evaluateResponse } from './response.js';

const { values } = parseArgs({
  options: {
    unseen: { type: 'string', default: '11,12,13,14,15,16,17,18,19,20' },
    tuned: { type: 'string', default: '1,2,3' },
    days: { type: 'string', default: '28' },
    'users-per-team': { type: 'string', default: '25' },
    json: { type: 'boolean', default: false },
    'per-seed': { type: 'boolean', default: false },
    'without-hard': { type: 'boolean', default: false },
    /** Also run the response playbooks over the unseen seeds (time to contain, attacker success, benign contained). */
    response: { type: 'boolean', default: false },
  },
});
const seedsOf = (s: string): number[] => s.split(',').filter(Boolean).map(Number).filter(Number.isInteger);
const days = Number(values.days);
const geo = openGeoLocator({ defaultAccuracyKm: 100, unknownCidrs: [] });

interface SetSummary {
  seeds: number[];
  scenarios: Record<string, { detected: string; medianDelayMinutes: number | null; maxDelayMinutes: number | null }>;
  detected: number;
  total: number;
  falsePositiveRate: { mean: number; max: number };
  anyDetectionRate: number;
  falsePositivesByDetector: Record<string, number>;
  hardVariants: Record<string, string>;
  targetsMet: boolean;
}

function run(seeds: number[]): { summary: SetSummary; results: { seed: number; evaluation: Evaluation }[] } {
  const results = seeds.map((seed) => {
    const sim = simulate(geo, { seed, days, usersPerTeam: Number(values['users-per-team']), hard: !values['without-hard'] });
    const evaluation = evaluate(sim, geo);
    if (values['per-seed'] && !values.json) process.stdout.write(renderEvaluation(evaluation, `seed ${seed}: ${days} days`) + '\n');
    return { seed, evaluation };
  });
  const all = results.flatMap((r) => r.evaluation.scenarios);
  const main = all.filter((s) => !s.scenario.startsWith('hard_'));
  const scenarios: SetSummary['scenarios'] = {};
  for (const name of [...new Set(main.map((s) => s.scenario))]) {
    const runs = main.filter((s) => s.scenario === name);
    const delays = runs.filter((s) => s.delayMinutes !== null).map((s) => s.delayMinutes!).sort((a, b) => a - b);
    scenarios[name] = { detected: `${runs.filter((s) => s.detected).length}/${runs.length}`, medianDelayMinutes: delays[Math.floor(delays.length / 2)] ?? null, maxDelayMinutes: delays.at(-1) ?? null };
  }
  const fps = results.map((r) => r.evaluation.falsePositiveRate);
  const byDetector: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.evaluation.falsePositivesByDetector)) byDetector[k] = (byDetector[k] ?? 0) + v;
  const hard = all.filter((s) => s.scenario.startsWith('hard_'));
  const detected = main.filter((s) => s.detected).length;
  const mean = fps.reduce((a, b) => a + b, 0) / Math.max(1, fps.length);
  return {
    results,
    summary: {
      seeds,
      scenarios,
      detected,
      total: main.length,
      falsePositiveRate: { mean, max: Math.max(0, ...fps) },
      anyDetectionRate: results.reduce((a, r) => a + r.evaluation.anyDetectionRate, 0) / Math.max(1, results.length),
      falsePositivesByDetector: byDetector,
      hardVariants: Object.fromEntries([...new Set(hard.map((s) => s.scenario))].map((name) => [name, `${hard.filter((s) => s.scenario === name && s.detected).length}/${hard.filter((s) => s.scenario === name).length}`])),
      targetsMet: detected === main.length && mean <= 0.01,
    },
  };
}

const unseen = run(seedsOf(values.unseen));
const tuned = run(seedsOf(values.tuned));
if (values.json) process.stdout.write(JSON.stringify({ unseen, tuned }, null, 2) + '\n');
else {
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  const out = [
    `## risk engine on the simulated organisation (${days} days, ${values['users-per-team']} users per team)`,
    '',
    `Headline: UNSEEN seeds ${unseen.summary.seeds.join(', ')}. Beside it: seeds ${tuned.summary.seeds.join(', ')}, on which the detectors were adjusted.`,
    '',
    '| scenario | detected (unseen) | median / max time to detect, min (unseen) | detected (seeds 1-3) |',
    '|---|---|---|---|',
    ...Object.entries(unseen.summary.scenarios).map(([name, s]) => `| ${name} | ${s.detected} | ${s.medianDelayMinutes ?? '-'} / ${s.maxDelayMinutes ?? '-'} | ${tuned.summary.scenarios[name]?.detected ?? '-'} |`),
    '',
    '| benign principals flagged per day (medium+) | unseen | seeds 1-3 |',
    '|---|---|---|',
    `| mean | **${pct(unseen.summary.falsePositiveRate.mean)}** | ${pct(tuned.summary.falsePositiveRate.mean)} |`,
    `| worst seed | ${pct(unseen.summary.falsePositiveRate.max)} | ${pct(tuned.summary.falsePositiveRate.max)} |`,
    `| any severity, mean | ${pct(unseen.summary.anyDetectionRate)} | ${pct(tuned.summary.anyDetectionRate)} |`,
    '',
    `- false positives by detector (principal-days, unseen): ${Object.entries(unseen.summary.falsePositivesByDetector).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
    `- harder variants (not in the target), unseen: ${Object.entries(unseen.summary.hardVariants).map(([k, v]) => `${k} ${v}`).join(', ') || 'not run'}`,
    `- targets met on unseen seeds (every scenario, <= 1% per day): ${unseen.summary.targetsMet ? 'yes' : 'no'}`,
    '',
  ];
  process.stdout.write(out.join('\n'));
}
process.exitCode = unseen.summary.targetsMet ? 0 : 1;

// Response playbooks over the same simulated organisation (eval/risk/response.ts).
if (values.response) {
  const seeds = seedsOf(values.unseen);
  const runs = [];
  for (const seed of seeds) runs.push(await evaluateResponse(simulate(geo, { seed, days, usersPerTeam: Number(values['users-per-team']), hard: !values['without-hard'] }), geo));
  const all = runs.flatMap((r) => r.scenarios).filter((s) => !s.scenario.startsWith('hard_'));
  const median = (xs: number[]): number | null => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : null);
  const latencies = runs.flatMap((r) => r.containmentSeconds).sort((a, b) => a - b);
  const pctile = (p: number): string => (latencies.length ? `${(latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]! * 1000).toFixed(2)} ms` : '-');
  const wrong = runs.reduce((s, r) => s + r.wronglyContainedRate, 0) / Math.max(1, runs.length);
  const lines = [
    `## response playbooks (quarantine on one high-severity detection), unseen seeds ${seeds.join(', ')}`,
    '',
    '| scenario | contained | median time to detect / contain, min | attacker requests allowed before / after containment |',
    '|---|---|---|---|',
    ...[...new Set(all.map((s) => s.scenario))].map((name) => {
      const rs = all.filter((s) => s.scenario === name);
      const det = rs.flatMap((s) => (s.detectMinutes === null ? [] : [s.detectMinutes]));
      const con = rs.flatMap((s) => (s.containMinutes === null ? [] : [s.containMinutes]));
      return `| ${name} | ${con.length}/${rs.length} | ${median(det) ?? '-'} / ${median(con) ?? '-'} | ${rs.reduce((a, s) => a + s.allowedBefore, 0)} / ${rs.reduce((a, s) => a + s.allowedAfter, 0)} |`;
    }),
    '',
    `- benign principals wrongly contained per day: ${(wrong * 100).toFixed(3)}% (goal <= 0.1%); ${runs.reduce((s, r) => s + r.wronglyContained, 0)} principals over ${seeds.length} seeds`,
    `- containment latency, detection reaching the engine to the action in force (wall clock, ${latencies.length} actions): p50 ${pctile(0.5)}, p99 ${pctile(0.99)}, max ${pctile(1)} (goal p99 <= 1 s)`,
    '',
  ];
  if (values.json) process.stdout.write(JSON.stringify({ response: runs.map((r) => ({ ...r, containmentSeconds: undefined })) }) + '\n');
  else process.stdout.write(lines.join('\n'));
}
