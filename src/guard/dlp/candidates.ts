/**
 * The fused pass: one loop over the text steps the keyword automaton and, at the same time, marks the places
 * worth a closer look: clusters of digits (cards, IBANs, SSNs, national ids, IPv4, phones) and runs of token
 * characters (credentials, wallets, MACs). Every detector then verifies only at these candidates, instead of
 * each running its own regex over the whole text.
 *
 * @example
 * const c = findCandidates('card 4111 1111 1111 1111, token ghp_...');
 * c.numeric // [0, 89]: a window around the digit cluster
 * c.runs    // [32, 72]: the token run
 */
import { KEYWORD_INDEX, type KeywordHits } from './keyword-hits.js';

export interface Candidates {
  hits: KeywordHits;
  /** Merged windows [start, end, ...] around digit clusters, padded so that context words are inside. */
  numeric: number[];
  /** Runs [start, end, ...] of at least MIN_RUN token characters ([A-Za-z0-9_+/.~-]). */
  runs: number[];
}

/** Shortest token run reported (a Cisco MAC `0123.4567.89ab` is 14). */
export const MIN_RUN = 14;
/** Digits at most this far apart belong to one cluster (`+1 (415) 555-2671`). */
const GAP = 4;
/** Padding of a numeric window: context words sit up to 48 characters before a number. */
const PAD = 64;

/** Character classes: bit 1 digit, bit 2 token character. */
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[0-9]/.test(ch)) CLASS[c] = 3;
  else if (/[A-Za-z_+/.~-]/.test(ch)) CLASS[c] = 2;
}

/**
 * The automaton's transitions with each target state pre-multiplied by the alphabet width (one multiply fewer
 * per character), and per pre-multiplied state whether a keyword ends there.
 */
const { next: NEXT, width: WIDTH } = KEYWORD_INDEX;
const STEP = Int32Array.from(NEXT, (state) => state * WIDTH);
const EMITS = new Uint8Array(NEXT.length);
KEYWORD_INDEX.emits.forEach((e, state) => (EMITS[state * WIDTH] = e));

export function findCandidates(text: string): Candidates {
  const hits: KeywordHits = [[], []];
  const numeric: number[] = [];
  const runs: number[] = [];
  const { symbol, outputs, lengths } = KEYWORD_INDEX;
  const n = text.length;
  let row = 0; // the automaton's state times WIDTH
  let runStart = -1;
  let clusterStart = -1;
  let lastDigit = -10;
  let digits = 0;
  let dotted = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      row = STEP[row + symbol[c]!]!;
      if (EMITS[row] !== 0) {
        const o = outputs[row / WIDTH]!;
        const l = lengths[row / WIDTH]!;
        for (let k = 0; k < o.length; k++) hits[(o[k]! >>> 16) as 0 | 1].push(o[k]! & 0xffff, i + 1 - l[k]!);
      }
      const cls = CLASS[c]!;
      if (cls !== 0) {
        if (runStart < 0) runStart = i;
        if (cls === 3) {
          if (i - lastDigit > GAP) {
            if (digits > 0) closeCluster(numeric, n, clusterStart, lastDigit, digits, dotted);
            clusterStart = i;
            digits = 0;
            dotted = false;
          } else if (text.charCodeAt(i - 1) === 46 || text.charCodeAt(i - 2) === 46) dotted = true;
          digits++;
          lastDigit = i;
        }
        continue;
      }
    } else row = 0;
    if (runStart >= 0) {
      if (i - runStart >= MIN_RUN) runs.push(runStart, i);
      runStart = -1;
    }
  }
  if (runStart >= 0 && n - runStart >= MIN_RUN) runs.push(runStart, n);
  if (digits > 0) closeCluster(numeric, n, clusterStart, lastDigit, digits, dotted);
  return { hits, numeric, runs };
}

/** Adds the padded window of a digit cluster when it is long enough: 7+ digits (phones and longer), or 4+ with a dot (IPv4). */
function closeCluster(numeric: number[], n: number, clusterStart: number, lastDigit: number, digits: number, dotted: boolean): void {
  if (digits < 7 && !(digits >= 4 && dotted)) return;
  const s = Math.max(0, clusterStart - PAD);
  const e = Math.min(n, lastDigit + 1 + PAD);
  const last = numeric.length - 1;
  if (last > 0 && s <= numeric[last]!) numeric[last] = e;
  else numeric.push(s, e);
}
