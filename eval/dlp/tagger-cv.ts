/**
 * PERSON and ADDRESS on sentence templates the tagger never saw: the synthetic sentences are grouped by their
 * `template_id`, the groups split into five folds (template ids hashed, not the rows), the tagger trained on
 * four and scored on the fifth. Span matching as in run.ts (overlap of at least half of the shorter span).
 */
import { trainTagger } from '../../src/guard/dlp/tagger/train.js';
import { detectNamesAndAddresses } from '../../src/guard/dlp/tagger/detect.js';
import type { DlpFinding } from '../../src/guard/dlp/index.js';
import { readLexiconFromPackages } from '../../scripts/dlp-lexicon.js';
import { readSynth, TAGGER_TRAINING } from '../../scripts/train-dlp-tagger.js';

const FOLDS = 5;

export interface TaggerCv {
  perType: Record<'PERSON' | 'ADDRESS', { tp: number; fp: number; fn: number; precision: number; recall: number; f1: number }>;
  folds: number;
  templates: number;
}

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  const inter = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  return inter > 0 && inter * 2 >= Math.min(a.end - a.start, b.end - b.start);
}

/** Fold of a template id: a fixed multiplicative hash, so folds do not follow the ids' order. */
export function foldOf(template: number): number {
  return (Math.imul(template + 1, 0x9e3779b1) >>> 0) % FOLDS;
}

export function taggerTemplateCv(): TaggerCv {
  const rows = readSynth();
  const lexicon = readLexiconFromPackages();
  const counts = { PERSON: { tp: 0, fp: 0, fn: 0 }, ADDRESS: { tp: 0, fp: 0, fn: 0 } };
  for (let fold = 0; fold < FOLDS; fold++) {
    const train = rows.filter((r) => foldOf(r.template) !== fold);
    const test = rows.filter((r) => foldOf(r.template) === fold);
    const model = trainTagger(train, lexicon, TAGGER_TRAINING);
    for (const r of test) {
      const out: DlpFinding[] = [];
      detectNamesAndAddresses(model, r.text, out);
      for (const type of ['PERSON', 'ADDRESS'] as const) {
        const gold = r.spans.filter((s) => s.type === type);
        const pred = out.filter((p) => p.type === type);
        const used = new Set<number>();
        for (const g of gold) {
          const i = pred.findIndex((p, k) => !used.has(k) && overlaps(p, g));
          if (i >= 0) {
            used.add(i);
            counts[type].tp++;
          } else counts[type].fn++;
        }
        counts[type].fp += pred.length - used.size;
      }
    }
  }
  const perType = {} as TaggerCv['perType'];
  for (const type of ['PERSON', 'ADDRESS'] as const) {
    const c = counts[type];
    const precision = c.tp / (c.tp + c.fp);
    const recall = c.tp / (c.tp + c.fn);
    perType[type] = { ...c, precision, recall, f1: (2 * precision * recall) / (precision + recall) };
  }
  return { perType, folds: FOLDS, templates: new Set(rows.map((r) => r.template)).size };
}
