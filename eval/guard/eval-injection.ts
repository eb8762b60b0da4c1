/**
 * Evaluation of the prompt-injection detector (npm run eval:guard). Never scores a row with a model trained
 * on its origin or on text it shares:
 * 1. leave-one-origin-out (the headline): every source of both corpus folders held out in turn (sources
 *    built from the same upstream data together), training rows that share a 12-word run with the held-out
 *    origin dropped; macro averages over sources, pooled figures, a table per source;
 * 2. a random 80/20 split, grouped by shared text (reported, never the headline);
 * 3. the offline npm detectors (peers) on a per-source sample of the same rows, beside Warden's
 *    leave-one-origin-out verdicts on exactly those rows; a peer that throws is counted, never "not flagged";
 * 4. the output classifier on ordinary answers (false positives) and on instructions aimed at tools;
 * 5. latency per KB of the committed model.
 *
 *   npm run eval:guard [-- --no-peers] [--no-loso] [--no-random] [--only ORIGIN,...] [--per-source N] [--peer-rows N] [--json FILE] [--scores FILE]
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  buildExamples,
  cleanSegmentsOf,
  DEFAULT_DOCUMENT_THRESHOLD,
  DEFAULT_MODEL_TRAIN_OPTIONS,
  DEFAULT_ROWS_PER_SOURCE,
  DEFAULT_THRESHOLD,
  missingCorpusFolders,
  prng,
  readCorpusFromDisk,
  readRowsFromDisk,
  toCorpusRows,
  trainHeads,
  trainingSample,
  type CorpusRow,
} from '../../src/guard/injection/training/index.js';
import { leaveOneOriginOut, scoreRows } from './loso.js';
import { bySource, macroSummary, macroTable, pct, summarize, table, type MacroSummary, type ScoredRow, type Summary } from './metrics.js';
import { evaluateOutput } from './output-answers.js';
import { measureLatency } from './latency.js';
import { loadPeers, runPeer } from './peers.js';
import { sharedText, textGroups } from './shared-text.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(root, '../shared/data') },
    'no-peers': { type: 'boolean', default: false },
    'no-loso': { type: 'boolean', default: false },
    'no-random': { type: 'boolean', default: false },
    only: { type: 'string' },
    'per-source': { type: 'string', default: String(DEFAULT_ROWS_PER_SOURCE) },
    'peer-rows': { type: 'string', default: '300' },
    json: { type: 'string', default: resolve(root, 'eval/guard/results/injection.json') },
    /** Per-row leave-one-origin-out scores (source, category, label, kind, score), for threshold studies. */
    scores: { type: 'string' },
  },
});
const dataDir = values.data as string;
const missing = missingCorpusFolders(dataDir);
if (missing.length > 0) {
  console.error(`eval:guard: the evaluation data is not there: ${missing.join(', ')} (read from the shared data folder beside the project; --data DIR to use another place)`);
  process.exit(2);
}

const t0 = Date.now();
const log = (s: string): void => console.log(s);
const progress = (s: string): void => {
  process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${s}\n`);
};
const corpus = readCorpusFromDisk(dataDir);
// Hand-written training hard negatives are only ever trained on; the evaluation's own are never trained on.
const handTrain = toCorpusRows(readRowsFromDisk(resolve(root, 'src/guard/model/hard-negatives.train.jsonl'))).map((r) => ({ ...r, origin: 'handwritten-train' }));
const handEval = toCorpusRows(readRowsFromDisk(resolve(root, 'eval/guard/hard-negatives.jsonl'))).map((r) => ({ ...r, source: 'handwritten_eval', origin: 'handwritten-eval' }));
const rows: CorpusRow[] = [...corpus, ...handTrain, ...handEval];
const perSource = Number(values['per-source']);
const sample = trainingSample(rows, perSource).map((s, i) => s && rows[i]?.origin !== 'handwritten-eval');
progress(`${rows.length} rows; finding shared text`);
const shared = sharedText(rows);
progress('building training examples');
const examples = buildExamples(rows, undefined, cleanSegmentsOf(rows), sample);
const thresholds = { threshold: DEFAULT_THRESHOLD, documentThreshold: DEFAULT_DOCUMENT_THRESHOLD };
const out: Record<string, unknown> = { rows: rows.length, perSource, ...thresholds, trainOptions: DEFAULT_MODEL_TRAIN_OPTIONS };

function sourceTable(scored: readonly ScoredRow[]): string {
  return table([...bySource(scored)].map(([name, list]) => ({ name, summary: summarize(list) })));
}

// (1) leave one origin out
let loso: ScoredRow[] = [];
if (values['no-loso'] !== true) {
  const only = values.only === undefined ? undefined : (values.only as string).split(',');
  const heldOut = [...new Set(rows.map((r) => r.origin))].filter((o) => o !== 'handwritten-train' && o !== 'handwritten-eval' && (only === undefined || only.includes(o)));
  const folds = leaveOneOriginOut(rows, examples, shared, {
    train: DEFAULT_MODEL_TRAIN_OPTIONS,
    ...thresholds,
    only: heldOut,
    keep: (i) => sample[i] === true,
    onFold: (f, s) => progress(`held out ${f.origin}: ${f.scored.length} rows scored, ${f.purged} training rows dropped for shared text, ${s.toFixed(0)} s`),
  });
  loso = folds.flatMap((f) => f.scored);
  if (values.scores !== undefined) writeFileSync(values.scores as string, `${JSON.stringify(loso.map((s) => [s.source, s.category, s.label, (rows[s.row] as CorpusRow).kind, Math.round(s.score * 1e4) / 1e4]))}\n`);
  if (only === undefined) {
    // the evaluation's hand-written hard negatives: scored by a model trained on every training row
    const heads = trainHeads(examples, DEFAULT_MODEL_TRAIN_OPTIONS, (i) => sample[i] === true);
    loso.push(...scoreRows({ ...heads, ...thresholds }, rows, rows.flatMap((r, i) => (r.origin === 'handwritten-eval' ? [i] : []))));
  }
  const macro = macroSummary(loso);
  const pooled = summarize(loso);
  out.loso = { macro, pooled, purged: Object.fromEntries(folds.map((f) => [f.origin, f.purged])), perSource: Object.fromEntries([...bySource(loso)].map(([s, l]) => [s, summarize(l)])) };
  log(`## Leave-one-origin-out (headline): each source scored by a model trained without its origin and without any row sharing text with it\n`);
  log(macroTable([{ name: 'warden', macro }]));
  log(`\nPooled over all rows: balanced accuracy ${pct(pooled.balancedAccuracy)}, TPR@1%FPR ${pct(pooled.tprAt1Fpr ?? Number.NaN)}\n`);
  log(table([{ name: 'warden (pooled)', summary: pooled }]));
  log(`\n### Per held-out source\n`);
  log(sourceTable(loso));
  log('');
}

