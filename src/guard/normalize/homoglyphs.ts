/**
 * Confusable characters that NFKC leaves alone, folded to the Latin letter they imitate (a subset of
 * Unicode's confusables.txt for Cyrillic, Greek and a few symbols: the ones used to dodge keyword filters).
 */
const PAIRS: ReadonlyArray<readonly [string, string]> = [
  // Cyrillic lower case
  ['а', 'a'], ['в', 'b'], ['с', 'c'], ['е', 'e'], ['һ', 'h'], ['і', 'i'], ['ј', 'j'], ['к', 'k'], ['м', 'm'],
  ['н', 'h'], ['о', 'o'], ['р', 'p'], ['ԛ', 'q'], ['ѕ', 's'], ['т', 't'], ['у', 'y'], ['х', 'x'], ['ԝ', 'w'],
  ['ь', 'b'], ['ӏ', 'l'], ['ɡ', 'g'],
  // Cyrillic upper case
  ['А', 'A'], ['В', 'B'], ['С', 'C'], ['Е', 'E'], ['Н', 'H'], ['І', 'I'], ['Ј', 'J'], ['К', 'K'], ['М', 'M'],
  ['О', 'O'], ['Р', 'P'], ['Ѕ', 'S'], ['Т', 'T'], ['Х', 'X'], ['У', 'Y'], ['Ԝ', 'W'], ['Ӏ', 'I'],
  // Greek
  ['α', 'a'], ['ο', 'o'], ['ρ', 'p'], ['ν', 'v'], ['ι', 'i'], ['κ', 'k'], ['τ', 't'], ['υ', 'u'], ['ε', 'e'],
  ['Α', 'A'], ['Β', 'B'], ['Ε', 'E'], ['Ζ', 'Z'], ['Η', 'H'], ['Ι', 'I'], ['Κ', 'K'], ['Μ', 'M'], ['Ν', 'N'],
  ['Ο', 'O'], ['Ρ', 'P'], ['Τ', 'T'], ['Υ', 'Y'], ['Χ', 'X'],
  // Latin look-alikes and symbols
  ['ı', 'i'], ['ȷ', 'j'], ['ł', 'l'], ['ø', 'o'], ['ɑ', 'a'], ['ɩ', 'i'], ['ʏ', 'y'],
];

export const HOMOGLYPHS: ReadonlyMap<string, string> = new Map(PAIRS);

const CLASS = PAIRS.map(([k]) => k).join('');
const HOMOGLYPH_RE = new RegExp(`[${CLASS}]`, 'gu');
const WORD_RE = /[\p{L}\p{M}]+/gu;
const HAS_HOMOGLYPH_RE = new RegExp(`[${CLASS}]`, 'u');
const LATIN_RE = /\p{Script=Latin}/u;
const ONLY_CONFUSABLE_RE = new RegExp(`^[${CLASS}]+$`, 'u');

/**
 * Replaces confusable characters by their Latin look-alike, in words that mix them with Latin letters
 * or consist only of confusables; genuine Cyrillic or Greek words are left alone.
 *
 * @example
 * foldHomoglyphs('іgnоrе') // 'ignore' (Cyrillic і, о, е)
 * foldHomoglyphs('привет') // 'привет'
 */
export function foldHomoglyphs(text: string): string {
  // Linear: find words first, then look inside (a pattern with a class between two stars backtracks).
  if (!HAS_HOMOGLYPH_RE.test(text)) return text;
  return text.replace(WORD_RE, (word) =>
    HAS_HOMOGLYPH_RE.test(word) && (LATIN_RE.test(word) || ONLY_CONFUSABLE_RE.test(word))
      ? word.replace(HOMOGLYPH_RE, (ch) => HOMOGLYPHS.get(ch) ?? ch)
      : word,
  );
}
