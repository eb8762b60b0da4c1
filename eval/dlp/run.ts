/**
 * DLP evaluation on ../shared/data/dlp: span-level precision, recall and F1 per type, false-positive rate on
 * the look-alike negatives, and throughput, for Warden and, side by side in the same run, openredaction,
 * the regex PII check of @openai/guardrails and secretlint 12 with its recommended preset.
 *
 * Then the closing figures: secrets of services without a dedicated rule, leave-one-family-out (secret-lofo.ts),
 * with the look-alike false-positive rate; PERSON and ADDRESS on sentence templates the tagger never saw
 * (tagger-cv.ts). The per-type table's PERSON/ADDRESS rows on presidio-synth-v2 are on the tagger's training
 * sentences and are printed for comparison with the peers only.
 *
 * Usage: npm run eval:dlp [-- --only warden] [--skip-lofo] [--json out.json]   (--skip-lofo: the slow secret folds)
 *
 * Matching: a prediction matches a gold span of the same type when they overlap by at least half of the
 * shorter of the two (one-to-one, greedy; secret spans in the data are often heuristic: whole line, longest
 * token). URL_CREDENTIALS counts as SECRET. "exact" counts identical offsets only.
 * Scope per file: presidio-synth-v2 is fully labelled (every prediction counts); presidio-unittests labels
 * only the entity under test (only predictions of that type count); the secret files label secrets (and IPs);
 * negatives: a row is a false positive when a finding of its `negative_for` type is reported (any type for
 * `ALL`); the "any" column counts a row with any finding at all.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanText } from '../../src/guard/dlp/index.js';
import { loadPeers, type Peer, type Span } from './peers.js';
import { leaveOneFamilyOut, secretRows, tuneSecrets } from './secret-lofo.js';
import { taggerTemplateCv } from './tagger-cv.js';

const DATA = join(import.meta.dirname, '../../../shared/data/dlp');
const TYPES = ['EMAIL', 'PHONE', 'CREDIT_CARD', 'IBAN', 'SSN', 'IP', 'MAC_ADDRESS', 'CRYPTO_WALLET', 'NATIONAL_ID', 'SECRET', 'PERSON', 'ADDRESS'] as const;
const TARGET = new Set(['EMAIL', 'PHONE', 'CREDIT_CARD', 'IBAN', 'SSN', 'IP']);

interface Row {
  text: string;
  spans: Span[];
  file: string;
  negative_for?: string;
  plugin?: string;
  rule_id?: string;
  doc_label?: boolean;
  lookalike_tags?: string[];
}

function load(file: string): Row[] {
  return readFileSync(join(DATA, `${file}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => ({ ...(JSON.parse(l) as Row), file }));
}

interface Counts {
  tp: number;
  fp: number;
  fn: number;
  exact: number;
}

function overlapOk(a: Span, b: Span): boolean {
  const inter = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  return inter > 0 && inter * 2 >= Math.min(a.end - a.start, b.end - b.start);
}

function score(rows: Row[], detect: (text: string) => Span[]): { counts: Map<string, Counts>; negatives: Map<string, { n: number; fp: number }>; anyFp: number; nNeg: number } {
  const counts = new Map<string, Counts>(TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0, exact: 0 }]));
  const negatives = new Map<string, { n: number; fp: number }>();
  let anyFp = 0;
  let nNeg = 0;
  for (const row of rows) {
    const predicted = detect(row.text);
    if (row.file === 'negatives') {
      nNeg++;
      const t = row.negative_for ?? 'ALL';
      const entry = negatives.get(t) ?? { n: 0, fp: 0 };
      entry.n++;
      if (predicted.some((p) => t === 'ALL' || p.type === t)) entry.fp++;
      negatives.set(t, entry);
      if (predicted.length) anyFp++;
      continue;
    }
    const gold = row.spans.filter((s) => counts.has(s.type));
    let scope: Set<string> | undefined;
    if (row.file === 'presidio-unittests') scope = new Set(row.spans.map((s) => s.type));
    else if (row.file === 'gitleaks-rule-examples') scope = new Set(['SECRET']);
    else if (row.file === 'detect-secrets-plugin-tests') scope = new Set(row.plugin === 'ip_public' ? (row.doc_label ? ['IP'] : []) : ['SECRET']);
    const preds = predicted.filter((p) => counts.has(p.type) && (!scope || scope.has(p.type)));
    const used = new Set<number>();
    for (const g of gold) {
      const c = counts.get(g.type)!;
      const i = preds.findIndex((p, k) => !used.has(k) && p.type === g.type && overlapOk(p, g));
      if (i >= 0) {
        used.add(i);
        c.tp++;
        if (preds[i]!.start === g.start && preds[i]!.end === g.end) c.exact++;
      } else c.fn++;
    }
    preds.forEach((p, k) => {
      if (!used.has(k)) counts.get(p.type)!.fp++;
    });
  }
  return { counts, negatives, anyFp, nNeg };
}

const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '  -  ');

const FILES = ['presidio-synth-v2', 'presidio-unittests', 'gitleaks-rule-examples', 'detect-secrets-plugin-tests', 'negatives'] as const;

/** Per source file: micro precision/recall/F1 over the types in scope, and the share of look-alike rows flagged. */
function perSource(rows: Row[], detect: (text: string) => Span[]): Record<string, unknown> {
  console.log('| source | P | R | F1 | gold spans | look-alike rows flagged |');
  console.log('|---|---|---|---|---|---|');
  const table: Record<string, unknown> = {};
  for (const file of FILES) {
    const r = score(rows.filter((x) => x.file === file), detect);
    let tp = 0, fp = 0, fn = 0;
    for (const c of r.counts.values()) {
      tp += c.tp;
      fp += c.fp;
      fn += c.fn;
    }
    const flagged = [...r.negatives.values()].reduce((a, n) => a + n.fp, 0);
    const p = tp / (tp + fp);
    const rec = tp / (tp + fn);
    console.log(`| ${file} | ${f(p)} | ${f(rec)} | ${f((2 * p * rec) / (p + rec))} | ${tp + fn} | ${r.nNeg ? `${flagged}/${r.nNeg}` : '-'} |`);
    table[file] = { tp, fp, fn, flagged, negatives: r.nNeg };
  }
  return table;
}

