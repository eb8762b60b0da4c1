/** A linear model over sparse features, and its logistic score. */
import type { SparseVector } from './features.js';

export interface LinearModel {
  bias: number;
  weights: Float32Array;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function logit(p: number): number {
  const q = Math.min(1 - 1e-9, Math.max(1e-9, p));
  return Math.log(q / (1 - q));
}

export function dot(m: LinearModel, x: SparseVector): number {
  let z = m.bias;
  const { idx, val } = x;
  const w = m.weights;
  for (let i = 0; i < idx.length; i++) z += (w[idx[i] as number] as number) * (val[i] as number);
  return z;
}
