/**
 * Training of the name and address tagger: the averaged structured perceptron (Collins 2002) over the same
 * features and Viterbi decoding the detector uses, on sentences with PERSON and ADDRESS spans. Deterministic:
 * the sentence order of each epoch comes from a seeded generator.
 *
 * @example
 * const model = trainTagger(sentences, lexicon, { epochs: 8, seed: 16 });
 */
import { BUCKETS, featuresInto, FEATURES_PER_TOKEN, LABEL_COUNT, tokenInfo, type Lexicon } from './features.js';
import { allowed, START, TaggerModel } from './model.js';
import { tokenize } from './tokens.js';
import { prng } from '../../../core/index.js';

export interface LabelledSentence {
  text: string;
  spans: { start: number; end: number; type: string }[];
}

const L = LABEL_COUNT;

/** BIO labels of the tokens from gold spans (a token belongs to the span that contains its start). */
export function goldLabels(starts: Int32Array, n: number, spans: LabelledSentence['spans']): Uint8Array {
  const labels = new Uint8Array(n);
  for (const s of spans) {
    const b = s.type === 'PERSON' ? 1 : s.type === 'ADDRESS' ? 3 : 0;
    if (b === 0) continue;
    let first = true;
    for (let i = 0; i < n; i++) {
      const at = starts[i]!;
      if (at < s.start || at >= s.end) continue;
      labels[i] = first ? b : b + 1;
      first = false;
    }
  }
  return labels;
}

interface Prepared {
  features: Int32Array;
  gold: Uint8Array;
  n: number;
}

export interface TrainOptions {
  epochs: number;
  seed: number;
}

export function trainTagger(sentences: LabelledSentence[], lexicon: Lexicon, options: TrainOptions): TaggerModel {
  const random = prng(options.seed);
  const prepared: Prepared[] = sentences.map((s) => {
    const tokens = tokenize(s.text);
    const info = tokenInfo(s.text, tokens, lexicon);
    const features = new Int32Array(tokens.count * FEATURES_PER_TOKEN);
    featuresInto(info, tokens.count, 0, tokens.count, features);
    return { features, gold: goldLabels(tokens.start, tokens.count, s.spans), n: tokens.count };
  });
  const w = new Float32Array(BUCKETS * L);
  const tr = new Float32Array((L + 1) * L);
  // Averaging: u accumulates c * update, the average is w - u / c.
  const wu = new Float64Array(BUCKETS * L);
  const tru = new Float64Array((L + 1) * L);
  const model = new TaggerModel(w, tr, lexicon);
  let c = 1;
  const order = prepared.map((_, i) => i);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const idx of order) {
      const p = prepared[idx]!;
      if (p.n === 0) continue;
      const pred = model.decode(p.features, p.n);
      for (let t = 0; t < p.n; t++) {
        const g = p.gold[t]!;
        const y = pred[t]!;
        const pg = t === 0 ? START : p.gold[t - 1]!;
        const py = t === 0 ? START : pred[t - 1]!;
        if (g !== y) {
          const base = t * FEATURES_PER_TOKEN;
          for (let k = 0; k < FEATURES_PER_TOKEN; k++) {
            const o = p.features[base + k]! * L;
            w[o + g]! += 1;
            wu[o + g]! += c;
            w[o + y]! -= 1;
            wu[o + y]! -= c;
          }
        }
        if (g !== y || pg !== py) {
          tr[pg * L + g]! += 1;
          tru[pg * L + g]! += c;
          tr[py * L + y]! -= 1;
          tru[py * L + y]! -= c;
        }
      }
      c++;
    }
  }
  for (let i = 0; i < w.length; i++) w[i] = w[i]! - wu[i]! / c;
  for (let i = 0; i < tr.length; i++) tr[i] = tr[i]! - tru[i]! / c;
  // Keep the hard BIO constraints visible in the table too (decode enforces them regardless).
  for (let p = 0; p <= L; p++) for (let y = 0; y < L; y++) if (p < L && !allowed(p, y)) tr[p * L + y] = -1e4;
  return model;
}
