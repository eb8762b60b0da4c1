/**
 * Logistic regression by AdaGrad SGD over sparse features. Deterministic: a seeded shuffle, no other
 * randomness, so the same examples give byte-identical weights.
 */
import { FEATURE_DIM, HASH_DIM, type SparseVector } from '../features.js';
import { dot, sigmoid, type LinearModel } from '../linear.js';
import { prng } from '../../../core/index.js';

export interface Example {
  x: SparseVector;
  y: 0 | 1;
  /** Weight before class balancing. */
  w: number;
  /** Indices of the corpus rows this example came from (a fold keeps it when any of them is kept). */
  rows: number[];
  /** Origin of the first row (for weighting origins against each other). */
  origin: string;
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  /** L2 on the hashed n-gram weights. */
  l2: number;
  /** L2 on the dense behaviour weights (they generalise across sources, so they may be held less tightly). */
  l2Dense: number;
  seed: number;
  /**
   * How much origins are evened out: each example's weight is divided by its origin's total weight raised
   * to this power (0: big sources dominate; 1: every origin weighs the same). Keeps the model from learning
   * the style of the largest sources.
   */
  originBalance: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = { epochs: 3, learningRate: 0.2, l2: 1e-6, l2Dense: 1e-6, seed: 20261121, originBalance: 0.5 };

/**
 * Final example weights: origins evened out (per label, by `originBalance`), then attacks and benign
 * examples rescaled to weigh the same in total.
 */
export function balanced(examples: readonly Example[], originBalance = 0): Float64Array {
  const perOrigin = new Map<string, number>();
  for (const e of examples) perOrigin.set(`${e.y}:${e.origin}`, (perOrigin.get(`${e.y}:${e.origin}`) ?? 0) + e.w);
  const w = Float64Array.from(examples, (e) => e.w / Math.pow(perOrigin.get(`${e.y}:${e.origin}`) as number, originBalance));
  let pos = 0;
  let neg = 0;
  examples.forEach((e, i) => {
    if (e.y === 1) pos += w[i] as number;
    else neg += w[i] as number;
  });
  const total = pos + neg;
  if (pos === 0 || neg === 0) return w;
  examples.forEach((e, i) => {
    w[i] = ((w[i] as number) * total) / (2 * (e.y === 1 ? pos : neg));
  });
  return w;
}

export function trainLogistic(examples: readonly Example[], opts: TrainOptions = DEFAULT_TRAIN_OPTIONS): LinearModel {
  const weights = new Float32Array(FEATURE_DIM);
  const g2 = new Float32Array(FEATURE_DIM);
  const w = balanced(examples, opts.originBalance);
  const model: LinearModel = { bias: 0, weights };
  let gb2 = 0;
  const rand = prng(opts.seed);
  const order = Int32Array.from(examples, (_, i) => i);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
    }
    for (let k = 0; k < order.length; k++) {
      const e = order[k] as number;
      const ex = examples[e] as Example;
      const g = (sigmoid(dot(model, ex.x)) - ex.y) * (w[e] as number);
      const { idx, val } = ex.x;
      for (let i = 0; i < idx.length; i++) {
        const f = idx[i] as number;
        const gi = g * (val[i] as number) + (f < HASH_DIM ? opts.l2 : opts.l2Dense) * (weights[f] as number);
        const acc = (g2[f] as number) + gi * gi;
        g2[f] = acc;
        weights[f] = (weights[f] as number) - (opts.learningRate * gi) / Math.sqrt(acc + 1e-8);
      }
      gb2 += g * g;
      model.bias -= (opts.learningRate * g) / Math.sqrt(gb2 + 1e-8);
    }
  }
  return model;
}
