/**
 * One Aho-Corasick automaton over the keywords of every keyword-driven detector (gitleaks rule keywords and the
 * words of keys that name a credential); the fused pass in candidates.ts steps it and hands the hits around.
 *
 * @example
 * const hits = findKeywordHits('api_key = "..."');
 * hits[KW_SECRET] // [wordIndex, position, ...]
 */
import { GITLEAKS_RULES } from './gitleaks/rules.generated.js';
import { KeywordIndex } from './keyword-index.js';

export const KW_GITLEAKS = 0;
export const KW_SECRET = 1;

/** Per kind, flattened pairs: [value, position, value, position, ...]. */
export type KeywordHits = [number[], number[]];

/** Words inside a key that names a credential; keyed-secrets.ts reads the whole key and judges it. */
export const SECRET_WORDS: string[] = ['pass', 'pwd', 'pw', 'secret', 'token', 'credential', 'creds', 'bearer', 'auth', 'key'];

/**
 * gitleaks rules that never run: generic-api-key is replaced by the keyed detector (keyed-secrets.ts reads more
 * shapes and knows metadata keys). Its keywords (`key`, `api`, `access`, ...) are the commonest words of code:
 * leaving them out of the automaton saves a hit at almost every line.
 */
export const REPLACED_GITLEAKS_RULES: ReadonlySet<string> = new Set(['generic-api-key']);

const entries: [string, number][] = [
  ...GITLEAKS_RULES.flatMap((r, i) => (REPLACED_GITLEAKS_RULES.has(r.id) ? [] : r.keywords.map((k): [string, number] => [k, (KW_GITLEAKS << 16) | i]))),
  ...SECRET_WORDS.map((w, i): [string, number] => [w, (KW_SECRET << 16) | i]),
];
/** The one keyword automaton; candidates.ts steps it inside the fused pass. */
export const KEYWORD_INDEX = new KeywordIndex(entries);

/** The keyword hits alone (tests and tools; scanText gets them from the fused pass). */
export function findKeywordHits(text: string): KeywordHits {
  const hits: KeywordHits = [[], []];
  KEYWORD_INDEX.scan(text, (v, at) => {
    hits[(v >>> 16) as 0 | 1].push(v & 0xffff, at);
  });
  return hits;
}
