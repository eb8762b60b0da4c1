/**
 * PERSON and ADDRESS, best effort: cue-based patterns (`my name is`, titles, `Name:` fields, signatures;
 * house number + street word, postal codes after a city). No model: precision is modest, recall is low on
 * free text. These types are reported separately and never block by default.
 *
 * @example
 * const out: DlpFinding[] = [];
 * detectPerson('Hi, my name is Jane Doe.', out); // PERSON "Jane Doe"
 */
import { findKeywordHits, KW_CUE, KW_STREET, PERSON_CUES, STREET_WORDS, type KeywordHits } from './keyword-hits.js';
import type { DlpFinding } from './types.js';

const NAME = "[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+";
const FULL_NAME = `${NAME}(?:[ \\t]+(?:[A-Z]\\.?[ \\t]+)?${NAME}){0,2}`;
const TAILS = {
  intro: new RegExp(`[ \\t]+(${FULL_NAME})`, 'y'),
  title: new RegExp(`\\.?[ \\t]+(${FULL_NAME})`, 'y'),
  field: new RegExp(`[ \\t]*:[ \\t]*(${FULL_NAME})`, 'y'),
  closing: new RegExp(`,?[ \\t]*\\r?\\n[ \\t]*(${FULL_NAME})`, 'y'),
};
/** Words that follow "I am" but are not names. */
const NOT_NAMES = /^(?:a|an|the|not|so|very|sure|sorry|here|there|going|trying|looking|happy|glad|from|in|at|on|writing|calling|interested|unable|able|new|just|also|still|now|done|fine|ok|okay|good|back|ready|afraid|working|having|getting)$/i;

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 0xc0;
}

export function detectPerson(text: string, out: DlpFinding[], hits: KeywordHits = findKeywordHits(text)): void {
  let lastEnd = -1;
  const found = hits[KW_CUE];
  for (let h = 0; h < found.length; h += 2) {
    const [word, kind] = PERSON_CUES[found[h]!]!;
    const start = found[h + 1]!;
    const end = start + word.length;
    if (start < lastEnd || isLetter(text.charCodeAt(start - 1)) || isLetter(text.charCodeAt(end))) continue;
    if (kind === 'title' && text.charCodeAt(start) > 90) continue;
    if (kind === 'field') {
      let k = start;
      while (k > 0 && (text.charCodeAt(k - 1) === 32 || text.charCodeAt(k - 1) === 9)) k--;
      if (k > 0 && text.charCodeAt(k - 1) !== 10) continue;
    }
    const tail = TAILS[kind];
    tail.lastIndex = end;
    const m = tail.exec(text);
    if (!m) continue;
    const name = m[1]!;
    const first = name.split(/\s+/)[0]!;
    if (NOT_NAMES.test(first)) continue;
    const nameStart = end + m[0].length - name.length;
    lastEnd = nameStart + name.length;
    out.push({ type: 'PERSON', start: nameStart, end: lastEnd, confidence: 0.5, detector: 'pii.person' });
  }
}

const STREET = String.raw`(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct|Place|Pl|Square|Sq|Terrace|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Trail|Alley|Crescent|Close|Straße|Strasse|str\.|Weg|Gasse|Platz|Allee|katu|gatan|vägen|laan|straat|gade|vej)`;
const ADDRESS = new RegExp(
  String.raw`\b\d{1,5}[A-Za-z]?\s+(?:[A-ZÀ-Þ][\wÀ-ÿ'.-]*\s+){0,3}${STREET}\b\.?(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|#)\.?\s*\w+)?(?:,?\s*[A-ZÀ-Þ][\wÀ-ÿ'.-]+(?:\s+[A-ZÀ-Þ][\wÀ-ÿ'.-]+){0,2})?(?:,?\s*[A-Z]{2})?(?:,?\s*\d{4,5}(?:-\d{4})?)?` +
    '|' +
    String.raw`\b(?:[A-ZÀ-Þ][\wÀ-ÿ'.-]*)(?:${STREET.slice(3, -1).toLowerCase()})\s+\d{1,5}[a-z]?(?:,?\s*\d{4,5}\s+[A-ZÀ-Þ][\wÀ-ÿ'.-]+)?`,
  'gu',
);

/** A house number near the street word. */
function digitBetween(text: string, from: number, to: number): boolean {
  for (let i = Math.max(0, from), e = Math.min(text.length, to); i < e; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

/** ADDRESS: the pattern runs only in windows around street words (found in one pass). */
export function detectAddress(text: string, out: DlpFinding[], hits: KeywordHits = findKeywordHits(text)): void {
  const windows: [number, number][] = [];
  const found = hits[KW_STREET];
  for (let h = 0; h < found.length; h += 2) {
    const at = found[h + 1]!;
    const word = STREET_WORDS[found[h]!]!;
    const end = at + word.length;
    // Abbreviations and short words must stand alone; long suffixes may end a compound (Hauptstraße).
    if (word.length <= 3 && (isLetter(text.charCodeAt(at - 1)) || isLetter(text.charCodeAt(end)))) continue;
    if (!digitBetween(text, at - 60, end + 12)) continue;
    const last = windows[windows.length - 1];
    const s = Math.max(0, at - 120);
    const e = Math.min(text.length, at + 160);
    if (last && s <= last[1]) last[1] = e;
    else windows.push([s, e]);
  }
  let lastEnd = -1;
  for (const [ws, we] of windows) {
    let s = ws;
    while (s > 0 && s > ws - 40 && !/\s/.test(text[s - 1]!)) s--;
    const slice = text.slice(s, we);
    for (const m of slice.matchAll(ADDRESS)) {
      const start = s + m.index;
      if (start < lastEnd) continue;
      lastEnd = start + m[0].trimEnd().length;
      out.push({ type: 'ADDRESS', start, end: lastEnd, confidence: 0.5, detector: 'pii.address' });
    }
  }
}
