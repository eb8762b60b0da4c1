import { foldHomoglyphs } from './homoglyphs.js';

/** Zero-width characters, soft hyphen, word joiners, BOM, Mongolian vowel separator, tag characters. */
const INVISIBLE_RE = /[\u00AD\u180E\u200B-\u200D\u2060-\u2064\uFEFF]|[\u{E0000}-\u{E007F}]/gu;
/** Bidirectional controls (embeddings, overrides, isolates, marks). */
const BIDI_RE = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** Other C0/C1 controls except tab, newline and carriage return. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
/** Combining marks piled up to disguise letters ("zalgo"). */
// eslint-disable-next-line no-misleading-character-class -- a class of lone combining marks, on purpose
const COMBINING_RE = /[\u0300-\u036F\u1AB0-\u1AFF\u1DC0-\u1DFF\u20D0-\u20FF\uFE20-\uFE2F]/g;
// eslint-disable-next-line no-misleading-character-class -- as above
const STACKED_MARKS_RE = /[\u0300-\u036F\u1AB0-\u1AFF\u1DC0-\u1DFF\u20D0-\u20FF\uFE20-\uFE2F]{3,}/;

export interface UnicodeNormalization {
  /** The normalised text. */
  text: string;
  /** Which evasion characters were found: `invisible`, `bidi`, `homoglyph`, `combining`. */
  evasions: string[];
}

/**
 * NFKC, then removes zero-width, bidi and control characters, strips leftover combining marks and
 * folds homoglyphs. Reports which of these changed the text (a signal in itself).
 *
 * @example
 * normalizeUnicode('ｉｇｎｏｒｅ\u200B all').text // 'ignore all'
 */
export function normalizeUnicode(input: string): UnicodeNormalization {
  const evasions: string[] = [];
  let text = input.normalize('NFKC');
  const noInvisible = text.replace(INVISIBLE_RE, '');
  if (noInvisible.length !== text.length) evasions.push('invisible');
  const noBidi = noInvisible.replace(BIDI_RE, '');
  if (noBidi.length !== noInvisible.length) evasions.push('bidi');
  text = noBidi.replace(CONTROL_RE, ' ');
  // Three or more combining marks on one letter is "zalgo" evasion (no language stacks that many).
  const decomposed = text.normalize('NFD');
  if (STACKED_MARKS_RE.test(decomposed)) {
    text = decomposed.replace(COMBINING_RE, '').normalize('NFC');
    evasions.push('combining');
  }
  const folded = foldHomoglyphs(text);
  if (folded !== text && mixesScripts(text)) evasions.push('homoglyph');
  return { text: folded, evasions };
}

/** True when a word mixes Latin letters with Cyrillic or Greek ones (a real Russian text does not). */
function mixesScripts(text: string): boolean {
  return /(?:\p{Script=Latin}[\p{Script=Cyrillic}\p{Script=Greek}]|[\p{Script=Cyrillic}\p{Script=Greek}]\p{Script=Latin})/u.test(text);
}
