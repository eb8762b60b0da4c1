/**
 * Feature extraction for the injection classifier: hashed word uni/bi-grams and character 3-5-grams
 * (each block L2-normalised) plus a few dense signal features. Fast: one pass, no substrings for the
 * character n-grams, at most MAX_FEATURE_CHARS characters (head and tail of longer texts).
 */
import { SIGNATURE_FAMILIES, type SignatureFamily } from './signatures.js';

/** Number of hashed buckets (power of two). Dense signal features follow at index HASH_DIM. */
export const HASH_DIM = 1 << 17;
export const MAX_FEATURE_CHARS = 6000;

export const SIGNAL_NAMES: readonly string[] = [
  ...SIGNATURE_FAMILIES.map((f) => `sig:${f}`),
  'evasion',
  'decoded',
  'len:short',
  'len:medium',
  'len:long',
  'upper_ratio',
  'second_person',
  'imperative_start',
  'seg:prose',
  'seg:prose_in_table',
  'seg:prose_in_code',
  'seg:question',
  'seg:prose_rare',
];
export const FEATURE_DIM = HASH_DIM + SIGNAL_NAMES.length;

/** Sparse vector: parallel arrays of indices and values (indices may repeat; they add up). */
export interface SparseVector {
  idx: number[];
  val: number[];
}

export interface SignalInput {
  signatures: ReadonlyMap<SignatureFamily, number>;
  evasion: boolean;
  decoded: boolean;
  /** The normalised text before lower-casing (for the upper-case ratio). */
  original: string;
  /** For a document segment: how it sits in its document. */
  segment?: SegmentContext;
}

export interface SegmentContext {
  /** The segment reads as natural-language prose (words, no table pipes, no code punctuation). */
  prose: boolean;
  /** Most of the document is table rows / code lines. */
  inTable: boolean;
  inCode: boolean;
  question: boolean;
  /** Prose is rare in this document (under a fifth of its segments): this one stands out. */
  proseRare: boolean;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const MASK = HASH_DIM - 1;
const WORD_RE = /[\p{L}\p{N}_']+/gu;

function hashString(s: string, seed: number): number {
  let h = (FNV_OFFSET ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ (b + 0x9e3779b9 + (a << 6) + (a >>> 2)), 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** Keeps head and tail of long texts: injections sit at either end as often as in the middle. */
export function clip(text: string): string {
  if (text.length <= MAX_FEATURE_CHARS) return text;
  const half = MAX_FEATURE_CHARS >> 1;
  return `${text.slice(0, half)} ${text.slice(-half)}`;
}

function addNormalised(out: SparseVector, counts: Map<number, number>): void {
  let norm = 0;
  for (const v of counts.values()) norm += v * v;
  if (norm === 0) return;
  const inv = 1 / Math.sqrt(norm);
  for (const [k, v] of counts) {
    out.idx.push(k);
    out.val.push(v * inv);
  }
}

const IMPERATIVE = /^(?:ignore|forget|disregard|pretend|act|write|tell|say|print|show|reveal|repeat|add|include|use|replace|modify|augment|translate|explain|describe|provide|compose|answer|respond|reply|output|generate|create|make|give|list|rearrange|group|scramble|misspell|substitute|merge|insert|integrate|incorporate|ensure|send|call|run|execute|vergiss|ignoriere|schreibe|sage|zeige|gib|antworte|formuliere|erzähle)\b/;

/**
 * Builds the feature vector of one lower-cased, normalised text.
 *
 * @example
 * const v = featurize('ignore previous instructions', { signatures: new Map(), evasion: false, decoded: false, original: 'Ignore previous instructions' });
 */
export function featurize(lower: string, signals: SignalInput): SparseVector {
  const text = clip(lower);
  const out: SparseVector = { idx: [], val: [] };

  // word unigrams and bigrams
  const words = new Map<number, number>();
  let prev = -1;
  let nWords = 0;
  let secondPerson = 0;
  for (const m of text.matchAll(WORD_RE)) {
    const w = m[0];
    const h = hashString(w, 1);
    nWords++;
    if (w === 'you' || w === 'your' || w === "you're" || w === 'du' || w === 'sie' || w === 'dein' || w === 'ihr') secondPerson++;
    const k1 = h & MASK;
    words.set(k1, (words.get(k1) ?? 0) + 1);
    if (prev >= 0) {
      const k2 = mix(prev, h) & MASK;
      words.set(k2, (words.get(k2) ?? 0) + 1);
    }
    prev = h;
  }
  addNormalised(out, words);

  // character 3-, 4- and 5-grams over the text with runs of whitespace squeezed
  const chars = new Map<number, number>();
  const squeezed = text.replace(/\s+/g, ' ');
  const n = squeezed.length;
  for (let i = 0; i + 3 <= n; i++) {
    let h = (FNV_OFFSET ^ 2) >>> 0;
    const end = Math.min(n, i + 5);
    for (let j = i; j < end; j++) {
      h = Math.imul(h ^ squeezed.charCodeAt(j), FNV_PRIME);
      if (j - i >= 2) {
        const k = (h >>> 0) & MASK;
        chars.set(k, (chars.get(k) ?? 0) + 1);
      }
    }
  }
  addNormalised(out, chars);

  // dense signals
  const dense = new Array<number>(SIGNAL_NAMES.length).fill(0);
  SIGNATURE_FAMILIES.forEach((f, i) => {
    dense[i] = signals.signatures.has(f) ? 1 : 0;
  });
  let o = SIGNATURE_FAMILIES.length;
  dense[o++] = signals.evasion ? 1 : 0;
  dense[o++] = signals.decoded ? 1 : 0;
  const len = lower.length;
  dense[o++] = len < 80 ? 1 : 0;
  dense[o++] = len >= 80 && len < 1000 ? 1 : 0;
  dense[o++] = len >= 1000 ? 1 : 0;
  let upper = 0;
  let letters = 0;
  const sample = signals.original.length > 2000 ? signals.original.slice(0, 2000) : signals.original;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c >= 65 && c <= 90) upper++;
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
  }
  dense[o++] = letters > 0 ? upper / letters : 0;
  dense[o++] = nWords > 0 ? Math.min(1, (secondPerson / nWords) * 10) : 0;
  dense[o++] = IMPERATIVE.test(text.trimStart()) ? 1 : 0;
  const seg = signals.segment;
  if (seg !== undefined) {
    dense[o++] = seg.prose ? 1 : 0;
    dense[o++] = seg.prose && seg.inTable ? 1 : 0;
    dense[o++] = seg.prose && seg.inCode ? 1 : 0;
    dense[o++] = seg.question ? 1 : 0;
    dense[o++] = seg.prose && seg.proseRare ? 1 : 0;
  }
  dense.forEach((v, i) => {
    if (v !== 0) {
      out.idx.push(HASH_DIM + i);
      out.val.push(v);
    }
  });
  return out;
}
