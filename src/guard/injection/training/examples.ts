/**
 * Training examples of the two heads, built once per corpus (an evaluation reuses them in every fold).
 *
 * - prompt head: every prompt-mode row, scored whole;
 * - document head: the segments of documents. Positives are the segments of injected documents that occur
 *   in no clean document (the inserted instruction; the host's own text is not an attack) and that read as
 *   words (a payload's code lines look like any code), payload rows, and direct attacks (down-weighted);
 *   negatives are the segments of clean documents, of hard negatives, and of benign chat (down-weighted).
 */
import { analyzeText, documentSegments, segmentDocument, vectorOf, type DocumentSegment } from '../analyze.js';
import { normalizeUnicode } from '../../normalize/index.js';
import type { CorpusRow } from './corpus.js';
import type { Example } from './logistic.js';

export interface ExampleOptions {
  /** Weight of hard negatives (benign texts that use attack words) in both heads. */
  hardNegativeWeight: number;
  /** Weight of benign chat rows as negatives of the document head. */
  benignChatWeight: number;
  /** Weight of direct attacks (prompt rows) as positives of the document head. */
  attackAsDocumentWeight: number;
  /** Most segments taken from one clean document (evenly spaced): long documents would otherwise dominate. */
  maxBenignSegmentsPerDocument: number;
}

export const DEFAULT_EXAMPLE_OPTIONS: ExampleOptions = { hardNegativeWeight: 2, benignChatWeight: 0.2, attackAsDocumentWeight: 0.5, maxBenignSegmentsPerDocument: 8 };

export interface ExampleSet {
  prompt: Example[];
  document: Example[];
}

const WORDISH = /\p{L}{2,}/gu;

/** At least three words: a line of symbols, numbers or a bare identifier carries no instruction. */
function hasWords(s: string): boolean {
  WORDISH.lastIndex = 0;
  let n = 0;
  while (WORDISH.exec(s) !== null) if (++n >= 3) return true;
  return false;
}

function spaced<T>(xs: readonly T[], max: number): number[] {
  if (xs.length <= max) return xs.map((_, i) => i);
  return Array.from({ length: max }, (_, k) => Math.floor((k * xs.length) / max));
}

/**
 * Every segment of every clean document: the segments of an injected document that are not among these
 * are what was inserted. Pass the whole corpus's set when building examples from a sample of it (the host of
 * an injected document may not be in the sample).
 */
export function cleanSegmentsOf(rows: readonly CorpusRow[]): Set<string> {
  const out = new Set<string>();
  for (const r of rows) if (r.label === 0 && r.kind === 'document') for (const s of segmentDocument(normalizeUnicode(r.text).text)) out.add(s);
  return out;
}

/**
 * Builds the examples of both heads from `rows` (only those `include` marks, when given). Examples keep the
 * indices of the rows they came from, so one set serves every fold of an evaluation.
 */
export function buildExamples(rows: readonly CorpusRow[], opts: ExampleOptions = DEFAULT_EXAMPLE_OPTIONS, cleanSegments: ReadonlySet<string> = cleanSegmentsOf(rows), include?: readonly boolean[]): ExampleSet {
  const prompt: Example[] = [];
  const promptSeen = new Map<string, Example>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as CorpusRow;
    if (r.kind !== 'prompt' || (include && !include[i])) continue;
    const key = `${r.label}:${r.text}`;
    const dup = promptSeen.get(key);
    if (dup) {
      dup.rows.push(i);
      continue;
    }
    const ex: Example = { x: vectorOf(analyzeText(r.text)), y: r.label, w: r.category === 'benign-hard' ? opts.hardNegativeWeight : 1, rows: [i], origin: r.origin };
    promptSeen.set(key, ex);
    prompt.push(ex);
  }

  const document: Example[] = [];
  const seen = new Map<string, Example>();
  const add = (row: number, seg: DocumentSegment, y: 0 | 1, w: number): void => {
    const ctx = seg.context;
    const key = `${y}:${ctx.inTable ? 't' : ''}${ctx.inCode ? 'c' : ''}${ctx.scriptShift ? 's' : ''}:${seg.analyzed.text}`;
    const dup = seen.get(key);
    if (dup) {
      if (!dup.rows.includes(row)) dup.rows.push(row);
      return;
    }
    const ex: Example = { x: vectorOf(seg.analyzed, ctx), y, w, rows: [row], origin: (rows[row] as CorpusRow).origin };
    seen.set(key, ex);
    document.push(ex);
  };
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as CorpusRow;
    if (include && !include[i]) continue;
    const hard = r.category === 'benign-hard';
    const w = r.label === 0 ? (r.kind === 'document' || hard ? (hard ? opts.hardNegativeWeight : 1) : opts.benignChatWeight) : r.category === 'injection-document' || r.category === 'injection-payload' ? 1 : opts.attackAsDocumentWeight;
    if (w <= 0) continue;
    const segs = documentSegments(analyzeText(r.text, false));
    if (r.label === 0) {
      for (const k of spaced(segs, opts.maxBenignSegmentsPerDocument)) add(i, segs[k] as DocumentSegment, 0, w);
    } else {
      for (const seg of segs) {
        const text = seg.analyzed.text;
        if (!hasWords(text)) continue;
        // In an injected document only what was inserted is an attack, not the host's own text.
        if (r.category === 'injection-document' && cleanSegments.has(text)) continue;
        add(i, seg, 1, w);
      }
    }
  }
  return { prompt, document };
}

/** The examples a fold trains on: those with at least one row the fold keeps. */
export function selectExamples(examples: readonly Example[], keep: (row: number) => boolean): Example[] {
  return examples.filter((e) => e.rows.some(keep));
}
