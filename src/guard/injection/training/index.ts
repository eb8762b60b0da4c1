/**
 * Training of the injection model: the public face for scripts/train-guard.ts, the evaluation and tests.
 * Reads files (names say so); never imported by the runtime detector.
 */
export { CORPUS_FOLDERS, DECLARED_ORIGINS, isDocumentCategory, missingCorpusFolders, readCorpusFromDisk, readRowsFromDisk, toCorpusRows, type CorpusRow, type LabelledRow } from './corpus.js';
export { buildExamples, cleanSegmentsOf, DEFAULT_EXAMPLE_OPTIONS, selectExamples, type ExampleOptions, type ExampleSet } from './examples.js';
export { balanced, DEFAULT_TRAIN_OPTIONS, trainLogistic, type Example, type TrainOptions } from './logistic.js';
export { prng } from '../../../core/index.js';
export { DEFAULT_MODEL_TRAIN_OPTIONS, DEFAULT_DOCUMENT_THRESHOLD, DEFAULT_THRESHOLD, serializeModel, trainHeads, type ModelTrainOptions, type TrainedHeads } from './train.js';
export { DEFAULT_ROWS_PER_SOURCE, SAMPLE_SEED, trainingSample } from './sample.js';
