/**
 * Feature extraction for the injection classifier, in one pass over the text:
 * - hashed word unigrams and bigrams, and hashed character 4-grams (each block L2-normalised);
 * - dense behaviour features: signature families, evasion, cue categories (lexicon.ts) and their
 *   combinations (an override verb *and* an instruction noun), imperative and question sentences, the shape
 *   of the text (length, capitals, punctuation, markup), and for a document segment its place in the
 *   document (prose among table rows or code, a comment, words the rest of the document never uses, a
 *   script the rest of the document is not written in).
 * Scratch buffers are reused between calls (the detector is synchronous), so a call allocates only its
 * output. At most MAX_FEATURE_CHARS characters are read (head and tail of longer texts).
 */
import { CUE_NAMES, IMPERATIVE_VERBS, phraseCues, wordCues, type Cue } from './lexicon.js';
import { SIGNATURE_FAMILIES, type SignatureFamily } from './signatures.js';

/** Number of hashed buckets (power of two). Dense signal features follow at index HASH_DIM. */
export const HASH_DIM = 1 << 18;
export const MAX_FEATURE_CHARS = 6000;

const INTERACTIONS: ReadonlyArray<[string, Cue, Cue]> = [
  ['override*instructions', 'override', 'instructions'],
  ['you*ai', 'you', 'ai'],
  ['role*unrestricted', 'role', 'unrestricted'],
  ['harm*fiction', 'harm', 'fiction'],
  ['harm*role', 'harm', 'role'],
  ['action*secret', 'action', 'secret'],
  ['urgency*switch', 'urgency', 'switch'],
  ['encoding*output', 'encoding', 'output'],
  ['authority*you', 'authority', 'you'],
  ['you*instructions', 'you', 'instructions'],
  ['output*you', 'output', 'you'],
  ['refusal*unrestricted', 'refusal', 'unrestricted'],
  ['safety_topic*instructions', 'safety_topic', 'instructions'],
];

export const SIGNAL_NAMES: readonly string[] = [
  ...SIGNATURE_FAMILIES.map((f) => `sig:${f}`),
  'evasion',
  'decoded',
  'len:short',
  'len:medium',
  'len:long',
  'upper_ratio',
  'exclamations',
  'punct_ratio',
  'odd_tokens',
  'second_person',
  'imperative_start',
  'imperative_share',
  'question_share',
  'turn_markers',
  'markup',
  'links',
  'non_latin',
  ...CUE_NAMES.map((c) => `cue:${c}`),
  ...INTERACTIONS.map(([name]) => `cue:${name}`),
  'seg:prose',
  'seg:prose_in_table',
  'seg:prose_in_code',
  'seg:question',
  'seg:prose_rare',
  'seg:novel_words',
  'seg:script_shift',
  'seg:edge',
  'seg:comment',
];
export const FEATURE_DIM = HASH_DIM + SIGNAL_NAMES.length;
const SIGNAL_INDEX = new Map(SIGNAL_NAMES.map((n, i) => [n, i]));
const CUE_OFFSET = SIGNAL_INDEX.get(`cue:${CUE_NAMES[0]}`) as number;

/** Sparse vector: parallel arrays of indices and values (indices may repeat; they add up). */
export interface SparseVector {
  idx: Int32Array;
  val: Float32Array;
}

/** How a document segment sits in its document. */
export interface SegmentContext {
  /** The segment reads as natural-language prose (words, no table pipes, no code punctuation). */
  prose: boolean;
  /** Most of the document is table rows / code lines. */
  inTable: boolean;
  inCode: boolean;
  question: boolean;
  /** Prose is rare in this document (under a fifth of its segments): this one stands out. */
  proseRare: boolean;
  /** Share (0..1) of the segment's longer words that occur nowhere else in the document. */
  novelWords: number;
  /** The segment is written in another script than most of the document (Latin among Thai, Cyrillic among Latin). */
  scriptShift: boolean;
  /** First or last segment of the document. */
  edge: boolean;
  /** The segment is (or opens) a comment: HTML `<!--`, `//`, `#`, `/*`. */
  comment: boolean;
}

