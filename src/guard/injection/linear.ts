/** A linear model over sparse features, and its logistic score. */
import type { SparseVector } from './features.js';

export interface LinearModel {
  bias: number;
  weights: Float32Array;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function dot(m: LinearModel, x: SparseVector): number {
  let z = m.bias;
  for (let i = 0; i < x.idx.length; i++) z += (m.weights[x.idx[i] as number] ?? 0) * (x.val[i] as number);
  return z;
}

