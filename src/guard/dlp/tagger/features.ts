/**
 * Features of one token for the name and address tagger, hashed into a fixed number of buckets: the word, its
 * prefix and suffix, its shape (`Xxxx`, `dd`, `X.`), flags (capitalised, a number, in the first-name or place
 * list, a street word, a title, a unit word, a common word, at a sentence start, after a line break), and the
 * same for its neighbours. Training and inference call the same code, so they cannot drift apart.
 *
 * @example
 * const f = tokenFeatures(text, tokenize(text), lexicon);
 * f.ids.subarray(i * FEATURES_PER_TOKEN, (i + 1) * FEATURES_PER_TOKEN) // bucket ids of token i
 */
import { fnv1a, type Gazetteer } from './gazetteer.js';
import type { Tokens } from './tokens.js';

export const BUCKET_BITS = 16;
export const BUCKETS = 1 << BUCKET_BITS;
export const LABELS = ['O', 'B-PERSON', 'I-PERSON', 'B-ADDRESS', 'I-ADDRESS'] as const;
export const LABEL_COUNT = LABELS.length;

export interface Lexicon {
  /** Given names and surnames (lower case). */
  names: Gazetteer;
  /** Cities, regions and countries (lower case). */
  places: Gazetteer;
  /** Street types and their abbreviations in several languages (lower case). */
  streets: Gazetteer;
}

/** Flag bits of a token. */
export const F = {
  CAP: 1, ALLCAPS: 2, NUMBER: 4, HASDIGIT: 8, NAME: 16, PLACE: 32, STREET: 64, TITLE: 128, UNIT: 256, PUNCT: 512,
  SENT_START: 1024, NEWLINE: 2048, STOP: 4096, SHORT: 8192, COMMA: 16384, ACCENT: 32768, POSSESSIVE: 65536,
} as const;
const FLAG_BITS = 17;

const TITLES = new Set(['mr', 'mrs', 'ms', 'miss', 'dr', 'prof', 'sir', 'madam', 'herr', 'frau', 'mme', 'mlle', 'sr', 'sra', 'srta', 'dott', 'ing', 'mx', 'lady', 'lord']);
const UNITS = new Set(['apt', 'apartment', 'suite', 'ste', 'unit', 'floor', 'fl', 'room', 'rm', 'bldg', 'building', 'po', 'box', 'no', 'nr', 'flat', 'wohnung', 'piso', 'étage']);
/** Common words that start sentences or fill them: a capital on one of these is not a name cue. */
export const STOP_WORDS = new Set(
  ('a an the this that these those it its i me my we our you your he him his she her they them their there here what which who whom whose ' +
    'when where why how all any both each few more most other some such no nor not only own same so than too very can will just should now ' +
    'is are was were be been being have has had having do does did doing would could might must shall may and but if or because as until while ' +
    'of at by for with about against between into through during before after above below to from up down in out on off over under again further ' +
    'then once also please thanks thank hello hi dear yes ok okay new one two three first last next today tomorrow yesterday monday tuesday ' +
    'wednesday thursday friday saturday sunday january february march april june july august september october november december ' +
    'le la les un une des du de et est il elle der die das ein eine und ist el los las y en con por para il lo gli della di e che')
    .split(' '),
);

/** Lower-cased token text. */
function lowerOf(text: string, s: number, e: number): string {
  return text.slice(s, e).toLowerCase();
}

/** X, x, d or the character itself; ASCII by code, other letters by case mapping. */
function shapeClass(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 97 && c <= 122) return 120; // x
  if (c >= 65 && c <= 90) return 88; // X
  if (c >= 48 && c <= 57) return 100; // d
  if (c < 0xc0) return c;
  const ch = text[i]!;
  const lower = ch.toLowerCase();
  return lower === ch.toUpperCase() ? c : ch === lower ? 120 : 88;
}

/** Hash of the compressed shape: letters to X/x, digits to d, runs capped at two (`Smith` -> `Xxx`). */
function shapeHash(text: string, s: number, e: number): number {
  let h = 0x811c9dc5;
  let last = -1;
  let run = 0;
  for (let i = s; i < e && i < s + 24; i++) {
    const k = shapeClass(text, i);
    if (k === last) {
      if (++run > 2) continue;
    } else run = 1;
    last = k;
    h = Math.imul(h ^ k, 0x01000193);
  }
  return h >>> 0;
}

export interface TokenInfo {
  word: Int32Array;
  prefix: Int32Array;
  suffix: Int32Array;
  shape: Int32Array;
  flags: Int32Array;
}

