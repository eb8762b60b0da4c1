/**
 * `npm run eval:nab [-- --nab DIR] [--options JSON] [--json FILE]`
 *
 * Runs the streaming volume detector over the NAB corpus, optimises ONE threshold per profile for the
 * whole corpus (NAB's sweep), scores, normalises (null = 0, perfect = 100) and prints the scores beside
 * the published ones from the corpus's results/final_results.json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCorpus, loadProfiles } from './corpus.js';
import { detectCorpus } from './detect.js';
import { normalizeScore, optimizeThreshold, referenceScores, scoreCorpus } from './scorer.js';

const PUBLISHED = ['ARTime', 'numenta', 'contextOSE', 'randomCutForest', 'windowedGaussian'];

const { values: args } = parseArgs({
  options: {
    nab: { type: 'string', default: resolve('..', 'shared', 'data', 'nab') },
    options: { type: 'string', default: '{}' },
    json: { type: 'string' },
    perFile: { type: 'boolean', default: false },
  },
});

const nabDir = args.nab as string;
if (!existsSync(join(nabDir, 'labels', 'combined_windows.json'))) {
  console.error(`NAB data not found at \`${nabDir}\` (pass --nab DIR)`);
  process.exit(2);
}

const t0 = performance.now();
const corpus = loadCorpus(nabDir);
const profiles = loadProfiles(nabDir);
const windowCount = corpus.reduce((a, s) => a + s.windows.length, 0);
const rows = corpus.reduce((a, s) => a + s.values.length, 0);
const t1 = performance.now();
const scored = detectCorpus(corpus, JSON.parse(args.options as string));
const t2 = performance.now();

// self-check of the scorer on this corpus: the perfect detector scores 100 and the null detector 0
for (const p of profiles) {
  const { perfect: perfectScore, none: nullScore } = referenceScores(corpus, p.costMatrix);
  if (Math.abs(perfectScore - 100) > 1e-9 || Math.abs(nullScore) > 1e-9) {
    throw new Error(`scorer self-check failed on ${p.name}: perfect ${perfectScore}, null ${nullScore}`);
  }
}

const published = JSON.parse(readFileSync(join(nabDir, 'results', 'final_results.json'), 'utf8')) as Record<
  string,
  Record<string, number>
>;

const results: Record<string, { score: number; raw: number; threshold: number; detected: number; missed: number; fp: number }> = {};
for (const p of profiles) {
  const best = optimizeThreshold(scored, p.costMatrix);
  const check = scoreCorpus(scored, best.threshold, p.costMatrix);
  if (Math.abs(check.score - best.score) > 1e-6) throw new Error(`sweep and scorer disagree on ${p.name}`);
  results[p.name] = {
    score: normalizeScore(best.score, windowCount, p.costMatrix),
    raw: best.score,
    threshold: best.threshold,
    detected: best.detectedWindows,
    missed: best.missedWindows,
    fp: best.falsePositives,
  };
}
const t3 = performance.now();

console.log('scorer self-check: perfect detector 100.0, null detector 0.0 on every profile');
console.log(`NAB: ${corpus.length} files, ${rows} rows, ${windowCount} windows; load ${(t1 - t0).toFixed(0)} ms, detect ${(t2 - t1).toFixed(0)} ms (${((rows / (t2 - t1)) * 1000).toFixed(0)} rows/s), score ${(t3 - t2).toFixed(0)} ms`);
const names = profiles.map((p) => p.name);
console.log(['detector'.padEnd(30), ...names.map((n) => n.padStart(20))].join(''));
console.log(['warden-volume'.padEnd(30), ...names.map((n) => (results[n]?.score ?? NaN).toFixed(1).padStart(20))].join(''));
for (const d of PUBLISHED) {
  const r = published[d];
  if (r) console.log([`${d} (published)`.padEnd(30), ...names.map((n) => (r[n] ?? NaN).toFixed(1).padStart(20))].join(''));
}
for (const n of names) {
  const r = results[n];
  if (r) console.log(`${n}: threshold ${r.threshold.toFixed(4)}, windows detected ${r.detected}/${windowCount}, false-positive rows ${r.fp}, raw ${r.raw.toFixed(2)}`);
}
if (args.perFile) {
  const std = profiles.find((p) => p.name === 'standard') ?? profiles[0];
  if (std) {
    const th = results[std.name]?.threshold ?? 1;
    for (const s of scored) {
      const r = scoreCorpus([s], th, std.costMatrix);
      console.log(`${s.name.padEnd(55)} ${r.score.toFixed(2).padStart(8)} det ${r.detectedWindows}/${s.windows.length} fp ${r.falsePositives}`);
    }
  }
}
if (args.json) writeFileSync(args.json, JSON.stringify({ options: JSON.parse(args.options as string), results }, null, 2) + '\n');
