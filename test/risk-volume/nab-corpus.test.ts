import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCorpus, loadProfiles } from '../../eval/nab/corpus.js';
import { normalizeScore, referenceScores } from '../../eval/nab/scorer.js';

const NAB = resolve('..', 'shared', 'data', 'nab');
const skip = existsSync(join(NAB, 'labels', 'combined_windows.json')) ? false : 'NAB data (../shared/data/nab) is absent';

test('scorer on the real NAB labels: perfect 100, null 0, published raw scores normalise as published', { skip }, () => {
  const corpus = loadCorpus(NAB);
  const profiles = loadProfiles(NAB);
  const windows = corpus.reduce((a, s) => a + s.windows.length, 0);
  assert.equal(corpus.length, 58);
  assert.equal(windows, 116);
  const thresholds = JSON.parse(readFileSync(join(NAB, 'config', 'thresholds.json'), 'utf8')) as Record<string, Record<string, { score: number }>>;
  const published = JSON.parse(readFileSync(join(NAB, 'results', 'final_results.json'), 'utf8')) as Record<string, Record<string, number>>;
  for (const p of profiles) {
    const reference = referenceScores(corpus, p.costMatrix);
    assert.ok(Math.abs(reference.perfect - 100) < 1e-9);
    assert.ok(Math.abs(reference.none) < 1e-9);
    for (const d of ['ARTime', 'numenta', 'randomCutForest']) {
      const raw = thresholds[d]?.[p.name]?.score as number;
      const want = published[d]?.[p.name] as number;
      assert.ok(Math.abs(normalizeScore(raw, windows, p.costMatrix) - want) < 0.01, `${d} ${p.name}`);
    }
  }
});
