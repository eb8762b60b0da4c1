/**
 * Training of the two logistic-regression heads (prompt and document segment) over the hashed
 * features. Deterministic: a seeded shuffle and AdaGrad, no randomness elsewhere.
 */
import { analyzeText, isProse, matchesAnySignature, segmentContexts, segmentDocument, vectorOf } from './analyze.js';
import type { SegmentContext, SparseVector } from './features.js';
import { FEATURE_DIM } from './features.js';
import { dot, sigmoid, type LinearModel } from './linear.js';

export interface LabelledRow {
  text: string;
  label: 0 | 1;
  category: string;
  source: string;
}

export interface Example {
  x: SparseVector;
  y: 0 | 1;
  w: number;
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = { epochs: 8, learningRate: 0.2, l2: 1e-6, seed: 20261121 };

/** mulberry32: small, seedable PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Logistic regression by AdaGrad SGD with L2 applied to touched weights; class-balanced by `w`. */
export function trainLogistic(examples: readonly Example[], opts: TrainOptions = DEFAULT_TRAIN_OPTIONS): LinearModel {
  const weights = new Float32Array(FEATURE_DIM);
  const g2 = new Float32Array(FEATURE_DIM);
  let bias = 0;
  let gb2 = 0;
  const rand = prng(opts.seed);
  const order = examples.map((_, i) => i);
  const model: LinearModel = { bias, weights };
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    for (const k of order) {
      const ex = examples[k] as Example;
      model.bias = bias;
      const p = sigmoid(dot(model, ex.x));
      const g = (p - ex.y) * ex.w;
      for (let i = 0; i < ex.x.idx.length; i++) {
        const f = ex.x.idx[i] as number;
        const gi = g * (ex.x.val[i] as number) + opts.l2 * (weights[f] as number);
        g2[f] = (g2[f] as number) + gi * gi;
        weights[f] = (weights[f] as number) - (opts.learningRate * gi) / Math.sqrt((g2[f] as number) + 1e-8);
      }
      gb2 += g * g;
      bias -= (opts.learningRate * g) / Math.sqrt(gb2 + 1e-8);
    }
  }
  model.bias = bias;
  return model;
}

const DOCUMENT_CATEGORIES = new Set(['benign-document', 'injection-document', 'injection-payload']);

export function isDocumentCategory(category: string): boolean {
  return DOCUMENT_CATEGORIES.has(category);
}

function balance(examples: Example[]): Example[] {
  const pos = examples.filter((e) => e.y === 1).reduce((s, e) => s + e.w, 0);
  const neg = examples.filter((e) => e.y === 0).reduce((s, e) => s + e.w, 0);
  if (pos === 0 || neg === 0) return examples;
  const total = pos + neg;
  return examples.map((e) => ({ ...e, w: (e.w * total) / (2 * (e.y === 1 ? pos : neg)) }));
}

export interface PromptExampleOptions {
  /** Train the prompt head on whole documents too (documents are otherwise left to the segment head). */
  includeDocuments: boolean;
  /** Weight of hand-written hard negatives (rare, and the costliest false positives). */
  hardNegativeWeight: number;
}

/**
 * Prompt head: every prompt row scored as a whole; document rows only when asked, and never the
 * standalone document payloads (benign as chat).
 */
export function promptExamples(rows: readonly LabelledRow[], opts: PromptExampleOptions = { includeDocuments: false, hardNegativeWeight: 5 }): Example[] {
  const out: Example[] = [];
  for (const r of rows) {
    if (r.category === 'injection-payload') continue;
    if (!opts.includeDocuments && isDocumentCategory(r.category)) continue;
    out.push({ x: vectorOf(analyzeText(r.text)), y: r.label, w: r.category === 'benign-hard' ? opts.hardNegativeWeight : 1 });
  }
  return balance(out);
}

export interface DocumentExampleOptions {
  /** Weight of benign chat rows as negatives for the segment head (they resemble some payloads). */
  benignChatWeight: number;
}

/**
 * Document-segment head. Positives: payloads, the segments of injected documents that occur in no
 * benign document, and direct attacks; negatives: segments of benign documents (and benign chat,
 * down-weighted).
 */
export function documentExamples(rows: readonly LabelledRow[], opts: DocumentExampleOptions = { benignChatWeight: 0.2 }): Example[] {
  const benignSegments = new Set<string>();
  for (const r of rows) if (r.category === 'benign-document') for (const s of segmentDocument(r.text)) benignSegments.add(s);
  const out: Example[] = [];
  const seen = new Set<string>();
  const add = (text: string, ctx: SegmentContext, y: 0 | 1, w: number): void => {
    const key = `${y}:${ctx.inTable ? 't' : ''}${ctx.inCode ? 'c' : ''}:${text}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ x: vectorOf(analyzeText(text, false), ctx), y, w });
  };
  const addDocument = (text: string, y: 0 | 1, onlyNovel: boolean, w: number): void => {
    const segs = segmentDocument(text);
    const ctxs = segmentContexts(segs);
    segs.forEach((s, i) => {
      if (y === 1 && onlyNovel && benignSegments.has(s)) return;
      // Code lines carried by a payload look like any code: only its prose and signature hits are positives.
      if (y === 1 && !isProse(s) && !matchesAnySignature(s)) return;
      add(s, ctxs[i] as SegmentContext, y, w);
    });
  };
  for (const r of rows) {
    if (r.category === 'benign-document') addDocument(r.text, 0, false, 1);
    else if (r.category === 'injection-document') addDocument(r.text, 1, true, 1);
    else if (r.category === 'injection-payload') addDocument(r.text, 1, false, 1);
    else if (r.label === 1) addDocument(r.text, 1, false, 0.5);
    else if (r.category === 'benign-chat' && opts.benignChatWeight > 0) addDocument(r.text, 0, false, opts.benignChatWeight);
    else if (r.category === 'benign-hard') addDocument(r.text, 0, false, 1);
  }
  return balance(out);
}
