/**
 * Leave-one-origin-out: for each origin (a source, or the sources built from the same upstream data), train
 * on every other origin and score the held-out rows with the detector the gateway runs. Training rows that
 * share text with the held-out origin (a 12-word run; see shared-text.ts) are dropped from that fold, so no
 * payload, template or base document is on both sides.
 */
import { createDetector, type InjectionModel } from '../../src/guard/injection/index.js';
import { trainHeads, type CorpusRow, type ExampleSet, type ModelTrainOptions } from '../../src/guard/injection/training/index.js';
import type { ScoredRow } from './metrics.js';

export interface Fold {
  origin: string;
  /** Rows of other origins dropped because they share text with this one. */
  purged: number;
  scored: ScoredRow[];
}

export interface LosoOptions {
  train: ModelTrainOptions;
  threshold: number;
  documentThreshold: number;
  /** Rows that may be trained on at all (the training sample); every row by default. */
  keep?: (row: number) => boolean;
  /** Hold out only these origins (all by default). */
  only?: readonly string[];
  /** Called after each fold (progress). */
  onFold?: (fold: Fold, seconds: number) => void;
}

/** Scores rows with a model, each in its scan mode; a detector that throws is an error, never "not flagged". */
export function scoreRows(model: InjectionModel, rows: readonly CorpusRow[], indices: readonly number[]): ScoredRow[] {
  const detect = createDetector(model);
  return indices.map((i) => {
    const r = rows[i] as CorpusRow;
    const res = detect(r.text, { kind: r.kind });
    return { row: i, source: r.source, origin: r.origin, category: r.category, label: r.label, score: res.score, flagged: res.flagged };
  });
}

export function leaveOneOriginOut(rows: readonly CorpusRow[], examples: ExampleSet, shared: ReadonlyArray<ReadonlySet<string>>, opts: LosoOptions): Fold[] {
  const origins = [...new Set(rows.map((r) => r.origin))].sort().filter((o) => opts.only === undefined || opts.only.includes(o));
  const folds: Fold[] = [];
  for (const origin of origins) {
    const started = Date.now();
    const keep = (i: number): boolean => (opts.keep?.(i) ?? true) && rows[i]?.origin !== origin && !(shared[i] as ReadonlySet<string>).has(origin);
    let purged = 0;
    rows.forEach((r, i) => {
      if (r.origin !== origin && (shared[i] as ReadonlySet<string>).has(origin)) purged++;
    });
    const heads = trainHeads(examples, opts.train, keep);
    const held = rows.flatMap((r, i) => (r.origin === origin ? [i] : []));
    const fold = { origin, purged, scored: scoreRows({ ...heads, threshold: opts.threshold, documentThreshold: opts.documentThreshold }, rows, held) };
    folds.push(fold);
    opts.onFold?.(fold, (Date.now() - started) / 1000);
  }
  return folds;
}