/** Word facts of every token. */
export function tokenInfo(text: string, tokens: Tokens, lexicon: Lexicon): TokenInfo {
  const n = tokens.count;
  const info: TokenInfo = { word: new Int32Array(n), prefix: new Int32Array(n), suffix: new Int32Array(n), shape: new Int32Array(n), flags: new Int32Array(n) };
  fillTokenInfo(info, text, tokens, lexicon, 0, n);
  return info;
}

const hashes = (words: Iterable<string>): Set<number> => new Set(Array.from(words, fnv1a));
const TITLE_HASHES = hashes(TITLES);
const UNIT_HASHES = hashes(UNITS);
const STOP_HASHES = hashes(STOP_WORDS);

/** Whether the lower-cased token is in `words`: the hash set rules out most tokens before a string is made. */
function listed(text: string, s: number, e: number, h: number, hashSet: Set<number>, words: Set<string>): boolean {
  return hashSet.has(h) && words.has(text.slice(s, e).toLowerCase());
}

/** FNV-1a of the lower-cased ASCII characters [s, e). */
function asciiLowerHash(text: string, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    h = Math.imul(h ^ (c >= 65 && c <= 90 ? c + 32 : c), 0x01000193);
  }
  return h >>> 0;
}

/** Flags that do not depend on the word's case or script. */
function contextFlags(text: string, tokens: Tokens, i: number, s: number, e: number): number {
  let f = 0;
  if (e - s <= 2) f |= F.SHORT;
  if (tokens.newline[i]) f |= F.NEWLINE;
  const prev = i > 0 ? text.charCodeAt(tokens.start[i - 1]!) : 46;
  if (i === 0 || prev === 46 || prev === 33 || prev === 63 || tokens.newline[i]) f |= F.SENT_START;
  return f;
}

/**
 * Word facts of an ASCII token, computed over its characters (most tokens of mixed text): the same values as
 * the general path below, without making strings.
 */
function asciiTokenInfo(info: TokenInfo, text: string, tokens: Tokens, lexicon: Lexicon, i: number, s: number, e: number): void {
  const h = asciiLowerHash(text, s, e);
  info.word[i] = h;
  info.prefix[i] = asciiLowerHash(text, s, Math.min(e, s + 3));
  info.suffix[i] = asciiLowerHash(text, Math.max(s, e - 3), e);
  info.shape[i] = shapeHash(text, s, e);
  const c = text.charCodeAt(s);
  const upperFirst = c >= 65 && c <= 90;
  const letter = upperFirst || (c >= 97 && c <= 122);
  const digit = c >= 48 && c <= 57;
  let f = contextFlags(text, tokens, i, s, e);
  if (upperFirst) f |= F.CAP;
  if (letter && e - s > 1) {
    let lower = false;
    for (let k = s; k < e && !lower; k++) {
      const d = text.charCodeAt(k);
      lower = d >= 97 && d <= 122;
    }
    if (!lower) f |= F.ALLCAPS;
  }
  if (digit) {
    let all = true;
    for (let k = s + 1; k < e && all; k++) {
      const d = text.charCodeAt(k);
      all = d >= 48 && d <= 57;
    }
    f |= all ? F.NUMBER : F.HASDIGIT;
  }
  if (letter && lexicon.names.hasHash(h)) f |= F.NAME;
  if (letter && lexicon.places.hasHash(h)) f |= F.PLACE;
  if (letter && lexicon.streets.hasHash(h)) f |= F.STREET;
  if (listed(text, s, e, h, TITLE_HASHES, TITLES)) f |= F.TITLE;
  if (listed(text, s, e, h, UNIT_HASHES, UNITS) || (e - s === 1 && c === 35)) f |= F.UNIT;
  if (!letter && !digit) f |= F.PUNCT;
  if (c === 44) f |= F.COMMA;
  if (listed(text, s, e, h, STOP_HASHES, STOP_WORDS)) f |= F.STOP;
  if (e - s >= 2 && text.charCodeAt(e - 2) === 39 && (text.charCodeAt(e - 1) | 32) === 115) f |= F.POSSESSIVE;
  info.flags[i] = f;
}

function isAscii(text: string, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (text.charCodeAt(i) >= 128) return false;
  return true;
}

