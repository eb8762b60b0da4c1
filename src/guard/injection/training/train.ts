/**
 * Trains the model (both heads) from examples and returns it in its serialised form. Used by
 * scripts/train-guard.ts and by the evaluation (which trains one model per fold on a subset of rows).
 */
import { FEATURE_DIM, HASH_DIM, SIGNAL_NAMES } from '../features.js';
import type { LinearModel } from '../linear.js';
import { MODEL_FORMAT, serializeHead, type SerializedModel } from '../model.js';
import { selectExamples, type ExampleSet } from './examples.js';
import { DEFAULT_TRAIN_OPTIONS, trainLogistic, type TrainOptions } from './logistic.js';

/** Scores at or above these are flagged (chosen by leave-one-source-out, see docs/guard-injection.md). */
export const DEFAULT_THRESHOLD = 0.4;
export const DEFAULT_DOCUMENT_THRESHOLD = 0.9;

export interface TrainedHeads {
  prompt: LinearModel;
  document: LinearModel;
}

export interface ModelTrainOptions {
  prompt: TrainOptions;
  document: TrainOptions;
}

export const DEFAULT_MODEL_TRAIN_OPTIONS: ModelTrainOptions = {
  prompt: DEFAULT_TRAIN_OPTIONS,
  document: { ...DEFAULT_TRAIN_OPTIONS, seed: DEFAULT_TRAIN_OPTIONS.seed + 1 },
};

/** Trains both heads on the examples whose rows `keep` accepts (all of them by default). */
export function trainHeads(examples: ExampleSet, opts: ModelTrainOptions = DEFAULT_MODEL_TRAIN_OPTIONS, keep?: (row: number) => boolean): TrainedHeads {
  const pick = <T extends ExampleSet[keyof ExampleSet]>(xs: T): T => (keep ? (selectExamples(xs, keep) as T) : xs);
  return { prompt: trainLogistic(pick(examples.prompt), opts.prompt), document: trainLogistic(pick(examples.document), opts.document) };
}

export function serializeModel(heads: TrainedHeads, trainedOn: Record<string, number>, threshold = DEFAULT_THRESHOLD, documentThreshold = DEFAULT_DOCUMENT_THRESHOLD): SerializedModel {
  if (heads.prompt.weights.length !== FEATURE_DIM) throw new Error('unexpected weight count');
  return {
    format: MODEL_FORMAT,
    hashDim: HASH_DIM,
    signalNames: SIGNAL_NAMES,
    threshold,
    documentThreshold,
    prompt: serializeHead(heads.prompt),
    document: serializeHead(heads.document),
    trainedOn,
  };
}
