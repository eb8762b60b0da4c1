/** The grouped random split of the injection evaluation. */
import { segmentDocument } from '../../src/guard/injection/analyze.js';
import { prng, type LabelledRow } from '../../src/guard/injection/training.js';

/**
 * Groups rows so that neither an attack payload nor a base document sits on both sides of a split:
 * an injected document joins the group of its payload and of the clean document it was built from.
 */
export function groupKeys(all: LabelledRow[]): Map<LabelledRow, string> {
  const payloads = all.filter((r) => r.category === 'injection-payload').map((r) => r.text);
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    const p = parent.get(x);
    if (p === undefined || p === x) return x;
    const root = find(p);
    parent.set(x, root);
    return root;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  const bySegment = new Map<string, string[]>();
  for (const r of all) {
    if (r.category !== 'benign-document') continue;
    for (const seg of segmentDocument(r.text)) bySegment.set(seg, [...(bySegment.get(seg) ?? []), `t:${r.text}`]);
  }
  for (const r of all) {
    if (r.category !== 'injection-document') continue;
    const p = payloads.find((x) => r.text.includes(x));
    const own = `t:${r.text}`;
    if (p !== undefined) union(own, `t:${p}`);
    const votes = new Map<string, number>();
    for (const seg of segmentDocument(p === undefined ? r.text : r.text.replace(p, ''))) {
      for (const k of bySegment.get(seg) ?? []) votes.set(k, (votes.get(k) ?? 0) + 1);
    }
    const base = [...votes.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    if (base !== undefined) union(own, base[0]);
  }
  return new Map(all.map((r) => [r, find(`t:${r.text}`)]));
}

export function randomSplit(all: LabelledRow[], testShare: number, seed: number): { train: LabelledRow[]; test: LabelledRow[] } {
  const key = groupKeys(all);
  const keys = [...new Set(key.values())].sort();
  const rand = prng(seed);
  const testKeys = new Set(keys.filter(() => rand() < testShare));
  const train: LabelledRow[] = [];
  const test: LabelledRow[] = [];
  for (const r of all) (testKeys.has(key.get(r) as string) ? test : train).push(r);
  return { train, test };
}