export interface SignalInput {
  signatures: ReadonlyMap<SignatureFamily, number>;
  evasion: boolean;
  decoded: boolean;
  /** The normalised text before lower-casing (for the upper-case ratio). */
  original: string;
  segment?: SegmentContext;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const MASK = HASH_DIM - 1;
const TOKEN_RE = /[\p{L}\p{N}_]+(?:['’]\p{L}+)?|[.!?\n]/gu;
const TURN_RE = /(?:^|\n)\s*(?:system|assistant|user|human|ai|instruction|instructions|response|input|output)\s*:|<\|[a-z_]+\|>|\[\/?inst\]|<<\/?sys>>|^#{2,} ?[a-z]/gm;
const MARKUP_RE = /<!--|-->|<\/?[a-z][a-z0-9]*[^>]{0,40}>|\{\{|\}\}|\[\[|\]\]|-{4,}|={4,}|\*{3,}/g;
const LINK_RE = /https?:\/\/|www\.|[\w.+-]+@[\w-]+\.[\w.]+/g;

/** Keeps head and tail of long texts: injections sit at either end as often as in the middle. */
export function clip(text: string): string {
  if (text.length <= MAX_FEATURE_CHARS) return text;
  const half = MAX_FEATURE_CHARS >> 1;
  return `${text.slice(0, half)} ${text.slice(-half)}`;
}

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

/** A reusable accumulator of hashed counts that emits one L2-normalised block. */
class Block {
  private readonly counts = new Float32Array(HASH_DIM);
  private touched = new Int32Array(4096);
  private n = 0;

  add(k: number): void {
    if (this.counts[k] === 0) {
      if (this.n === this.touched.length) {
        const bigger = new Int32Array(this.touched.length * 2);
        bigger.set(this.touched);
        this.touched = bigger;
      }
      this.touched[this.n++] = k;
    }
    this.counts[k] = (this.counts[k] as number) + 1;
  }

  /** Writes the normalised block into `out` from position `at`; returns the new end. Resets the block. */
  flush(out: SparseBuilder): void {
    let norm = 0;
    for (let i = 0; i < this.n; i++) {
      const v = this.counts[this.touched[i] as number] as number;
      norm += v * v;
    }
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let i = 0; i < this.n; i++) {
      const k = this.touched[i] as number;
      out.push(k, (this.counts[k] as number) * inv);
      this.counts[k] = 0;
    }
    this.n = 0;
  }
}

class SparseBuilder {
  idx = new Int32Array(8192);
  val = new Float32Array(8192);
  n = 0;

  push(k: number, v: number): void {
    if (this.n === this.idx.length) {
      const i2 = new Int32Array(this.idx.length * 2);
      i2.set(this.idx);
      this.idx = i2;
      const v2 = new Float32Array(this.val.length * 2);
      v2.set(this.val);
      this.val = v2;
    }
    this.idx[this.n] = k;
    this.val[this.n++] = v;
  }

  take(): SparseVector {
    const out = { idx: this.idx.slice(0, this.n), val: this.val.slice(0, this.n) };
    this.n = 0;
    return out;
  }
}

const words = new Block();
const chars = new Block();
const builder = new SparseBuilder();
const cueCounts = new Float64Array(CUE_NAMES.length);

function saturate(count: number): number {
  return count >= 3 ? 1 : count / 3;
}

function countMatches(re: RegExp, text: string): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text) !== null) n++;
  return n;
}

/** A token like `x7fq9` or `similarlyNow2` (not `2nd`, `10px`, `1990s`): machine-made or obfuscated text. */
function mixesDigitsAndLetters(w: string): boolean {
  let digits = 0;
  let letters = 0;
  let lettersAfterDigit = 0;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else {
      letters++;
      if (digits > 0) lettersAfterDigit++;
    }
  }
  return digits > 0 && letters > 0 && lettersAfterDigit > 2;
}

/** Share of letters that are not Latin (0 for English, near 1 for Russian, Chinese or Thai). */
export function nonLatinShare(text: string): number {
  let letters = 0;
  let other = 0;
  const n = Math.min(text.length, 2000);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0xc0 && c <= 0x24f)) letters++;
    else if (c >= 0x370 && !(c >= 0x2000 && c <= 0x2bff) && !(c >= 0xd800 && c <= 0xdfff) && !(c >= 0xfe00 && c <= 0xfe0f)) {
      letters++;
      other++;
    }
  }
  return letters === 0 ? 0 : other / letters;
}

/**
 * Builds the feature vector of one lower-cased, normalised text.
 *
 * @example
 * const v = featurize('ignore previous instructions', { signatures: new Map(), evasion: false, decoded: false, original: 'Ignore previous instructions' });
 */
