/**
 * Two-fold check of how much the defaults are tuned to NAB: the corpus is split by file (alternate
 * files of each category), each option set in a small grid around the defaults is scored on both
 * halves, the best on one half is reported on the other. Standard profile. Usage:
 *   npx tsx eval/nab/crossval.ts [NAB_DIR]
 */
import { resolve } from 'node:path';
import type { VolumeDetectorOptions } from '../../src/risk/volume/index.js';
import { loadCorpus, loadProfiles, type NabSeries } from './corpus.js';
import { detectCorpus } from './detect.js';
import { normalizeScore, optimizeThreshold, type CostMatrix } from './scorer.js';

const nabDir = process.argv[2] ?? resolve('..', 'shared', 'data', 'nab');
const corpus = loadCorpus(nabDir);
const standard = loadProfiles(nabDir).find((p) => p.name === 'standard')?.costMatrix as CostMatrix;
const folds: NabSeries[][] = [[], []];
const seen = new Map<string, number>();
for (const s of corpus) {
  const cat = s.name.split('/')[0] ?? '';
  const k = seen.get(cat) ?? 0;
  seen.set(cat, k + 1);
  folds[k % 2]?.push(s);
}

const grid: VolumeDetectorOptions[] = [
  {},
  { spatialTolerance: 0 },
  { spatialTolerance: 0.05 },
  { suppressPoints: 10 },
  { suppressPoints: 100 },
  { rearmPoints: 1_000_000 },
  { rearmPoints: 1 },
  { alertLevel: 0.3 },
  { alertLevel: 0.5 },
  { rawCap: 0, errorScale: 4 },
  { rawCap: 2, errorScale: 4 },
  { errorScale: 4 },
  { combine: 'min' },
  { combine: 'local' },
  { likelihoodAlpha: 0.001 },
  { shortWindows: [5] },
  { shortWindows: [20] },
  { seasonBins: 24 },
];

function score(fold: NabSeries[], options: VolumeDetectorOptions): number {
  const windows = fold.reduce((a, s) => a + s.windows.length, 0);
  return normalizeScore(optimizeThreshold(detectCorpus(fold, options), standard).score, windows, standard);
}

const rows = grid.map((options) => ({ options, a: score(folds[0] as NabSeries[], options), b: score(folds[1] as NabSeries[], options) }));
for (const r of rows) console.log(`${JSON.stringify(r.options).padEnd(40)} A ${r.a.toFixed(1).padStart(6)}  B ${r.b.toFixed(1).padStart(6)}`);
const bestA = rows.reduce((x, y) => (y.a > x.a ? y : x));
const bestB = rows.reduce((x, y) => (y.b > x.b ? y : x));
console.log(`fold sizes: A ${folds[0]?.length} files, B ${folds[1]?.length} files`);
console.log(`chosen on A ${JSON.stringify(bestA.options)}: A ${bestA.a.toFixed(1)} -> B ${bestA.b.toFixed(1)} (best on B ${bestB.b.toFixed(1)})`);
console.log(`chosen on B ${JSON.stringify(bestB.options)}: B ${bestB.b.toFixed(1)} -> A ${bestB.a.toFixed(1)} (best on A ${bestA.a.toFixed(1)})`);
