/**
 * NAB scoring (Numenta Anomaly Benchmark v1.1), re-implemented faithfully from numenta/NAB
 * `nab/scorer.py` (per-file score at a threshold), `nab/sweeper.py` (one threshold for the whole
 * corpus, swept over every distinct anomaly score) and `nab/runner.py#normalize` (null = 0,
 * perfect = 100). Pure functions, no I/O.
 *
 * Rules:
 * - a row is a detection when its anomaly score >= threshold;
 * - the first `min(floor(0.15 * n), 0.15 * 5000)` rows of each file are the probationary period and
 *   are not scored;
 * - a window counts once: its earliest detection scores tpWeight * S(-(end - i + 1) / len) / S(-1),
 *   a window without detection costs -fnWeight;
 * - every detection outside a window costs fpWeight * S((i - end) / (len - 1)) measured from the
 *   closest preceding window (so almost -fpWeight when far from it), or -fpWeight before any window;
 * - S(x) = 2 / (1 + e^(5x)) - 1, and S(x) = -1 for x > 3.
 */

export interface CostMatrix {
  tpWeight: number;
  fnWeight: number;
  fpWeight: number;
  tnWeight: number;
}

export interface Profile {
  name: string;
  costMatrix: CostMatrix;
}

/** One data file with its detector output. Windows are row-index ranges [start, end], inclusive. */
export interface LabelledSeries {
  name: string;
  /** anomaly score per row (any real numbers; NAB's are in [0, 1]) */
  scores: ArrayLike<number>;
  windows: ReadonlyArray<readonly [number, number]>;
}

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface ThresholdScore {
  threshold: number;
  score: number;
  /** windows detected / missed, and FP rows (NAB reports rows; we also report windows) */
  detectedWindows: number;
  missedWindows: number;
  falsePositives: number;
}

export const PROBATION_FRACTION = 0.15;

export function probationLength(rows: number, fraction = PROBATION_FRACTION): number {
  return Math.min(Math.floor(fraction * rows), fraction * 5000);
}

export function scaledSigmoid(position: number): number {
  if (position > 3) return -1;
  return 2 / (1 + Math.exp(5 * position)) - 1;
}

const MAX_TP = scaledSigmoid(-1);

/** Turn inclusive timestamp windows into row-index windows (rows with start <= t <= end). */
export function windowsToIndices(
  timestamps: ArrayLike<number>,
  windows: ReadonlyArray<readonly [number, number]>,
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [t1, t2] of windows) {
    let first = -1;
    let last = -1;
    for (let i = 0; i < timestamps.length; i++) {
      const t = timestamps[i] as number;
      if (t >= t1 && t <= t2) {
        if (first < 0) first = i;
        last = i;
      }
    }
    if (first >= 0) out.push([first, last]);
  }
  return out;
}

/** Per-row contribution if the row were a detection; `window` is the window id for in-window rows. */
interface RowValue {
  inWindow: number; // window id (global) or -1
  value: number; // tp contribution (in window) or fp contribution (outside)
}

function rowValue(i: number, windows: ReadonlyArray<readonly [number, number]>, cost: CostMatrix): RowValue {
  let preceding: readonly [number, number] | undefined;
  for (let w = 0; w < windows.length; w++) {
    const [s, e] = windows[w] as readonly [number, number];
    if (i >= s && i <= e) {
      const len = e - s + 1;
      return { inWindow: w, value: (scaledSigmoid(-(e - i + 1) / len) * cost.tpWeight) / MAX_TP };
    }
    if (e < i) preceding = windows[w];
  }
  if (!preceding) return { inWindow: -1, value: -cost.fpWeight };
  const [s, e] = preceding;
  const len = e - s + 1;
  const pos = len > 1 ? Math.abs(e - i) / (len - 1) : Number.POSITIVE_INFINITY;
  return { inWindow: -1, value: scaledSigmoid(pos) * cost.fpWeight };
}

/** NAB `Scorer.getScore` for one file at one threshold. */
export function scoreSeries(series: LabelledSeries, threshold: number, cost: CostMatrix): { score: number; counts: Counts } {
  const n = series.scores.length;
  const prob = probationLength(n);
  const counts: Counts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  const firstTp = series.windows.map(() => -1);
  let fpScore = 0;
  for (let i = 0; i < n; i++) {
    if (i < prob) continue;
    const detected = (series.scores[i] as number) >= threshold;
    const rv = rowValue(i, series.windows, cost);
    const label = rv.inWindow >= 0;
    if (detected && label) counts.tp++;
    else if (detected) counts.fp++;
    else if (label) counts.fn++;
    else counts.tn++;
    if (!detected) continue;
    if (label) {
      if (firstTp[rv.inWindow] === -1) firstTp[rv.inWindow] = i;
    } else {
      fpScore += rv.value;
    }
  }
  let score = fpScore;
  series.windows.forEach(([s, e], w) => {
    const i = firstTp[w] as number;
    if (i < 0) score -= cost.fnWeight;
    else score += (scaledSigmoid(-(e - i + 1) / (e - s + 1)) * cost.tpWeight) / MAX_TP;
  });
  return { score, counts };
}