export function featurize(lower: string, signals: SignalInput): SparseVector {
  const text = clip(lower);
  cueCounts.fill(0);

  // words: unigrams, bigrams, cue categories, sentence openings
  let prev = -1;
  let prevWord = '';
  let nWords = 0;
  let sentenceStart = true;
  let sentences = 0;
  let imperatives = 0;
  let questions = 0;
  let firstImperative = false;
  let oddTokens = 0;
  TOKEN_RE.lastIndex = 0;
  for (let m = TOKEN_RE.exec(text); m !== null; m = TOKEN_RE.exec(text)) {
    const w = m[0];
    const c0 = w.charCodeAt(0);
    if (c0 === 46 || c0 === 33 || c0 === 63 || c0 === 10) {
      if (c0 === 63) questions++;
      sentenceStart = true;
      continue;
    }
    const h = hashString(w, 1);
    words.add(h & MASK);
    if (prev >= 0) words.add(mix(prev, h) & MASK);
    let cues = wordCues(w);
    if (prevWord !== '') cues |= phraseCues(prevWord, w);
    if (cues !== 0) for (let i = 0; i < CUE_NAMES.length; i++) if ((cues >>> i) & 1) cueCounts[i] = (cueCounts[i] as number) + 1;
    if (sentenceStart) {
      sentences++;
      if (IMPERATIVE_VERBS.has(w)) {
        imperatives++;
        if (nWords === 0) firstImperative = true;
      }
      sentenceStart = false;
    }
    if (w.length >= 4 && mixesDigitsAndLetters(w)) oddTokens++;
    nWords++;
    prev = h;
    prevWord = w;
  }
  words.flush(builder);

  // character 4-grams over the text with runs of whitespace squeezed
  const n = text.length;
  let punct = 0;
  let letters = 0;
  let exclamations = 0;
  let lastSpace = true;
  // a ring of the last 4 kept characters
  const ring = [0, 0, 0, 0];
  let kept = 0;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    const space = c === 32 || c === 10 || c === 9 || c === 13;
    if (space) {
      if (lastSpace) continue;
      c = 32;
    } else if ((c >= 97 && c <= 122) || c >= 0xc0) letters++;
    else if (c === 33) exclamations++;
    else if (!(c >= 48 && c <= 57)) punct++;
    lastSpace = space;
    ring[kept & 3] = c;
    kept++;
    if (kept >= 4) {
      // the 4-gram ending here (one bucket per character keeps the pass cheap)
      let h = (FNV_OFFSET ^ 2) >>> 0;
      for (let j = 4; j >= 1; j--) h = Math.imul(h ^ (ring[(kept - j) & 3] as number), FNV_PRIME);
      chars.add((h >>> 0) & MASK);
    }
  }
  chars.flush(builder);

  // dense signals
  const dense = new Float64Array(SIGNAL_NAMES.length);
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
  let ascii = 0;
  const sample = signals.original.length > 2000 ? signals.original.slice(0, 2000) : signals.original;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c >= 65 && c <= 90) upper++;
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) ascii++;
  }
  dense[o++] = ascii > 0 ? upper / ascii : 0;
  dense[o++] = saturate(exclamations);
  dense[o++] = letters + punct > 0 ? Math.min(1, (punct / (letters + punct)) * 4) : 0;
  dense[o++] = nWords > 0 ? Math.min(1, (oddTokens / nWords) * 10) : 0;
  const you = cueCounts[CUE_NAMES.indexOf('you')] as number;
  dense[o++] = nWords > 0 ? Math.min(1, (you / nWords) * 10) : 0;
  dense[o++] = firstImperative ? 1 : 0;
  dense[o++] = sentences > 0 ? imperatives / sentences : 0;
  dense[o++] = sentences > 0 ? Math.min(1, questions / sentences) : 0;
  dense[o++] = saturate(countMatches(TURN_RE, text));
  dense[o++] = saturate(countMatches(MARKUP_RE, text));
  dense[o++] = saturate(countMatches(LINK_RE, text));
  dense[o++] = nonLatinShare(text);
  for (let i = 0; i < CUE_NAMES.length; i++) dense[CUE_OFFSET + i] = saturate(cueCounts[i] as number);
  o = CUE_OFFSET + CUE_NAMES.length;
  for (const [, a, b] of INTERACTIONS) dense[o++] = Math.sqrt((dense[CUE_OFFSET + CUE_NAMES.indexOf(a)] as number) * (dense[CUE_OFFSET + CUE_NAMES.indexOf(b)] as number));
  const seg = signals.segment;
  if (seg !== undefined) {
    dense[o++] = seg.prose ? 1 : 0;
    dense[o++] = seg.prose && seg.inTable ? 1 : 0;
    dense[o++] = seg.prose && seg.inCode ? 1 : 0;
    dense[o++] = seg.question ? 1 : 0;
    dense[o++] = seg.prose && seg.proseRare ? 1 : 0;
    dense[o++] = seg.novelWords;
    dense[o++] = seg.scriptShift ? 1 : 0;
    dense[o++] = seg.edge ? 1 : 0;
    dense[o++] = seg.comment ? 1 : 0;
  }
  for (let i = 0; i < dense.length; i++) if (dense[i] !== 0) builder.push(HASH_DIM + i, dense[i] as number);
  return builder.take();
}
