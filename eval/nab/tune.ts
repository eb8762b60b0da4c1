/**
 * Grid over a few global detector options on the NAB corpus (the corpus is also the test set: any
 * figure chosen here is tuned on it; docs/risk-nab.md says so). Usage:
 *   npx tsx eval/nab/tune.ts '[{"levelAlpha":0.1},{"levelAlpha":0.2}]'
 */
import { resolve } from 'node:path';
import { loadCorpus, loadProfiles } from './corpus.js';
import { detectCorpus } from './detect.js';
import { normalizeScore, optimizeThreshold } from './scorer.js';

const nabDir = process.env.NAB_DIR ?? resolve('..', 'shared', 'data', 'nab');
const corpus = loadCorpus(nabDir);
const profiles = loadProfiles(nabDir);
const windowCount = corpus.reduce((a, s) => a + s.windows.length, 0);
const grid = JSON.parse(process.argv[2] ?? '[{}]') as Array<Record<string, unknown>>;
for (const options of grid) {
  const scored = detectCorpus(corpus, options);
  const line = profiles.map((p) => {
    const best = optimizeThreshold(scored, p.costMatrix);
    return `${normalizeScore(best.score, windowCount, p.costMatrix).toFixed(1)} (t=${best.threshold.toFixed(3)} d=${best.detectedWindows} fp=${best.falsePositives})`;
  });
  console.log(JSON.stringify(options), '|', line.join(' | '));
}