/** Total corpus score at one threshold. */
export function scoreCorpus(corpus: readonly LabelledSeries[], threshold: number, cost: CostMatrix): ThresholdScore {
  let score = 0;
  let detectedWindows = 0;
  let missedWindows = 0;
  let falsePositives = 0;
  for (const s of corpus) {
    const r = scoreSeries(s, threshold, cost);
    score += r.score;
    falsePositives += r.counts.fp;
  }
  // window detection counts (for reporting)
  for (const s of corpus) {
    const prob = probationLength(s.scores.length);
    for (const [ws, we] of s.windows) {
      let hit = false;
      for (let i = Math.max(ws, prob); i <= we && !hit; i++) hit = (s.scores[i] as number) >= threshold;
      if (hit) detectedWindows++;
      else missedWindows++;
    }
  }
  return { threshold, score, detectedWindows, missedWindows, falsePositives };
}

/**
 * NAB `Sweeper`: the best single threshold for the whole corpus. Every distinct anomaly score is a
 * candidate (rows with score >= threshold are detections); returns the best candidate. O(N log N).
 */
export function optimizeThreshold(corpus: readonly LabelledSeries[], cost: CostMatrix): ThresholdScore {
  const scores: number[] = [];
  const values: number[] = [];
  const windowIds: number[] = [];
  let windowCount = 0;
  for (const s of corpus) {
    const prob = probationLength(s.scores.length);
    const ws = s.windows;
    // linear walk: current/preceding window
    let w = 0;
    for (let i = 0; i < s.scores.length; i++) {
      while (w < ws.length && (ws[w] as readonly [number, number])[1] < i) w++;
      if (i < prob) continue;
      const rv = rowValue(i, ws.slice(Math.max(0, w - 1), w + 1), cost);
      scores.push(s.scores[i] as number);
      values.push(rv.value);
      windowIds.push(rv.inWindow >= 0 ? windowCount + Math.max(0, w - 1) + rv.inWindow : -1);
    }
    windowCount += ws.length;
  }
  const order = Array.from(scores.keys()).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  const best = new Float64Array(windowCount).fill(Number.NaN);
  let score = -windowCount * cost.fnWeight;
  let detected = 0;
  let fps = 0;
  let result: ThresholdScore = {
    threshold: Number.POSITIVE_INFINITY,
    score,
    detectedWindows: 0,
    missedWindows: windowCount,
    falsePositives: 0,
  };
  for (let k = 0; k < order.length; ) {
    const t = scores[order[k] as number] as number;
    while (k < order.length && scores[order[k] as number] === t) {
      const j = order[k] as number;
      const wid = windowIds[j] as number;
      const v = values[j] as number;
      if (wid < 0) {
        score += v;
        fps++;
      } else {
        const prev = best[wid] as number;
        if (Number.isNaN(prev)) {
          score += cost.fnWeight + v;
          best[wid] = v;
          detected++;
        } else if (v > prev) {
          score += v - prev;
          best[wid] = v;
        }
      }
      k++;
    }
    if (score > result.score) {
      result = { threshold: t, score, detectedWindows: detected, missedWindows: windowCount - detected, falsePositives: fps };
    }
  }
  return result;
}

/** NAB normalisation: 100 * (raw - null) / (perfect - null). */
export function normalizeScore(raw: number, windowCount: number, cost: CostMatrix): number {
  const nullScore = -windowCount * cost.fnWeight;
  const perfect = windowCount * cost.tpWeight;
  return (100 * (raw - nullScore)) / (perfect - nullScore);
}

/**
 * The scorer's self-check on a corpus: a detector that fires exactly at each window's start must score
 * 100 and one that never fires 0, once normalised.
 */
export function referenceScores(
  corpus: readonly { name: string; values: ArrayLike<number>; windows: ReadonlyArray<readonly [number, number]> }[],
  cost: CostMatrix,
): { perfect: number; none: number } {
  const windowCount = corpus.reduce((a, s) => a + s.windows.length, 0);
  const perfect = corpus.map((s) => {
    const scores = new Float64Array(s.values.length);
    for (const [start] of s.windows) scores[start] = 1;
    return { name: s.name, scores, windows: s.windows };
  });
  const none = corpus.map((s) => ({ name: s.name, scores: new Float64Array(s.values.length), windows: s.windows }));
  return {
    perfect: normalizeScore(optimizeThreshold(perfect, cost).score, windowCount, cost),
    none: normalizeScore(scoreCorpus(none, 1, cost).score, windowCount, cost),
  };
}
