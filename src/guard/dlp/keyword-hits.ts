/**
 * One Aho-Corasick pass finds the keywords of every keyword-driven detector at once (gitleaks rule keywords,
 * secret-assignment words, person cues, street words); scanText runs it once and hands the hits around.
 *
 * @example
 * const hits = findKeywordHits('api_key = "..."');
 * hits[KW_SECRET] // [wordIndex, position, ...]
 */
import { GITLEAKS_RULES } from './gitleaks/rules.generated.js';
import { KeywordIndex } from './keyword-index.js';

export const KW_GITLEAKS = 0;
export const KW_SECRET = 1;
export const KW_CUE = 2;
export const KW_STREET = 3;

/** Per kind, flattened pairs: [value, position, value, position, ...]. */
export type KeywordHits = [number[], number[], number[], number[]];

export const SECRET_WORDS: string[] = [
  'password', 'passwd', 'passphrase', 'pwd', 'pass', 'secret', 'token', 'apikey', 'credential', 'bearer',
  ...['api', 'access', 'private'].flatMap((w) => ['_', '-', '.', ''].map((sep) => `${w}${sep}key`)),
];

export type CueKind = 'intro' | 'title' | 'field' | 'closing';
export const PERSON_CUES: [string, CueKind][] = [
  ...['my name is', "name's", 'i am', "i'm", 'this is', 'call me', 'ich bin', "je m'appelle", 'me llamo', 'mein name ist'].map((w): [string, CueKind] => [w, 'intro']),
  ...['mr', 'mrs', 'ms', 'miss', 'dr', 'prof', 'herr', 'frau', 'mme', 'sr', 'sra'].map((w): [string, CueKind] => [w, 'title']),
  ...['name', 'full name', 'contact', 'customer', 'patient', 'employee', 'from', 'to', 'attn'].map((w): [string, CueKind] => [w, 'field']),
  ...['regards', 'sincerely', 'thanks', 'cheers', 'best'].map((w): [string, CueKind] => [w, 'closing']),
];

export const STREET_WORDS: string[] = [
  'street', 'st', 'avenue', 'ave', 'road', 'rd', 'lane', 'ln', 'drive', 'dr', 'boulevard', 'blvd', 'way', 'court', 'ct', 'place', 'pl',
  'square', 'sq', 'terrace', 'parkway', 'pkwy', 'highway', 'hwy', 'circle', 'cir', 'trail', 'alley', 'crescent', 'close', 'stra', 'str.',
  'weg', 'gasse', 'platz', 'allee', 'katu', 'gatan', 'laan', 'gade', 'vej',
];

const entries: [string, number][] = [
  ...GITLEAKS_RULES.flatMap((r, i) => r.keywords.map((k): [string, number] => [k, (KW_GITLEAKS << 16) | i])),
  ...SECRET_WORDS.map((w, i): [string, number] => [w, (KW_SECRET << 16) | i]),
  ...PERSON_CUES.map(([w], i): [string, number] => [w, (KW_CUE << 16) | i]),
  ...STREET_WORDS.map((w, i): [string, number] => [w, (KW_STREET << 16) | i]),
];
const INDEX = new KeywordIndex(entries);

export function findKeywordHits(text: string): KeywordHits {
  const hits: KeywordHits = [[], [], [], []];
  INDEX.scan(text, (v, at) => {
    hits[v >>> 16 as 0 | 1 | 2 | 3].push(v & 0xffff, at);
  });
  return hits;
}
