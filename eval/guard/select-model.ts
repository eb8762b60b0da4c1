/**
 * Model selection by measurement: trains candidate settings on the outer training part of the random
 * split and scores them on an inner validation split of it (the outer test rows are never used here).
 *
 *   npx tsx eval/guard/select-model.ts
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDetector } from '../../src/guard/injection/index.js';
import { isDocumentCategory } from '../../src/guard/injection/training.js';
import { DEFAULT_MODEL_TRAIN_OPTIONS, loadRows, trainHeads, type ModelTrainOptions } from '../../src/guard/injection/train-model.js';
import { summarize, type Scored } from './metrics.js';
import { randomSplit } from './split.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const rows = loadRows(resolve(root, '../shared/data/prompt-injection'));
const extra = loadRows(resolve(root, 'src/guard/model/hard-negatives.train.jsonl'));
const outer = randomSplit(rows, 0.2, 7);
const inner = randomSplit(outer.train, 0.25, 11);
// hand-written training hard negatives: half train, half validation (the eval set stays unseen)
const hardTrain = extra.filter((_, i) => i % 2 === 0);
const hardVal = extra.filter((_, i) => i % 2 === 1);

const base = DEFAULT_MODEL_TRAIN_OPTIONS;
const candidates: Array<[string, ModelTrainOptions]> = [
  ['default', base],
  ['hard 2', { ...base, hardNegativeWeight: 2 }],
  ['doc l2 1e-5', { ...base, documentTrain: { l2: 1e-5 } }],
  ['doc l2 1e-4', { ...base, documentTrain: { l2: 1e-4 } }],
  ['doc epochs 3', { ...base, documentTrain: { epochs: 3 } }],
  ['doc lr 0.05', { ...base, documentTrain: { learningRate: 0.05 } }],
  ['epochs 4', { ...base, train: { ...base.train, epochs: 4 } }],
  ['l2 1e-5', { ...base, train: { ...base.train, l2: 1e-5 } }],
  ['lr 0.1', { ...base, train: { ...base.train, learningRate: 0.1 } }],
  ['chat 0.5', { ...base, benignChatWeight: 0.5 }],
  ['chat 0', { ...base, benignChatWeight: 0 }],
  ['hard 5', { ...base, hardNegativeWeight: 5 }],
  ['hard 10', { ...base, hardNegativeWeight: 10 }],
];
const only = process.argv[2];
for (const [name, opts] of candidates) {
  if (only !== undefined && !name.includes(only)) continue;
  const heads = trainHeads([...inner.train, ...hardTrain], opts);
  const line: string[] = [];
  for (const threshold of [0.4, 0.5, 0.6, 0.7]) {
    const detect = createDetector({ ...heads, threshold });
    const scored: Scored[] = [...inner.test, ...hardVal].map((r) => {
      const res = detect(r.text, { kind: isDocumentCategory(r.category) ? 'document' : 'prompt' });
      return { category: r.category, label: r.label, score: res.score, flagged: res.flagged };
    });
    const s = summarize(scored);
    const f = (c: string): string => ((s.perCategory[c]?.rate ?? Number.NaN) * 100).toFixed(0);
    line.push(`t${threshold}: BA ${(s.balancedAccuracy * 100).toFixed(1)} inj ${f('injection')} jb ${f('jailbreak')} doc ${f('injection-document')} | fp chat ${f('benign-chat')} doc ${f('benign-document')} hard ${f('benign-hard')}${threshold === 0.5 ? ` tpr1 ${((s.tprAt1Fpr ?? 0) * 100).toFixed(0)}` : ''}`);
  }
  console.log(`${name}\n  ${line.join('\n  ')}`);
}
