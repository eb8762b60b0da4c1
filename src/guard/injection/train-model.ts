/**
 * Loads labelled rows and trains the full model (both heads), returning its serialised form.
 * Used by scripts/train-guard.ts and by the evaluation (which trains on folds).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { FEATURE_DIM, HASH_DIM, SIGNAL_NAMES } from './features.js';
import { serializeHead, type SerializedModel } from './model.js';
import { DEFAULT_TRAIN_OPTIONS, documentExamples, promptExamples, trainLogistic, type LabelledRow, type TrainOptions } from './training.js';
import type { LinearModel } from './linear.js';

/** Chosen by eval/guard/select-model.ts on an inner validation split (best balanced accuracy, fewest hard-negative false positives). */
export const DEFAULT_THRESHOLD = 0.6;

const rowSchema = z.object({
  text: z.string(),
  label: z.union([z.literal(0), z.literal(1)]),
  category: z.string(),
  source: z.string().optional(),
});

/**
 * Reads a `.jsonl` file, or every `*.jsonl` file of a directory; `source` is the file's base name.
 * Sorted for determinism.
 */
export function loadRows(path: string): LabelledRow[] {
  const rows: LabelledRow[] = [];
  const files = statSync(path).isDirectory()
    ? readdirSync(path).filter((f) => f.endsWith('.jsonl')).sort().map((f) => join(path, f))
    : [path];
  for (const full of files) {
    const file = basename(full);
    const source = file.replace(/\.jsonl$/, '');
    const lines = readFileSync(full, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const parsed = rowSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${file}:${i + 1}: not a labelled row`);
      rows.push({ text: parsed.data.text, label: parsed.data.label, category: parsed.data.category, source });
    });
  }
  return rows;
}

export interface TrainedHeads {
  prompt: LinearModel;
  document: LinearModel;
}

export interface ModelTrainOptions {
  train: TrainOptions;
  benignChatWeight: number;
  includeDocuments: boolean;
  hardNegativeWeight: number;
  /** Overrides for the document head (it sees many near-duplicate short segments). */
  documentTrain: Partial<TrainOptions>;
}

export const DEFAULT_MODEL_TRAIN_OPTIONS: ModelTrainOptions = { train: DEFAULT_TRAIN_OPTIONS, benignChatWeight: 0.2, includeDocuments: false, hardNegativeWeight: 5, documentTrain: {} };

export function trainHeads(rows: readonly LabelledRow[], opts: ModelTrainOptions = DEFAULT_MODEL_TRAIN_OPTIONS): TrainedHeads {
  const prompt = trainLogistic(promptExamples(rows, opts), opts.train);
  const document = trainLogistic(documentExamples(rows, { benignChatWeight: opts.benignChatWeight }), { ...opts.train, ...opts.documentTrain, seed: opts.train.seed + 1 });
  return { prompt, document };
}

export function serializeModel(heads: TrainedHeads, rows: readonly LabelledRow[], seed: number, threshold = DEFAULT_THRESHOLD): SerializedModel {
  const trainedOn: Record<string, number> = {};
  for (const r of rows) trainedOn[r.source] = (trainedOn[r.source] ?? 0) + 1;
  if (heads.prompt.weights.length !== FEATURE_DIM) throw new Error('unexpected weight count');
  return {
    format: 'warden-guard-injection/1',
    hashDim: HASH_DIM,
    signalNames: SIGNAL_NAMES,
    threshold,
    prompt: serializeHead(heads.prompt),
    document: serializeHead(heads.document),
    trainedOn,
    seed,
  };
}