function report(name: string, result: ReturnType<typeof score>, throughput: { denseMBps: number; naturalMBps: number; p50us: number }): Record<string, unknown> {
  console.log(`\n### ${name}`);
  console.log('| type | P | R | F1 | exact-F1 | gold | FPR on its negatives |');
  console.log('|---|---|---|---|---|---|---|');
  const table: Record<string, unknown> = {};
  for (const t of TYPES) {
    const c = result.counts.get(t)!;
    const p = c.tp / (c.tp + c.fp);
    const r = c.tp / (c.tp + c.fn);
    const f1 = (2 * p * r) / (p + r);
    const exactF1 = (2 * c.exact) / (2 * c.tp + c.fp + c.fn + (c.tp - c.exact));
    const neg = result.negatives.get(t);
    const fpr = neg ? neg.fp / neg.n : NaN;
    if (c.tp + c.fn + c.fp === 0 && !neg) continue;
    console.log(`| ${t}${TARGET.has(t) ? ' *' : ''} | ${f(p)} | ${f(r)} | ${f(f1)} | ${f(exactF1)} | ${c.tp + c.fn} | ${neg ? `${f(fpr)} (${neg.fp}/${neg.n})` : '-'} |`);
    table[t] = { precision: p, recall: r, f1, exactF1, gold: c.tp + c.fn, fp: c.fp, negatives: neg };
  }
  console.log(`negatives with any finding: ${result.anyFp}/${result.nNeg} (${f(result.anyFp / result.nNeg)}); throughput (CPU time, one core) ${throughput.naturalMBps.toFixed(1)} MB/s on prose, ${throughput.denseMBps.toFixed(1)} MB/s on the DLP rows; p50 ${throughput.p50us.toFixed(0)} µs per row`);
  return { table, anyFp: result.anyFp, nNeg: result.nNeg, ...throughput };
}

/** The closing figures: secrets leave-one-family-out and names/addresses on unseen templates. */
function closing(rows: Row[], withLofo: boolean): Record<string, unknown> {
  const { positives, negatives } = secretRows(rows);
  const families = new Map<string, number>();
  for (const r of [...positives, ...negatives]) families.set(r.family, (families.get(r.family) ?? 0) + 1);
  console.log(`\n### secrets: ${positives.length} positive rows, ${negatives.length} look-alike negatives, ${families.size} format families`);
  const own = tuneSecrets(positives, negatives);
  const ownRecall = own.score.tp / (own.score.tp + own.score.fn);
  console.log(`own data, every rule on, floors tuned on all families: recall ${f(ownRecall)} (${own.score.tp}/${own.score.tp + own.score.fn}), false positives ${f(own.score.fp / own.score.n)} (${own.score.fp}/${own.score.n}), look-alike-tagged ${f(own.score.fpTagged / own.score.negTagged)} (${own.score.fpTagged}/${own.score.negTagged}); floors ${JSON.stringify(own.tuning)}`);
  const lofo = withLofo ? leaveOneFamilyOut(positives, negatives) : undefined;
  if (lofo) {
    console.log('| family | positives | recall without its rules | negatives | false positives |');
    console.log('|---|---|---|---|---|');
    for (const fam of lofo.families) console.log(`| ${fam.family} | ${fam.positives} | ${fam.positives ? f(fam.recall) : '-'} | ${fam.negatives} | ${fam.fp} |`);
    console.log(`leave-one-family-out: recall ${f(lofo.microRecall)} (${lofo.tp}/${lofo.tp + lofo.fn}; macro over families ${f(lofo.macroRecall)}), false positives ${f(lofo.fpr)} (${lofo.fp}/${lofo.n}), look-alike-tagged ${f(lofo.taggedFpr)} (${lofo.fpTagged}/${lofo.nTagged})`);
  }
  const cv = taggerTemplateCv();
  console.log(`\n### PERSON and ADDRESS on unseen templates (${cv.templates} templates, ${cv.folds} folds by template)`);
  console.log('| type | P | R | F1 |');
  console.log('|---|---|---|---|');
  for (const [type, c] of Object.entries(cv.perType)) console.log(`| ${type} | ${f(c.precision)} | ${f(c.recall)} | ${f(c.f1)} |`);
  return { secretsOwn: { recall: ownRecall, ...own.score, tuning: own.tuning }, secretsLofo: lofo, taggerCv: cv };
}

