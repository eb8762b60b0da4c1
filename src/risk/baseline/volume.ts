/**
 * Streaming hourly volume baseline for one entity: requests, bytes, tokens and downloads per active hour.
 * Keeps an exponentially weighted mean and variance of log(1 + hourly total), so one number per metric
 * summarises weeks of history; the current hour is compared with it as it grows.
 */
export const METRICS = ['requests', 'bytes', 'tokens', 'downloads'] as const;
export type Metric = (typeof METRICS)[number];

const FIELDS = 5; // hour, sum, mean, var, n
const ALPHA = 0.05;
/** Below these hourly totals nothing is anomalous, whatever the baseline. */
export const MIN_ABSOLUTE: Record<Metric, number> = { requests: 60, bytes: 50_000_000, tokens: 200_000, downloads: 15 };

export interface VolumeStats {
  mean: number;
  sd: number;
  n: number;
}

export class VolumeBaseline {
  /** Per metric: [hour index, current sum, EW mean of log1p, EW variance, completed hours]. */
  readonly state: Float64Array;

  constructor(state?: ArrayLike<number>) {
    this.state = new Float64Array(METRICS.length * FIELDS);
    if (state && state.length === this.state.length) this.state.set(state);
  }

  /** The hour the last `add` closed (folded into the baseline), or -1; and that hour's total and log1p. */
  closedHour = -1;
  closedTotal = 0;
  closedLog = 0;

  /**
   * Adds `value` to the current hour of metric `m`; folds a finished hour into the baseline and reports
   * it in `closedHour` (a field, not a callback: this runs for every metric of every access). Returns
   * the current hour's total.
   */
  add(m: number, hour: number, value: number): number {
    const s = this.state;
    const o = m * FIELDS;
    this.closedHour = -1;
    if (s[o] !== hour) {
      if (s[o + 1]! > 0) {
        const x = Math.log1p(s[o + 1]!);
        this.closedHour = s[o]!;
        this.closedTotal = s[o + 1]!;
        this.closedLog = x;
        this.fold(o, x);
      }
      s[o] = hour;
      s[o + 1] = 0;
    }
    s[o + 1]! += value;
    return s[o + 1]!;
  }

  /** Folds one completed hour (as log1p of its total) into metric offset `o`. */
  fold(o: number, x: number): void {
    const s = this.state;
    const n = s[o + 4]!;
    if (n === 0) {
      s[o + 2] = x;
      s[o + 3] = 0.5;
    } else {
      const d = x - s[o + 2]!;
      s[o + 2]! += ALPHA * d;
      s[o + 3] = (1 - ALPHA) * (s[o + 3]! + ALPHA * d * d);
    }
    s[o + 4] = n + 1;
  }

  foldMetric(m: number, x: number): void {
    this.fold(m * FIELDS, x);
  }

  stats(m: number): VolumeStats {
    const o = m * FIELDS;
    return { mean: this.state[o + 2]!, sd: Math.sqrt(this.state[o + 3]!), n: this.state[o + 4]! };
  }
}

/**
 * How far `total` in one hour exceeds a baseline, as 0..1 (0 = within it). An hour must be at least
 * 4 standard deviations and 3x above the typical active hour (in log space) to count.
 */
export function excess(total: number, stats: VolumeStats, minHours: number): number {
  if (stats.n < minHours) return 0;
  const x = Math.log1p(total);
  const margin = Math.max(4 * Math.max(stats.sd, 0.25), Math.log(3));
  const over = x - stats.mean - margin;
  if (over <= 0) return 0;
  return Math.min(1, 0.5 + over / 3);
}
