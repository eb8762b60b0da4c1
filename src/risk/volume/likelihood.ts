import { tailProbability } from './normal.js';

/**
 * Anomaly likelihood in the manner of Numenta's HTM detector: the average of the last `window` raw
 * scores is compared with the long-run distribution of that average (exponentially weighted mean and
 * variance, weight `alpha`); the Gaussian tail probability q is mapped to [0, 1] as log(q) / log(1e-10),
 * so q = 1e-5 gives 0.5. O(1) per point, `window` + 4 numbers of state.
 */
export interface Likelihood {
  update(raw: number): number;
  /** appends the state (window + 4 numbers) to `out` */
  save(out: number[]): void;
  /** reads the state from `state` at `offset`; returns the offset after it */
  load(state: ArrayLike<number>, offset: number): number;
}

export interface LikelihoodOptions {
  window: number;
  alpha: number;
  minStd: number;
  learningPoints: number;
}

const LOG_1E_10 = Math.log(1e-10);

export function createLikelihood(o: LikelihoodOptions): Likelihood {
  const ring = new Float64Array(Math.max(1, Math.floor(o.window)));
  let sum = 0;
  let pos = 0;
  let n = 0;
  let mean = 0;
  let variance = 0;
  return {
    update(raw: number): number {
      sum += raw - (ring[pos] as number);
      ring[pos] = raw;
      pos = (pos + 1) % ring.length;
      n++;
      const avg = sum / Math.min(n, ring.length);
      let likelihood = 0;
      if (n > o.learningPoints) {
        const sd = Math.max(Math.sqrt(variance), o.minStd);
        const q = tailProbability((avg - mean) / sd);
        likelihood = Math.min(1, Math.max(0, Math.log(q + 1e-300) / LOG_1E_10));
      }
      const a = Math.max(o.alpha, 1 / n);
      const d = avg - mean;
      mean += a * d;
      variance = (1 - a) * (variance + a * d * d);
      return likelihood;
    },
    save(out: number[]): void {
      out.push(...ring, sum, pos, n, mean, variance);
    },
    load(state: ArrayLike<number>, offset: number): number {
      let k = offset;
      for (let i = 0; i < ring.length; i++) ring[i] = state[k++] as number;
      sum = state[k++] as number;
      pos = Math.min(ring.length - 1, Math.max(0, Math.floor(state[k++] as number)));
      n = Math.max(0, state[k++] as number);
      mean = state[k++] as number;
      variance = Math.max(0, state[k++] as number);
      return k;
    },
  };
}
