/**
 * Personal names and postal addresses: a small tagger trained in-repo (see train.ts and
 * scripts/train-dlp-tagger.ts) whose weights ship in weights.generated.ts and are decoded on first use.
 *
 * @example
 * const out: DlpFinding[] = [];
 * detectPersonsAndAddresses('Ship to Anna Berg, 14 Rue Oberkampf, Paris', out); // PERSON, ADDRESS
 */
import type { DlpFinding } from '../types.js';
import { decodeModel } from './codec.js';
import { detectNamesAndAddresses } from './detect.js';
import type { TaggerModel } from './model.js';
import { TAGGER_WEIGHTS } from './weights.generated.js';

let model: TaggerModel | undefined;

/** PERSON and ADDRESS findings of the shipped model. */
export function detectPersonsAndAddresses(text: string, out: DlpFinding[]): void {
  model ??= decodeModel(TAGGER_WEIGHTS);
  detectNamesAndAddresses(model, text, out);
}

export { detectNamesAndAddresses } from './detect.js';
export { trainTagger, type LabelledSentence, type TrainOptions } from './train.js';
export { encodeModel, decodeModel, type EncodedModel } from './codec.js';
export { Gazetteer } from './gazetteer.js';
export { TaggerModel } from './model.js';
export type { Lexicon } from './features.js';
export { STOP_WORDS } from './features.js';