// (2) random split grouped by shared text
if (values['no-random'] !== true) {
  const groups = textGroups(rows, 6);
  const rand = prng(7);
  const groupIds = [...new Set(groups)].sort((a, b) => a - b);
  const testGroups = new Set(groupIds.filter(() => rand() < 0.2));
  const isTest = rows.map((r, i) => r.origin === 'handwritten-eval' || (r.origin !== 'handwritten-train' && testGroups.has(groups[i] as number)));
  const heads = trainHeads(examples, DEFAULT_MODEL_TRAIN_OPTIONS, (i) => sample[i] === true && !isTest[i]);
  const scored = scoreRows({ ...heads, ...thresholds }, rows, rows.flatMap((_, i) => (isTest[i] ? [i] : [])));
  const s = summarize(scored);
  const m = macroSummary(scored);
  out.random = { test: scored.length, pooled: s, macro: m };
  log(`## Random split (80/20 grouped by shared text; never the headline: sources are on both sides)\n`);
  log(`macro balanced accuracy ${pct(m.balancedAccuracy)}; pooled:\n`);
  log(table([{ name: 'warden (random split)', summary: s }]));
  log('');
  progress('random split done');
}

// (3) peers, on a per-source sample of the rows, beside Warden's leave-one-origin-out verdicts on the same rows
if (values['no-peers'] !== true && loso.length > 0) {
  const peerRows = Number(values['peer-rows']);
  const chosen = new Set<number>();
  for (const [, list] of bySource(loso)) {
    const rand = prng(99);
    const idx = list.map((s) => s.row);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
    }
    for (const i of idx.slice(0, peerRows)) chosen.add(i);
  }
  const ours = loso.filter((s) => chosen.has(s.row));
  const results: Array<{ name: string; summary: Summary; macro: MacroSummary; errors: number; p50: number }> = [{ name: 'warden (leave-one-origin-out)', summary: summarize(ours), macro: macroSummary(ours), errors: 0, p50: Number.NaN }];
  const { peers, failed } = await loadPeers();
  for (const f of failed) log(`peer ${f.name} could not run: ${f.error}`);
  for (const p of peers) {
    const r = await runPeer(p, ours.map((s) => ({ ...s, text: (rows[s.row] as CorpusRow).text })));
    results.push({ name: p.name, summary: summarize(r.scored, false), macro: macroSummary(r.scored), errors: r.errors, p50: r.p50 });
    progress(`peer ${p.name}: ${r.errors} errors`);
  }
  out.peers = { rows: ours.length, failed, results };
  log(`## Side by side: peers on ${ours.length} rows (at most ${peerRows} per source), Warden's leave-one-origin-out verdicts on the same rows\n`);
  log(macroTable(results.map((r) => ({ name: r.name, macro: r.macro }))));
  log('');
  log(table(results.map((r) => ({ name: r.name, summary: r.summary }))));
  log('\n| detector | rows | errors (counted, excluded from the rates) | p50 ms per text |\n|---|---|---|---|');
  for (const r of results.slice(1)) log(`| ${r.name} | ${ours.length} | ${r.errors} | ${r.p50.toFixed(3)} |`);
  log('');
}

// (4) the output classifier, (5) latency: the committed model
const output = evaluateOutput(dataDir);
out.output = output;
log(`## Output inspection with the committed model\n`);
log(output.table);
log('');
const latency = measureLatency(rows.filter((r) => r.origin !== 'handwritten-train').map((r) => r.text));
out.latency = latency;
log(`## Latency of the committed model (ms per KB, texts cut or repeated to 1, 4 and 16 KB; one core${latency.load ? `, load average ${latency.load}` : ''})\n`);
log(latency.table);
out.seconds = (Date.now() - t0) / 1000;
writeFileSync(values.json as string, `${JSON.stringify(out, null, 1)}\n`);
log(`\nwrote ${values.json as string} in ${(out.seconds as number).toFixed(0)} s`);
