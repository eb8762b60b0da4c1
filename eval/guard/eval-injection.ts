/**
 * Evaluation of the prompt-injection detector (npm run eval:guard). Never scores a row with a model
 * trained on it: (1) a random 80/20 split grouped by attack payload, (2) leave-one-source-out, pooled.
 * Hand-written hard negatives (eval/guard/hard-negatives.jsonl) are never trained on. Side by side on
 * the random-split test rows: the four offline npm detectors of issue 4. Latency p50/p99 by length.
 *
 *   npm run eval:guard [-- --no-peers] [--no-loso] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDetector, type Detector } from '../../src/guard/injection/index.js';
import { randomSplit } from './split.js';
import { isDocumentCategory, type LabelledRow } from '../../src/guard/injection/training.js';
import { DEFAULT_MODEL_TRAIN_OPTIONS, DEFAULT_THRESHOLD, loadRows, trainHeads, type ModelTrainOptions } from '../../src/guard/injection/train-model.js';
import { percentile, summarize, table, type Scored, type Summary } from './metrics.js';
import { loadPeers } from './peers.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(root, '../shared/data/prompt-injection') },
    'no-peers': { type: 'boolean', default: false },
    'no-loso': { type: 'boolean', default: false },
    json: { type: 'string', default: resolve(root, 'eval/guard/results/injection.json') },
  },
});

const rows = loadRows(values.data as string);
const extraTrain = loadRows(resolve(root, 'src/guard/model/hard-negatives.train.jsonl'));
const evalHard = loadRows(resolve(root, 'eval/guard/hard-negatives.jsonl'));
const kindOf = (r: LabelledRow): 'document' | 'prompt' => (isDocumentCategory(r.category) ? 'document' : 'prompt');

function detectorFor(train: LabelledRow[], opts: ModelTrainOptions = DEFAULT_MODEL_TRAIN_OPTIONS): Detector {
  const heads = trainHeads([...train, ...extraTrain], opts);
  return createDetector({ ...heads, threshold: DEFAULT_THRESHOLD });
}

function scoreAll(detect: Detector, test: LabelledRow[]): Scored[] {
  return test.map((r) => {
    const res = detect(r.text, { kind: kindOf(r) });
    return { category: r.category, label: r.label, score: res.score, flagged: res.flagged };
  });
}

const out: Record<string, unknown> = { rows: rows.length, evalHardNegatives: evalHard.length, threshold: DEFAULT_THRESHOLD };
const log = (s: string): void => console.log(s);
const t0 = Date.now();

// (1) random split, grouped by payload
const split = randomSplit(rows, 0.2, 7);
const detect = detectorFor(split.train);
const testRows = [...split.test, ...evalHard];
const ours = summarize(scoreAll(detect, testRows));
log(`## Random split (80/20 grouped by payload; test ${split.test.length} rows + ${evalHard.length} hand-written hard negatives)\n`);
const randomResults: Array<{ name: string; summary: Summary }> = [{ name: 'warden', summary: ours }];
out.random = { train: split.train.length, test: testRows.length, warden: ours };

// (2) leave one source out, pooled over folds
if (values['no-loso'] !== true) {
  const sources = [...new Set(rows.map((r) => r.source))].sort();
  const pooled: Scored[] = [];
  const perSource: Record<string, Summary> = {};
  for (const s of sources) {
    const d = detectorFor(rows.filter((r) => r.source !== s));
    const scored = scoreAll(d, rows.filter((r) => r.source === s));
    perSource[s] = summarize(scored);
    pooled.push(...scored);
  }
  const full = detectorFor(rows);
  pooled.push(...scoreAll(full, evalHard));
  const loso = summarize(pooled);
  out.loso = { pooled: loso, perSource };
  log(`## Leave-one-source-out (each source scored by a model trained without it; pooled)\n`);
  log(table([{ name: 'warden (LOSO pooled)', summary: loso }, ...Object.entries(perSource).map(([name, summary]) => ({ name: `held out: ${name}`, summary }))]));
  log('');
}

// latency (our detector, trained on the random split; same code path as the committed model)
const latency: Record<string, { n: number; p50: number; p99: number }> = {};
{
  const buckets: Array<[string, number, number]> = [['<256', 0, 256], ['256-1023', 256, 1024], ['1024-4095', 1024, 4096], ['>=4096', 4096, Infinity]];
  for (const r of testRows.slice(0, 50)) detect(r.text, { kind: kindOf(r) }); // warm-up
  for (const [name, lo, hi] of buckets) {
    for (const kind of ['prompt', 'document'] as const) {
      const xs = testRows.filter((r) => r.text.length >= lo && r.text.length < hi);
      const times: number[] = [];
      for (const r of xs) {
        const s = performance.now();
        detect(r.text, { kind });
        times.push(performance.now() - s);
      }
      times.sort((a, b) => a - b);
      latency[`${kind} ${name}`] = { n: times.length, p50: percentile(times, 50), p99: percentile(times, 99) };
    }
  }
  // exactly 1 KiB texts: test rows cut or repeated to 1024 characters
  for (const kind of ['prompt', 'document'] as const) {
    const times: number[] = [];
    for (const r of testRows) {
      const t = r.text.length >= 1024 ? r.text.slice(0, 1024) : r.text.repeat(Math.ceil(1024 / Math.max(1, r.text.length))).slice(0, 1024);
      const s = performance.now();
      detect(t, { kind });
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    latency[`${kind} =1024`] = { n: times.length, p50: percentile(times, 50), p99: percentile(times, 99) };
  }
}
out.latency = latency;

// peers, side by side on the same random-split test rows
const peerLatency: Record<string, { p50: number; p99: number }> = {};
if (values['no-peers'] !== true) {
  const { peers, failed } = await loadPeers();
  out.peerFailures = failed;
  for (const f of failed) log(`peer ${f.name} could not run: ${f.error}`);
  for (const p of peers) {
    const scored: Scored[] = [];
    const times: number[] = [];
    for (const r of testRows) {
      const s = performance.now();
      let flagged = false;
      try {
        flagged = await p.detect(r.text);
      } catch {
        flagged = false;
      }
      times.push(performance.now() - s);
      scored.push({ category: r.category, label: r.label, score: flagged ? 1 : 0, flagged });
    }
    times.sort((a, b) => a - b);
    peerLatency[p.name] = { p50: percentile(times, 50), p99: percentile(times, 99) };
    randomResults.push({ name: p.name, summary: summarize(scored, false) });
  }
  out.peers = randomResults.slice(1);
  out.peerLatency = peerLatency;
}
log(table(randomResults));
log('\nTPR@1%FPR needs scores; the peers give only a verdict (n/a).\n');
log('## Latency per text (ms, one core, shared machine)\n');
log('| detector / kind / length | n | p50 | p99 |\n|---|---|---|---|');
for (const [k, v] of Object.entries(latency)) log(`| warden ${k} | ${v.n} | ${v.p50.toFixed(3)} | ${v.p99.toFixed(3)} |`);
for (const [k, v] of Object.entries(peerLatency)) log(`| ${k} (all test rows) | ${testRows.length} | ${v.p50.toFixed(3)} | ${v.p99.toFixed(3)} |`);
out.seconds = (Date.now() - t0) / 1000;
writeFileSync(values.json as string, `${JSON.stringify(out, null, 2)}\n`);
log(`\nwrote ${values.json as string} in ${out.seconds as number} s`);
