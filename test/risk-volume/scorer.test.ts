import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  normalizeScore,
  optimizeThreshold,
  probationLength,
  scaledSigmoid,
  scoreCorpus,
  scoreSeries,
  windowsToIndices,
  type CostMatrix,
  type LabelledSeries,
} from '../../eval/nab/scorer.js';

const standard: CostMatrix = { tpWeight: 1, fnWeight: 1, fpWeight: 0.11, tnWeight: 1 };
const lowFn: CostMatrix = { tpWeight: 1, fnWeight: 2, fpWeight: 0.11, tnWeight: 1 };
const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

/** 100 rows (probation = 15), one window over rows 50..59 */
function series(detections: Record<number, number>): LabelledSeries {
  const scores = new Float64Array(100);
  for (const [i, v] of Object.entries(detections)) scores[Number(i)] = v;
  return { name: 'f', scores, windows: [[50, 59]] };
}

test('scaled sigmoid matches NAB', () => {
  close(scaledSigmoid(-1), 0.9866142981514305);
  close(scaledSigmoid(0), 0);
  close(scaledSigmoid(-0.5), 0.8482836399575131);
  assert.equal(scaledSigmoid(3.01), -1);
});

test('probation is 15% of rows, at most 750', () => {
  assert.equal(probationLength(100), 15);
  assert.equal(probationLength(22_000), 750);
});

test('earliest detection at the window start scores tpWeight; later ones less', () => {
  close(scoreSeries(series({ 50: 1 }), 0.5, standard).score, 1);
  close(scoreSeries(series({ 50: 1, 55: 1 }), 0.5, standard).score, 1); // only the earliest counts
  close(scoreSeries(series({ 59: 1 }), 0.5, standard).score, scaledSigmoid(-0.1) / scaledSigmoid(-1));
});

test('a missed window costs fnWeight', () => {
  close(scoreSeries(series({}), 0.5, standard).score, -1);
  close(scoreSeries(series({}), 0.5, lowFn).score, -2);
});

test('false positives: full cost before any window, sigmoid cost after one, none in probation', () => {
  close(scoreSeries(series({ 5: 1 }), 0.5, standard).score, -1); // probation: ignored, window missed
  close(scoreSeries(series({ 20: 1, 50: 1 }), 0.5, standard).score, 1 - 0.11);
  close(scoreSeries(series({ 50: 1, 60: 1 }), 0.5, standard).score, 1 + scaledSigmoid(1 / 9) * 0.11);
  close(scoreSeries(series({ 50: 1, 99: 1 }), 0.5, standard).score, 1 - 0.11);
  const r = scoreSeries(series({ 20: 1, 50: 1, 60: 1 }), 0.5, standard);
  assert.deepEqual(r.counts, { tp: 1, fp: 2, fn: 9, tn: 100 - 15 - 12 });
});

test('detections are scores >= threshold', () => {
  close(scoreSeries(series({ 50: 0.5 }), 0.5, standard).score, 1);
  close(scoreSeries(series({ 50: 0.49 }), 0.5, standard).score, -1);
});

test('the corpus threshold sweep finds the best single threshold and agrees with the scorer', () => {
  const a = series({ 30: 0.95, 52: 0.9, 70: 0.3 });
  const b: LabelledSeries = { name: 'g', scores: new Float64Array(200), windows: [[100, 119]] };
  (b.scores as Float64Array)[105] = 0.6;
  const best = optimizeThreshold([a, b], standard);
  assert.equal(best.threshold, 0.6);
  assert.equal(best.detectedWindows, 2);
  assert.equal(best.falsePositives, 1);
  close(best.score, scoreCorpus([a, b], 0.6, standard).score);
  for (const t of [0.3, 0.9, 0.95, 1]) assert.ok(scoreCorpus([a, b], t, standard).score <= best.score + 1e-12);
});

test('normalisation: null detector 0, perfect detector 100', () => {
  const files = [series({}), { name: 'g', scores: new Float64Array(200), windows: [[100, 119]] as Array<[number, number]> }];
  for (const cost of [standard, lowFn]) {
    close(normalizeScore(scoreCorpus(files, 1, cost).score, 2, cost), 0);
    const perfect = files.map((f) => {
      const scores = new Float64Array(f.scores.length);
      for (const [s] of f.windows) scores[s] = 1;
      return { ...f, scores };
    });
    close(normalizeScore(optimizeThreshold(perfect, cost).score, 2, cost), 100);
  }
});

test('timestamp windows become inclusive row ranges', () => {
  assert.deepEqual(windowsToIndices([0, 10, 20, 30, 40], [[10, 30], [100, 200]]), [[1, 3]]);
});
