/**
 * Cedar's `like`: a pattern of literal characters and `*` wildcards (escaped `\*` arrives as a literal)
 * that must match the whole string. Matching runs on UTF-16 code units, which is equivalent to matching
 * on code points for well-formed strings: a literal never starts with a lone low surrogate.
 */
import { UnsupportedConstruct } from './values.js';

type Token = string | null; // null = wildcard

export function compileLike(pattern: unknown[]): (s: string) => boolean {
  // Merge consecutive literals into runs and consecutive wildcards into one.
  const tokens: Token[] = [];
  for (const elem of pattern) {
    if (elem === 'Wildcard') {
      if (tokens[tokens.length - 1] !== null) tokens.push(null);
    } else if (typeof elem === 'object' && elem !== null && typeof (elem as { Literal?: unknown }).Literal === 'string') {
      const lit = (elem as { Literal: string }).Literal;
      const last = tokens[tokens.length - 1];
      if (typeof last === 'string') tokens[tokens.length - 1] = last + lit;
      else tokens.push(lit);
    } else {
      throw new UnsupportedConstruct('`like` pattern element');
    }
  }
  if (tokens.length === 0) return (s) => s.length === 0;
  if (tokens.length === 1) {
    const only = tokens[0];
    if (only === null) return () => true;
    return (s) => s === only;
  }
  if (tokens.length === 2) {
    const [a, b] = tokens;
    if (a === null && typeof b === 'string') return (s) => s.endsWith(b);
    if (typeof a === 'string' && b === null) return (s) => s.startsWith(a);
  }
  return (s) => matchTokens(tokens, s);
}

function matchTokens(tokens: Token[], s: string): boolean {
  // Greedy matching with one backtrack point per wildcard (standard glob matching, linear-ish).
  let ti = 0;
  let si = 0;
  let starTi = -1;
  let starSi = 0;
  while (si < s.length || ti < tokens.length) {
    if (ti < tokens.length) {
      const t = tokens[ti];
      if (t === null) {
        starTi = ti;
        starSi = si;
        ti++;
        continue;
      }
      if (t !== undefined && s.startsWith(t, si)) {
        ti++;
        si += t.length;
        continue;
      }
    }
    if (starTi >= 0 && starSi < s.length) {
      starSi++;
      si = starSi;
      ti = starTi + 1;
      continue;
    }
    return false;
  }
  return true;
}
