import { resolveOptions, type VolumeDetectorOptions } from './options.js';
import { createLikelihood } from './likelihood.js';
import { WardenError } from '../../core/index.js';

/** What one observation scored. */
export interface VolumeScore {
  /** Alert score in [0, 1]: the anomaly likelihood, 0 while a recent alert of the same episode is suppressing. */
  readonly score: number;
  /** Unsuppressed anomaly likelihood in [0, 1]: how unusual the recent points are. */
  readonly level: number;
  /** Expected value (the baseline) for this point. */
  readonly expected: number;
  /** Observed vs expected, against which baseline (built on first read, so scoring stays cheap). */
  readonly explanation: string;
}

export interface VolumeDetector {
  /** Score one observation of the series (one pass, O(1)). Non-finite values are ignored (score 0). */
  update(value: number, timestampMs: number): VolumeScore;
  /**
   * The learned state as plain numbers (a few hundred), to persist across restarts and pass back to
   * `createVolumeDetector(options, state)` with the same options.
   */
  save(): Float64Array;
}

/** Format version of `save()`: [STATE_VERSION, seasonBins, shortWindows..., state...]. */
export const STATE_VERSION = 1;

type Basis = 'level' | 'season' | 'range' | 'ignored';

class Result implements VolumeScore {
  constructor(
    readonly score: number,
    readonly level: number,
    readonly expected: number,
    private readonly observed: number,
    private readonly deviation: number,
    private readonly basis: Basis,
    private readonly low: number,
    private readonly high: number,
  ) {}

  get explanation(): string {
    switch (this.basis) {
      case 'ignored':
        return 'non-finite value ignored';
      case 'range':
        return `observed ${fmt(this.observed)} outside the range seen so far [${fmt(this.low)}, ${fmt(this.high)}]`;
      default:
        return (
          `observed ${fmt(this.observed)} vs expected ${fmt(this.expected)} ` +
          `(${this.basis === 'season' ? 'usual value at this time of day' : 'recent level'}), ` +
          `${this.deviation.toFixed(1)}x the usual deviation`
        );
    }
  }

  toJSON(): Record<string, unknown> {
    return { score: this.score, level: this.level, expected: this.expected, explanation: this.explanation };
  }
}

/**
 * Streaming volume anomaly detector for one series (one entity and metric).
 *
 * Per point: the error against a baseline (the usual value in this time-of-day bin, or the recent
 * level until the bin has data), in units of that baseline's mean absolute deviation, becomes a raw
 * score; the anomaly likelihood compares the average of the last raw scores with their long-run
 * distribution (as Numenta's HTM detector does); a value beyond the range seen so far scores 1; after
 * an alert, the rest of the episode is suppressed. Memory: a few hundred numbers (O(seasonBins)).
 *
 * @example
 * const det = createVolumeDetector();
 * const r = det.update(bytesThisHour, Date.now());
 * if (r.score >= 0.4) console.log(r.explanation);
 */
