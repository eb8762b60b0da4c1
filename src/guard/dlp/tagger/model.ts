/**
 * The tagger's model: a linear-chain sequence model over the token features (weights per feature bucket and
 * label, plus label-to-label transitions), decoded exactly with Viterbi under the BIO constraints (an inside
 * label only continues a span of its own type). Trained by train.ts with the averaged structured perceptron.
 *
 * @example
 * const labels = model.decode(features, 0, n); // one of LABELS per token
 */
import { FEATURES_PER_TOKEN, LABEL_COUNT, type Lexicon } from './features.js';

const L = LABEL_COUNT;
/** Allowed transitions: I-PERSON (2) only after B/I-PERSON, I-ADDRESS (4) only after B/I-ADDRESS. */
export function allowed(from: number, to: number): boolean {
  if (to === 2) return from === 1 || from === 2;
  if (to === 4) return from === 3 || from === 4;
  return true;
}
/** Per label, the labels it may follow (in label order, so ties resolve as a full scan would). */
const PREDECESSORS: Uint8Array[] = Array.from({ length: L }, (_, y) => Uint8Array.from(Array.from({ length: L }, (_, p) => p).filter((p) => allowed(p, y))));
/** Row L of the transition table is the start state. */
export const START = L;

export class TaggerModel {
  constructor(
    /** BUCKETS x LABEL_COUNT. */
    readonly weights: Float32Array,
    /** (LABEL_COUNT + 1) x LABEL_COUNT; the last row scores the first label. */
    readonly transitions: Float32Array,
    readonly lexicon: Lexicon,
  ) {}

  /** Emission scores of `n` tokens from feature ids (FEATURES_PER_TOKEN each). */
  emissions(features: Int32Array, n: number, out = new Float32Array(n * L)): Float32Array {
    const w = this.weights;
    for (let t = 0; t < n; t++) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0;
      const base = t * FEATURES_PER_TOKEN;
      for (let k = 0; k < FEATURES_PER_TOKEN; k++) {
        const o = features[base + k]! * L;
        s0 += w[o]!;
        s1 += w[o + 1]!;
        s2 += w[o + 2]!;
        s3 += w[o + 3]!;
        s4 += w[o + 4]!;
      }
      const b = t * L;
      out[b] = s0;
      out[b + 1] = s1;
      out[b + 2] = s2;
      out[b + 3] = s3;
      out[b + 4] = s4;
    }
    return out;
  }

  /** Best label sequence for `n` tokens whose feature ids are in `features`. */
  decode(features: Int32Array, n: number): Uint8Array {
    const labels = new Uint8Array(n);
    if (n === 0) return labels;
    const em = this.emissions(features, n);
    const tr = this.transitions;
    const score = new Float32Array(n * L);
    const back = new Uint8Array(n * L);
    for (let y = 0; y < L; y++) score[y] = allowed(0, y) || y === 0 ? (y === 2 || y === 4 ? -Infinity : tr[START * L + y]! + em[y]!) : -Infinity;
    for (let t = 1; t < n; t++) {
      const prev = (t - 1) * L;
      for (let y = 0; y < L; y++) {
        let best = -Infinity;
        let arg = 0;
        const from = PREDECESSORS[y]!;
        for (let k = 0; k < from.length; k++) {
          const p = from[k]!;
          const v = score[prev + p]! + tr[p * L + y]!;
          if (v > best) {
            best = v;
            arg = p;
          }
        }
        score[t * L + y] = best + em[t * L + y]!;
        back[t * L + y] = arg;
      }
    }
    let y = 0;
    for (let k = 1; k < L; k++) if (score[(n - 1) * L + k]! > score[(n - 1) * L + y]!) y = k;
    for (let t = n - 1; t >= 0; t--) {
      labels[t] = y;
      y = back[t * L + y]!;
    }
    return labels;
  }
}
