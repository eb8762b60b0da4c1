/**
 * The rows a model is trained on: at most `perSource` rows of each source, drawn with a fixed seed. Big
 * sources (8,000 command-line pages, 6,000 reading-comprehension questions) would otherwise teach the model
 * their style; the cap also bounds training time. The same draw is used for the committed model and for
 * every fold of the evaluation.
 */
import type { CorpusRow } from './corpus.js';
import { prng } from '../../../core/index.js';

export const DEFAULT_ROWS_PER_SOURCE = 500;
export const SAMPLE_SEED = 20261206;

/** A flag per row: true when the row is in the training sample. */
export function trainingSample(rows: readonly CorpusRow[], perSource = DEFAULT_ROWS_PER_SOURCE, seed = SAMPLE_SEED): boolean[] {
  const bySource = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const list = bySource.get(r.source);
    if (list) list.push(i);
    else bySource.set(r.source, [i]);
  });
  const keep = rows.map(() => false);
  const rand = prng(seed);
  for (const source of [...bySource.keys()].sort()) {
    const list = bySource.get(source) as number[];
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = list[i] as number;
      list[i] = list[j] as number;
      list[j] = t;
    }
    for (const i of list.slice(0, perSource)) keep[i] = true;
  }
  return keep;
}