export function createVolumeDetector(options: VolumeDetectorOptions = {}, state?: ArrayLike<number>): VolumeDetector {
  const o = resolveOptions(options);
  let n = 0;
  let level = 0;
  let mad = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const up = o.direction !== 'down';
  const down = o.direction !== 'up';
  /** the deviation that counts: above and/or below the baseline, per `direction` */
  const deviation = (d: number): number => (d > 0 ? (up ? d : 0) : down ? -d : 0);
  const bins = o.seasonBins;
  const period = o.seasonPeriodMs;
  const binWidth = period / Math.max(1, bins);
  const sMean = new Float64Array(bins);
  const sMad = new Float64Array(bins);
  const sCount = new Uint32Array(bins);
  const likelihoods = o.shortWindows.map((window) =>
    createLikelihood({ window, alpha: o.likelihoodAlpha, minStd: o.minLikelihoodStd, learningPoints: o.learningPoints }),
  );
  let lastAlertAt = Number.NEGATIVE_INFINITY;
  let quiet = 0; // consecutive points below alertLevel

  const header = [STATE_VERSION, bins, ...o.shortWindows];
  const size = header.length + 7 + 3 * bins + o.shortWindows.reduce((a, w) => a + w + 5, 0);

  if (state !== undefined) {
    if (state.length !== size || header.some((h, i) => state[i] !== h)) {
      throw new WardenError('config_invalid', 'volume detector state does not match its options (start a fresh baseline)');
    }
    // min, max and the last alert time are infinite before the first point / alert; nothing else may be
    const infiniteOk = new Set([header.length + 3, header.length + 4, header.length + 5]);
    for (let i = 0; i < state.length; i++) {
      const v = state[i] as number;
      if (Number.isNaN(v) || (!Number.isFinite(v) && !infiniteOk.has(i))) {
        throw new WardenError('config_invalid', 'volume detector state holds an invalid number (start a fresh baseline)');
      }
    }
    let k = header.length;
    n = state[k++] as number;
    level = state[k++] as number;
    mad = state[k++] as number;
    min = state[k++] as number;
    max = state[k++] as number;
    lastAlertAt = state[k++] as number;
    quiet = Math.max(0, state[k++] as number);
    for (let b = 0; b < bins; b++) sMean[b] = state[k++] as number;
    for (let b = 0; b < bins; b++) sMad[b] = state[k++] as number;
    for (let b = 0; b < bins; b++) sCount[b] = Math.max(0, Math.min(0xffffffff, Math.floor(state[k++] as number)));
    for (const l of likelihoods) k = l.load(state, k);
  }

  return {
    save(): Float64Array {
      const out: number[] = [...header, n, level, mad, min, max, lastAlertAt, quiet];
      out.push(...sMean, ...sMad, ...sCount);
      for (const l of likelihoods) l.save(out);
      return Float64Array.from(out);
    },

    update(value: number, timestampMs: number): VolumeScore {
      if (!Number.isFinite(value)) return new Result(0, 0, n > 0 ? level : 0, value, 0, 'ignored', min, max);
      const x = value;
      const ts = Number.isFinite(timestampMs) ? timestampMs : 0;
      n++;
      const floor = o.minScaleFraction * (max > min ? max - min : Math.abs(x) + 1) + 1e-12;

      // baselines: recent level, and the usual value in this time-of-day bin
      const eLevel = n > 1 ? deviation(x - level) / Math.max(mad, floor) : 0;
      let expected = n > 1 ? level : x;
      let basis: Basis = 'level';
      let err = eLevel;
      let bin = -1;
      if (bins > 0) {
        bin = Math.floor((((ts % period) + period) % period) / binWidth) % bins;
        if ((sCount[bin] as number) >= o.seasonMinCount) {
          const mean = sMean[bin] as number;
          const eSeason = deviation(x - mean) / Math.max(sMad[bin] as number, floor);
          if (
            o.combine === 'season' ||
            (o.combine === 'min' && eSeason < eLevel) ||
            (o.combine === 'max' && eSeason >= eLevel)
          ) {
            err = eSeason;
            expected = mean;
            basis = 'season';
          } else if (o.combine === 'mean') {
            err = (eSeason + eLevel) / 2;
          }
        }
      }

      // spatial anomaly: beyond everything seen so far, by a fraction of the range
      const low = min;
      const high = max;
      let spatial = false;
      if (n > o.spatialMinPoints && max > min && err >= o.spatialMinDeviation) {
        const tol = o.spatialTolerance * (max - min);
        spatial = (up && x > max + tol) || (down && x < min - tol);
      }

      // raw score -> anomaly likelihood
      const raw = o.rawCap > 0 ? Math.min(err / o.errorScale, o.rawCap) : 1 - Math.exp(-err / o.errorScale);
      let likelihood = 0;
      for (const l of likelihoods) likelihood = Math.max(likelihood, l.update(raw));
      if (spatial) {
        likelihood = 1;
        basis = 'range';
      }

      // learn
      if (n === 1) {
        level = x;
      } else {
        const d = x - level;
        level += o.levelAlpha * d;
        mad += o.scaleAlpha * (Math.abs(d) - mad);
      }
      if (bin >= 0) {
        const c = sCount[bin] as number;
        const m = sMean[bin] as number;
        if (c === 0) sMean[bin] = x;
        else {
          const a = Math.max(o.seasonAlpha, 1 / (c + 1));
          const d = x - m;
          sMean[bin] = m + a * d;
          sMad[bin] = (sMad[bin] as number) + a * (Math.abs(d) - (sMad[bin] as number));
        }
        if (c < 0xffffffff) sCount[bin] = c + 1;
      }
      if (x < min) min = x;
      if (x > max) max = x;

      // one alert per episode
      let score = likelihood;
      // (suppressed for suppressPoints after an alert, unless the level has been quiet for rearmPoints)
      if (n - lastAlertAt <= o.suppressPoints && quiet < o.rearmPoints) score = 0;
      else if (likelihood >= o.alertLevel) lastAlertAt = n;
      quiet = likelihood < o.alertLevel ? quiet + 1 : 0;
      return new Result(score, likelihood, expected, x, err, basis, low, high);
    },
  };
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}