/** Word facts of tokens [from, to) into `info` (the detector fills only the windows it tags). */
export function fillTokenInfo(info: TokenInfo, text: string, tokens: Tokens, lexicon: Lexicon, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const s = tokens.start[i]!;
    const e = tokens.end[i]!;
    if (isAscii(text, s, e)) {
      asciiTokenInfo(info, text, tokens, lexicon, i, s, e);
      continue;
    }
    const lower = lowerOf(text, s, e);
    const h = fnv1a(lower);
    info.word[i] = h;
    info.prefix[i] = fnv1a(lower.slice(0, 3));
    info.suffix[i] = fnv1a(lower.slice(-3));
    info.shape[i] = shapeHash(text, s, e);
    const c = text.charCodeAt(s);
    const upperFirst = text[s]! !== text[s]!.toLowerCase();
    const letter = text[s]!.toUpperCase() !== text[s]!.toLowerCase();
    let f = contextFlags(text, tokens, i, s, e);
    if (upperFirst) f |= F.CAP;
    if (letter && e - s > 1 && lower.toUpperCase() === text.slice(s, e)) f |= F.ALLCAPS;
    if (c >= 48 && c <= 57) f |= /^\d+$/.test(lower) ? F.NUMBER : F.HASDIGIT;
    if (letter && lexicon.names.hasHash(h)) f |= F.NAME;
    if (letter && lexicon.places.hasHash(h)) f |= F.PLACE;
    if (letter && lexicon.streets.hasHash(h)) f |= F.STREET;
    if (TITLES.has(lower)) f |= F.TITLE;
    if (UNITS.has(lower) || lower === '#') f |= F.UNIT;
    if (!letter && !(c >= 48 && c <= 57)) f |= F.PUNCT;
    if (c === 44) f |= F.COMMA;
    if (STOP_WORDS.has(lower)) f |= F.STOP;
    if (/[\u00c0-\u024f]/.test(lower)) f |= F.ACCENT;
    if (/['’]s$/.test(lower)) f |= F.POSSESSIVE;
    info.flags[i] = f;
  }
}

/** Per token, this many feature ids. */
export const FEATURES_PER_TOKEN = 16 + FLAG_BITS + 3 * 8;

function mix(template: number, value: number): number {
  let x = Math.imul(template + 1, 0x9e3779b1) ^ value;
  x = Math.imul(x ^ (x >>> 15), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) & (BUCKETS - 1);
}

const NEIGHBOUR_FLAGS = [F.CAP, F.NUMBER, F.NAME, F.PLACE, F.STREET, F.TITLE, F.UNIT, F.STOP];
const BOUNDARY = 0x5bd1e995;

/** Feature ids of tokens [from, to) into `out` (FEATURES_PER_TOKEN per token, relative to `from`). */
export function featuresInto(info: TokenInfo, count: number, from: number, to: number, out: Int32Array): void {
  let k = 0;
  const at = (a: Int32Array, j: number): number => (j >= 0 && j < count ? a[j]! : BOUNDARY);
  for (let i = from; i < to; i++) {
    const fl = info.flags[i]!;
    out[k++] = mix(0, 0);
    out[k++] = mix(1, info.word[i]!);
    out[k++] = mix(2, info.prefix[i]!);
    out[k++] = mix(3, info.suffix[i]!);
    out[k++] = mix(4, info.shape[i]!);
    out[k++] = mix(5, at(info.word, i - 1));
    out[k++] = mix(6, at(info.word, i + 1));
    out[k++] = mix(7, at(info.shape, i - 1));
    out[k++] = mix(8, at(info.shape, i + 1));
    out[k++] = mix(9, Math.imul(at(info.shape, i - 1), 31) ^ info.shape[i]!);
    out[k++] = mix(10, at(info.shape, i - 2));
    out[k++] = mix(11, at(info.shape, i + 2));
    // Conjunctions a linear model cannot form itself: a capitalised listed name, a capitalised word after one.
    out[k++] = mix(12, fl & (F.CAP | F.NAME | F.PLACE | F.STOP | F.SENT_START));
    out[k++] = mix(13, (at(info.flags, i - 1) & (F.CAP | F.NAME | F.TITLE | F.NUMBER)) * 131 + (fl & (F.CAP | F.NAME | F.NUMBER)));
    out[k++] = mix(14, (fl & (F.CAP | F.NAME | F.NUMBER | F.STREET)) * 131 + (at(info.flags, i + 1) & (F.CAP | F.NAME | F.NUMBER | F.STREET | F.COMMA)));
    out[k++] = mix(15, Math.imul(at(info.word, i - 1), 31) ^ (fl & (F.CAP | F.NAME)));
    for (let b = 0; b < FLAG_BITS; b++) out[k++] = mix(20 + b, (fl >>> b) & 1);
    for (let d = 0; d < 3; d++) {
      const j = d === 0 ? i - 1 : d === 1 ? i + 1 : i + 2;
      const nf = j >= 0 && j < count ? info.flags[j]! : -1;
      for (let b = 0; b < NEIGHBOUR_FLAGS.length; b++) out[k++] = mix(40 + d * 10 + b, nf === -1 ? 2 : nf & NEIGHBOUR_FLAGS[b]! ? 1 : 0);
    }
  }
}
