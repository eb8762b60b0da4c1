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

/** fnv1a of the lower-cased token: computed over the characters for ASCII, by `toLowerCase` otherwise. */
function lowerHash(text: string, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < e; i++) {
    let c = text.charCodeAt(i);
    if (c >= 128) return fnv1a(text.slice(s, e).toLowerCase());
    if (c >= 65 && c <= 90) c += 32;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h >>> 0;
}

const hashes = (words: Iterable<string>): Set<number> => new Set(Array.from(words, fnv1a));
const STOP_HASHES = hashes(STOP_WORDS);
const TITLE_HASHES = hashes(TITLE_WORDS);

/** Whether the token's lower-cased text is in `words`; the hash set rules out most tokens without a string. */
function inSet(text: string, s: number, e: number, h: number, hashSet: Set<number>, words: Set<string>): boolean {
  return hashSet.has(h) && words.has(text.slice(s, e).toLowerCase());
}

export function detectNamesAndAddresses(model: TaggerModel, text: string, out: DlpFinding[], confidence = 0.7): void {
  const tokens = tokenize(text);
  const n = tokens.count;
  const kind = new Uint8Array(n + 1); // kind[n] = 0: the end has no neighbour
  for (let i = 0; i < n; i++) kind[i] = initial(text, tokens.start[i]!);
  const { names, places, streets } = model.lexicon;
  // Windows [from, to) of tokens around cues.
  const windows: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = kind[i]!;
    if (k === 0) continue;
    const neighbour = (i > 0 && kind[i - 1] !== 0) || kind[i + 1] !== 0;
    if (k === 1) {
      if ((i === 0 || kind[i - 1] !== 2) && kind[i + 1] !== 2) continue;
    } else {
      const s = tokens.start[i]!;
      const e = tokens.end[i]!;
      const h = lowerHash(text, s, e);
      if (inSet(text, s, e, h, STOP_HASHES, STOP_WORDS) || (e - s === 1 && (text.charCodeAt(s) | 32) === 105)) continue; // `I`
      if (!(neighbour || names.hasHash(h) || places.hasHash(h) || streets.hasHash(h))) {
        const ps = i > 0 ? tokens.start[i - 1]! : 0;
        const pe = i > 0 ? tokens.end[i - 1]! : 0;
        if (i === 0 || pe - ps > 4 || !inSet(text, ps, pe, lowerHash(text, ps, pe), TITLE_HASHES, TITLE_WORDS)) continue;
      }
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
