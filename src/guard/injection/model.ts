/**
 * Classifier runtime: the committed logistic-regression heads, stored as int16 with one scale per head
 * (base64 in a generated module, so it works from src/ under tsx and from dist/ alike).
 */
import { FEATURE_DIM, HASH_DIM, SIGNAL_NAMES, type SparseVector } from './features.js';
import { dot, sigmoid, type LinearModel } from './linear.js';
import { dequantizeInt16, quantizeInt16 } from '../../core/index.js';

export const MODEL_FORMAT = 'warden-guard-injection/2';

export interface SerializedHead {
  bias: number;
  scale: number;
  /** base64 of little-endian int16 weights, FEATURE_DIM of them */
  weights: string;
}

export interface SerializedModel {
  format: typeof MODEL_FORMAT;
  hashDim: number;
  signalNames: readonly string[];
  /** Prompt-mode threshold (scores at or above it are flagged). */
  threshold: number;
  /** Document-mode threshold: a document's score is its worst segment's, so it needs its own. */
  documentThreshold: number;
  prompt: SerializedHead;
  document: SerializedHead;
  /** Rows per source the model was trained on (provenance). */
  trainedOn: Record<string, number>;
}

export interface InjectionModel {
  prompt: LinearModel;
  document: LinearModel;
  threshold: number;
  documentThreshold: number;
}

export function serializeHead(m: LinearModel): SerializedHead {
  const { scale, base64 } = quantizeInt16(m.weights);
  return { bias: m.bias, scale, weights: base64 };
}

export function deserializeHead(h: SerializedHead): LinearModel {
  const weights = dequantizeInt16(h.weights, h.scale);
  if (weights.length !== FEATURE_DIM) throw new Error(`model head has ${weights.length} weights, expected ${FEATURE_DIM}`);
  return { bias: h.bias, weights };
}

/** Checks that a serialised model matches this build's feature layout, then loads it. */
export function loadModel(s: SerializedModel): InjectionModel {
  if (s.format !== MODEL_FORMAT) throw new Error(`unknown model format \`${String(s.format)}\``);
  if (s.hashDim !== HASH_DIM || s.signalNames.join(',') !== SIGNAL_NAMES.join(',')) {
    throw new Error('model feature layout does not match this build; run `npm run train:guard`');
  }
  return { prompt: deserializeHead(s.prompt), document: deserializeHead(s.document), threshold: s.threshold, documentThreshold: s.documentThreshold };
}

export function scoreWith(m: LinearModel, x: SparseVector): number {
  return sigmoid(dot(m, x));
}