/** Texts of ordinary prose (the prompt-injection data set's texts) for a realistic throughput figure. */
function naturalCorpus(): string {
  const dir = join(DATA, '../prompt-injection');
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text))
    .join('\n\n')
    .slice(0, 1_000_000);
}

function chunks(corpus: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < corpus.length; i += 4096) out.push(corpus.slice(i, i + 4096));
  return out;
}

/** MB/s of CPU time (user + system) over 4 KB pieces: less sensitive to other load than wall time. */
async function cpuThroughput(corpus: string, detect: (text: string) => unknown, budgetMs: number): Promise<number> {
  const pieces = chunks(corpus);
  await detect(pieces[0] ?? '');
  let bytes = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  outer: for (let pass = 0; pass < 3; pass++) {
    for (const p of pieces) {
      await detect(p);
      bytes += Buffer.byteLength(p);
      if (performance.now() - t0 > budgetMs) break outer;
    }
  }
  const c = process.cpuUsage(c0);
  return bytes / 1e6 / ((c.user + c.system) / 1e6);
}

async function throughputOf(rows: Row[], natural: string, detect: (text: string) => unknown, budgetMs = 4000): Promise<{ denseMBps: number; naturalMBps: number; p50us: number }> {
  const denseMBps = await cpuThroughput(rows.map((r) => r.text).join('\n\n'), detect, budgetMs);
  const naturalMBps = natural ? await cpuThroughput(natural, detect, budgetMs) : NaN;
  const times: number[] = [];
  for (const r of rows.slice(0, 600)) {
    const s = performance.now();
    await detect(r.text);
    times.push((performance.now() - s) * 1000);
  }
  times.sort((a, b) => a - b);
  return { denseMBps, naturalMBps, p50us: times[Math.floor(times.length / 2)] ?? 0 };
}

async function main(): Promise<void> {
  if (!existsSync(DATA)) {
    console.log(`skipped: ${DATA} is absent`);
    return;
  }
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const jsonOut = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : undefined;
  const rows = ['presidio-synth-v2', 'presidio-unittests', 'gitleaks-rule-examples', 'detect-secrets-plugin-tests', 'negatives'].flatMap(load);
  console.log(`rows: ${rows.length}; machine shared by several engineers, throughput is indicative (same run, same corpus)`);
  const warden = (text: string): Span[] => scanText(text).map((x) => ({ start: x.start, end: x.end, type: x.type === 'URL_CREDENTIALS' ? 'SECRET' : x.type }));
  const natural = naturalCorpus();
  const out: Record<string, unknown> = {};
  out.warden = report('warden', score(rows, warden), await throughputOf(rows, natural, warden));
  out.wardenBySource = perSource(rows, warden);
  const core = (text: string): Span[] => scanText(text, { bestEffort: false }).map((x) => ({ start: x.start, end: x.end, type: x.type }));
  const coreTp = await throughputOf(rows, natural, core);
  console.log(`warden without the best-effort PERSON/ADDRESS detectors: ${coreTp.naturalMBps.toFixed(1)} MB/s on prose, ${coreTp.denseMBps.toFixed(1)} MB/s on the DLP rows`);
  out.wardenCoreThroughput = coreTp;
  out.closing = closing(rows, !process.argv.includes('--skip-lofo'));
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(out, null, 2));
  if (only === 'warden') return;
  const peers: Peer[] = await loadPeers();
  for (const peer of peers) {
    const spans = new Map<string, Span[]>();
    for (const r of rows) if (!spans.has(r.text)) spans.set(r.text, await peer.detect(r.text));
    const cached = (t: string): Span[] => spans.get(t) ?? [];
    const tp = await throughputOf(rows, natural, (t) => peer.detect(t), 3000);
    out[peer.name] = { ...report(peer.name, score(rows, cached), tp), bySource: perSource(rows, cached) };
  }
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(out, null, 2));
}

await main();
