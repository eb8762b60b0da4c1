/**
 * Text shared between rows of different sources. Origins alone do not keep text off both sides of a split:
 * jailbreak templates are copied between collections, clean documents host constructed injections, benign
 * questions are reused as inputs of constructed prompts. `sharedText` finds, for every row, the other origins
 * it shares a run of 12 words with (or, for text written without spaces, a sentence of 20+ characters), so a
 * fold can drop such rows from its training side; `textGroups` joins rows that share text for the random split.
 */
import type { CorpusRow } from '../../src/guard/injection/training/index.js';

const SHINGLE_WORDS = 12;
const WORD = /[\p{L}\p{N}]+/gu;

/** Two independent 32-bit FNV-1a hashes folded into one 52-bit number (collisions are negligible at 10^7 keys). */
function hash52(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 0x100000 + ((b >>> 0) & 0xfffff);
}

/** The keys of one text: its 12-word runs, and its long sentences when it is written without spaces. */
export function textKeys(text: string): number[] {
  const norm = text.normalize('NFKC').toLowerCase();
  const words = norm.match(WORD) ?? [];
  const keys: number[] = [];
  for (let i = 0; i + SHINGLE_WORDS <= words.length; i++) keys.push(hash52(words.slice(i, i + SHINGLE_WORDS).join(' ')));
  const spaces = (norm.match(/\s/g) ?? []).length;
  if (norm.length >= 40 && spaces / norm.length < 0.05) {
    for (const s of norm.split(/[\n。！？.!?]+/)) {
      const t = s.replace(/\s+/g, '');
      if (t.length >= 20) keys.push(hash52(`s:${t}`));
    }
  }
  return keys;
}

/**
 * For every row, the origins (other than its own) it shares text with. A fold that holds out origin O drops
 * from its training side every row whose set contains O.
 */
export function sharedText(rows: readonly CorpusRow[]): Array<ReadonlySet<string>> {
  const origins = [...new Set(rows.map((r) => r.origin))].sort();
  const index = new Map(origins.map((o, i) => [o, i]));
  // key -> origin index, or an array of origin indices once it is seen in two origins
  const owners = new Map<number, number | number[]>();
  const keysOf = rows.map((r) => textKeys(r.text));
  rows.forEach((r, i) => {
    const o = index.get(r.origin) as number;
    for (const k of keysOf[i] as number[]) {
      const cur = owners.get(k);
      if (cur === undefined) owners.set(k, o);
      else if (typeof cur === 'number') {
        if (cur !== o) owners.set(k, [cur, o]);
      } else if (!cur.includes(o)) cur.push(o);
    }
  });
  return rows.map((r, i) => {
    const own = index.get(r.origin) as number;
    const shared = new Set<string>();
    for (const k of keysOf[i] as number[]) {
      const cur = owners.get(k);
      if (Array.isArray(cur)) for (const o of cur) if (o !== own) shared.add(origins[o] as string);
    }
    return shared;
  });
}

/**
 * Connected groups of rows that share text (union-find over the same keys), for the random split: a group
 * is wholly in training or wholly in test. Keys shared by more than `maxShared` rows are templates (a prompt
 * frame used by a whole constructed source) and do not join rows.
 */
export function textGroups(rows: readonly CorpusRow[], maxShared = 50): number[] {
  const parent = rows.map((_, i) => i);
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r] as number;
    while (parent[x] !== r) {
      const next = parent[x] as number;
      parent[x] = r;
      x = next;
    }
    return r;
  };
  const byKey = new Map<number, number[]>();
  rows.forEach((r, i) => {
    for (const k of new Set(textKeys(r.text))) {
      const list = byKey.get(k);
      if (list === undefined) byKey.set(k, [i]);
      else if (list.length <= maxShared) list.push(i);
    }
  });
  for (const list of byKey.values()) {
    if (list.length < 2 || list.length > maxShared) continue;
    const r0 = find(list[0] as number);
    for (let j = 1; j < list.length; j++) {
      const rj = find(list[j] as number);
      if (rj !== r0) parent[rj] = r0;
    }
  }
  return rows.map((_, i) => find(i));
}
