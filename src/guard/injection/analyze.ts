/**
 * The shared front half of detection and training: normalise, lower-case, match signatures, decode
 * hidden segments, build feature vectors, and split documents into segments.
 */
import { decodeSegments, normalizeUnicode, type DecodedSegment } from '../normalize/index.js';
import { featurize, nonLatinShare, type SegmentContext, type SparseVector } from './features.js';
import { matchSignatures, type SignatureFamily } from './signatures.js';

export function matchesAnySignature(text: string): boolean {
  return matchSignatures(normalizeUnicode(text).text.toLowerCase()).size > 0;
}

export interface AnalyzedText {
  text: string;
  lower: string;
  evasions: string[];
  signatures: Map<SignatureFamily, number>;
  decoded: DecodedSegment[];
}

/** Normalises one text and collects its signals; `decode: false` skips decoding (for decoded text). */
export function analyzeText(raw: string, decode = true): AnalyzedText {
  const norm = normalizeUnicode(raw);
  const lower = norm.text.toLowerCase();
  return {
    text: norm.text,
    lower,
    evasions: norm.evasions,
    signatures: matchSignatures(lower),
    decoded: decode ? decodeSegments(norm.text) : [],
  };
}

/** A document segment: a piece of an already normalised text (no second normalisation, no decoding). */
export interface DocumentSegment {
  analyzed: AnalyzedText;
  context: SegmentContext;
}

/**
 * Splits a normalised document into segments and analyses each. Signatures are matched per segment only
 * when the whole document matched one (a regex that matches a piece of the text matches the text).
 */
export function documentSegments(whole: AnalyzedText): DocumentSegment[] {
  const segments = segmentDocument(whole.text);
  const contexts = segmentContexts(segments);
  const anySignature = whole.signatures.size > 0;
  return segments.map((text, i) => {
    const lower = text.toLowerCase();
    return {
      analyzed: { text, lower, evasions: whole.evasions, signatures: anySignature ? matchSignatures(lower) : new Map(), decoded: [] },
      context: contexts[i] as SegmentContext,
    };
  });
}

export function vectorOf(a: AnalyzedText, segment?: SegmentContext): SparseVector {
  return featurize(a.lower, { signatures: a.signatures, evasion: a.evasions.length > 0, decoded: a.decoded.length > 0, original: a.text, segment });
}

const TABLE_RE = /^\|.*\|$|\t.*\t/;
const CODE_RE = /[;{}()=]|^(?:import|from|def|class|return|const|let|var|function|public|private|#include|>>>)\b/;
const QUESTION_RE = /\?\s*$|^(?:what|who|whom|whose|which|when|where|why|how|can you|could you|would you|is|are|do|does|did|wie|was|wer|warum|kannst du|können sie)\b/i;

/** True for natural-language prose: words, no table pipes, no code punctuation. */
export function isProse(seg: string): boolean {
  if (seg.includes('|') || TABLE_RE.test(seg) || CODE_RE.test(seg)) return false;
  const words = seg.match(/\p{L}{2,}/gu);
  return words !== null && words.length >= 3;
}

const COMMENT_RE = /^(?:<!--|\/\/|#(?!#)|\/\*|\*\s|--\s|;\s)/;
const CONTENT_WORD_RE = /\p{L}{4,}/gu;

/** Describes each segment's place in its document (prose inside a table or code is out of place). */
export function segmentContexts(segments: readonly string[]): SegmentContext[] {
  let table = 0;
  let code = 0;
  const prose = segments.map(isProse);
  segments.forEach((s) => {
    if (TABLE_RE.test(s)) table++;
    else if (CODE_RE.test(s)) code++;
  });
  const n = Math.max(1, segments.length);
  const inTable = table / n >= 0.5;
  const inCode = !inTable && code / n >= 0.3;
  const proseRare = prose.filter(Boolean).length / n < 0.2;
  // Words of each segment, and in how many segments each word occurs: an inserted instruction uses
  // words the rest of its document never does.
  const wordsOf = segments.map((s) => new Set((s.toLowerCase().match(CONTENT_WORD_RE) ?? []).slice(0, 200)));
  const segmentsWith = new Map<string, number>();
  for (const ws of wordsOf) for (const w of ws) segmentsWith.set(w, (segmentsWith.get(w) ?? 0) + 1);
  const scripts = segments.map(nonLatinShare);
  const lengths = segments.map((s) => s.length);
  const totalLength = lengths.reduce((a, b) => a + b, 0);
  const docScript = totalLength > 0 ? scripts.reduce((a, sc, i) => a + sc * (lengths[i] as number), 0) / totalLength : 0;
  return segments.map((s, i) => {
    const ws = wordsOf[i] as Set<string>;
    let novel = 0;
    for (const w of ws) if ((segmentsWith.get(w) ?? 0) <= 1) novel++;
    return {
      prose: prose[i] as boolean,
      inTable,
      inCode,
      question: QUESTION_RE.test(s.trim()),
      proseRare,
      novelWords: segments.length > 1 && ws.size > 0 ? novel / ws.size : 0,
      scriptShift: segments.length > 1 && Math.abs((scripts[i] as number) - docScript) > 0.5,
      edge: segments.length > 2 && (i === 0 || i === segments.length - 1),
      comment: COMMENT_RE.test(s),
    };
  });
}

export const MIN_SEGMENT_CHARS = 12;
export const MAX_SEGMENT_CHARS = 400;
export const MAX_SEGMENTS_PER_DOCUMENT = 400;

/**
 * Splits a document into the units an inserted instruction would occupy: lines, and sentences of long
 * lines. Very short segments are dropped; at most MAX_SEGMENTS_PER_DOCUMENT are kept (head and tail).
 *
 * @example
 * segmentDocument('| a | b |\nRemove spaces from your response.') // ['| a | b |', 'Remove spaces from your response.']
 */
export function segmentDocument(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n|\|(?=CONTENT:)/)) {
    const t = line.trim();
    if (t.length < MIN_SEGMENT_CHARS) continue;
    if (t.length <= MAX_SEGMENT_CHARS) {
      out.push(t);
      continue;
    }
    let buf = '';
    for (const s of t.split(/(?<=[.!?;])\s+/)) {
      if (buf.length + s.length > MAX_SEGMENT_CHARS && buf.length > 0) {
        out.push(buf);
        buf = '';
      }
      buf = buf.length > 0 ? `${buf} ${s}` : s;
    }
    if (buf.length >= MIN_SEGMENT_CHARS) out.push(buf.slice(0, MAX_SEGMENT_CHARS * 2));
  }
  if (out.length <= MAX_SEGMENTS_PER_DOCUMENT) return out;
  const half = MAX_SEGMENTS_PER_DOCUMENT >> 1;
  return [...out.slice(0, half), ...out.slice(-half)];
}
