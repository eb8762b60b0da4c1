/**
 * PERSON and ADDRESS findings from the trained tagger. Only windows around cue tokens are tagged: a capitalised
 * word that is not a common word and is in one of the word lists or stands next to another capitalised word, a
 * title or a number; or a number next to a capitalised word. A window reaches three tokens either side
 * (neighbours are features) and windows that touch are merged. Prose without names costs one tokenisation.
 *
 * @example
 * const out: DlpFinding[] = [];
 * detectNamesAndAddresses(model, 'Send it to Maria Lopez at 12 Calle Mayor, Madrid.', out);
 */
import type { DlpFinding } from '../types.js';
import { featuresInto, FEATURES_PER_TOKEN, fillTokenInfo, STOP_WORDS, type TokenInfo } from './features.js';
import { fnv1a } from './gazetteer.js';
import type { TaggerModel } from './model.js';
import { tokenize } from './tokens.js';

const REACH = 3;
const TITLE_WORDS = new Set(['mr', 'mrs', 'ms', 'miss', 'dr', 'prof', 'sir', 'herr', 'frau', 'mme', 'sr', 'sra']);

/** 0: nothing, 1: a digit, 2: a capital letter (any script with case). */
function initial(text: string, s: number): number {
  const c = text.charCodeAt(s);
  if (c >= 48 && c <= 57) return 1;
  if (c >= 65 && c <= 90) return 2;
  if (c < 0xc0) return 0;
  const ch = text[s]!;
  return ch !== ch.toLowerCase() ? 2 : 0;
}

export function detectNamesAndAddresses(model: TaggerModel, text: string, out: DlpFinding[], confidence = 0.7): void {
  const tokens = tokenize(text);
  const n = tokens.count;
  const kind = new Uint8Array(n);
  for (let i = 0; i < n; i++) kind[i] = initial(text, tokens.start[i]!);
  const { names, places, streets } = model.lexicon;
  // Windows [from, to) of tokens around cues.
  const windows: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = kind[i]!;
    if (k === 0) continue;
    const near = (j: number): number => (j >= 0 && j < n ? kind[j]! : 0);
    if (k === 1) {
      if (near(i - 1) !== 2 && near(i + 1) !== 2) continue;
    } else {
      const lower = text.slice(tokens.start[i]!, tokens.end[i]!).toLowerCase();
      if (STOP_WORDS.has(lower) || lower === 'i') continue;
      const h = fnv1a(lower);
      const prevTitle = i > 0 && TITLE_WORDS.has(text.slice(tokens.start[i - 1]!, tokens.end[i - 1]!).toLowerCase());
      if (!(names.hasHash(h) || places.hasHash(h) || streets.hasHash(h) || near(i - 1) !== 0 || near(i + 1) !== 0 || prevTitle)) continue;
    }
    const from = Math.max(0, i - REACH);
    const to = Math.min(n, i + REACH + 1);
    const last = windows.length - 1;
    if (last > 0 && from <= windows[last]!) windows[last] = to;
    else windows.push(from, to);
  }
  if (windows.length === 0) return;
  const info: TokenInfo = { word: new Int32Array(n), prefix: new Int32Array(n), suffix: new Int32Array(n), shape: new Int32Array(n), flags: new Int32Array(n) };
  for (let w = 0; w < windows.length; w += 2) {
    const from = windows[w]!;
    const to = windows[w + 1]!;
    // Features read two tokens beyond the window.
    fillTokenInfo(info, text, tokens, model.lexicon, Math.max(0, from - 2), Math.min(n, to + 2));
    const features = new Int32Array((to - from) * FEATURES_PER_TOKEN);
    featuresInto(info, n, from, to, features);
    const labels = model.decode(features, to - from);
    let spanStart = -1;
    let type: 'PERSON' | 'ADDRESS' = 'PERSON';
    let spanEnd = -1;
    const flush = (): void => {
      if (spanStart >= 0) out.push({ type, start: spanStart, end: spanEnd, confidence, detector: 'pii.tagger' });
      spanStart = -1;
    };
    for (let t = 0; t < labels.length; t++) {
      const y = labels[t]!;
      const i = from + t;
      if (y === 1 || y === 3) {
        flush();
        spanStart = tokens.start[i]!;
        spanEnd = tokens.end[i]!;
        type = y === 1 ? 'PERSON' : 'ADDRESS';
      } else if (y === 2 || y === 4) spanEnd = tokens.end[i]!;
      else flush();
    }
    flush();
  }
}
