/**
 * The output classifier on answers, streamed through the real output inspector (committed model) in
 * token-sized chunks:
 * - ordinary answers, built from the benign data: explanations (English Wikipedia paragraphs, Rust book and
 *   PEP prose), code (TheAlgorithms, Rust book), step lists (English tldr pages), hand-written answers that
 *   quote security advice (eval/guard/answers.jsonl), and the demo upstream's own answers. Every
 *   TOOL_INJECTION finding on these is a false positive;
 * - answers that carry instructions aimed at tools or agents: an ordinary answer with an inserted payload
 *   (the inserted part of the injected documents of TaskTracker and AgentDojo, BIPIA's payloads), only those
 *   that ask for an action through a tool. These sources are in the committed model's training data, so this
 *   recall is optimistic.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGuard } from '../../src/guard/index.js';
import { segmentDocument } from '../../src/guard/injection/index.js';
import { normalizeUnicode } from '../../src/guard/normalize/index.js';
import { cleanSegmentsOf, prng, readRowsFromDisk, toCorpusRows, type CorpusRow } from '../../src/guard/injection/training/index.js';
import { pct } from './metrics.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PER_KIND = 300;
/**
 * Payloads that ask for an action through a tool (send, transfer, delete, invite, visit, run ...): the ones
 * an answer could pass on to a downstream agent. Trivia questions and "translate this" tasks are not.
 */
const TOOL_ACTION = /\b(?:send|forward|e-?mail|transfer|wire|pay|delete|remove|invite|add|visit|click|open|download|upload|execute|run|install|change|reset|update|post|share|book|reserve|cancel)\b/i;

/** The demo upstream's answer words (src/demo/upstream.ts), each possibly upper-cased. */
const DEMO_WORDS = ['Warden', 'verified', 'this', 'request', 'before', 'it', 'reached', 'the', 'model', 'and', 'checked', 'the', 'answer', 'too.'];

function pick<T>(xs: readonly T[], n: number, seed: number): T[] {
  const rand = prng(seed);
  const idx = xs.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
  }
  return idx.slice(0, n).sort((a, b) => a - b).map((i) => xs[i] as T);
}

function rowsOf(dataDir: string, file: string): CorpusRow[] {
  return toCorpusRows(readRowsFromDisk(join(dataDir, file)));
}

/** Token-sized chunks (3 to 12 characters), as an LLM stream delivers them. */
function chunks(text: string, seed: number): string[] {
  const rand = prng(seed);
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const n = 3 + Math.floor(rand() * 10);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

export interface AnswerSets {
  benign: Record<string, string[]>;
  attacks: Record<string, string[]>;
}

export function answerSets(dataDir: string): AnswerSets {
  const extra = (f: string): CorpusRow[] => rowsOf(dataDir, join('prompt-injection-extra', f));
  const benignRows = [...extra('xquad_contexts.jsonl'), ...extra('rust_book.jsonl'), ...extra('python_peps.jsonl'), ...extra('thealgorithms_python_code.jsonl'), ...extra('tldr_pages.jsonl')];
  const prose = (t: string): boolean => !/```|::\s*$|^\s{4}/m.test(t);
  const explanations = [
    ...pick(extra('xquad_contexts.jsonl').map((r) => r.text).filter((t) => /^[\x20-\x7e\s]+$/.test(t.slice(0, 200))), PER_KIND / 3, 1),
    ...pick(extra('rust_book.jsonl').map((r) => r.text).filter(prose), PER_KIND / 3, 2),
    ...pick(extra('python_peps.jsonl').map((r) => r.text).filter(prose), PER_KIND / 3, 3),
  ];
  const code = [...pick(extra('thealgorithms_python_code.jsonl').map((r) => r.text), PER_KIND / 2, 4), ...pick(extra('rust_book.jsonl').map((r) => r.text).filter((t) => !prose(t)), PER_KIND / 2, 5)];
  const steps = pick(extra('tldr_pages.jsonl').filter((r) => r.text.startsWith('# ') && /^> .*[a-z]/m.test(r.text) && !/[^\t\n\x20-\x7e]{3}/.test(r.text)).map((r) => r.text), PER_KIND, 6);
  const security = readRowsFromDisk(resolve(root, 'eval/guard/answers.jsonl')).map((r) => r.text);
  const demo: string[] = [];
  for (let mask = 0; mask < 1 << 13; mask += 37) demo.push(DEMO_WORDS.map((w, i) => (i > 0 && (mask >> (i - 1)) & 1 ? w.toUpperCase() : w)).join(' '));

  // payloads: the inserted part of injected documents (segments found in no clean document), BIPIA's payload file
  const injected = [...extra('injected_documents.jsonl'), ...extra('agentdojo_injected.jsonl')];
  const clean = cleanSegmentsOf(benignRows.concat(extra('agentdojo_documents.jsonl'), extra('fivethirtyeight_tables.jsonl')));
  const payloads: string[] = [];
  for (const r of pick(injected, PER_KIND * 2, 7)) {
    const inserted = segmentDocument(normalizeUnicode(r.text).text).filter((s) => !clean.has(s) && /\p{L}{3}.*\p{L}{3}.*\p{L}{3}/u.test(s));
    if (inserted.length > 0) payloads.push(inserted.join('\n'));
  }
  const bipia = rowsOf(dataDir, join('prompt-injection', 'bipia_attack_payloads_train.jsonl')).map((r) => r.text).filter((t) => TOOL_ACTION.test(t));
  const host = 'Here is the summary you asked for: the report covers revenue, hiring and the new office.';
  const attacks = {
    'inserted payloads that act through tools (TaskTracker, AgentDojo)': pick(payloads.filter((p) => TOOL_ACTION.test(p)), PER_KIND, 8).map((p) => `${host}\n${p}\nLet me know if you need more.`),
    'BIPIA payloads that act through tools': bipia.map((p) => `${host}\n${p}`),
  };
  return { benign: { 'explanations': explanations, 'code': code, 'step lists (tldr)': steps, 'security advice (hand-written)': security, 'demo answers': demo }, attacks };
}

export interface OutputResult {
  benign: Record<string, { n: number; flagged: number }>;
  attacks: Record<string, { n: number; flagged: number }>;
  falsePositiveRate: number;
  table: string;
}

/** Streams every answer through a fresh output inspector and counts answers with a TOOL_INJECTION finding. */
export function evaluateOutput(dataDir: string): OutputResult {
  const sets = answerSets(dataDir);
  const guard = createGuard({});
  const route = guard.routeOptions();
  const run = (texts: readonly string[]): { n: number; flagged: number } => {
    let flagged = 0;
    texts.forEach((t, k) => {
      const inspector = guard.createOutputInspector({ route });
      for (const c of chunks(t, k + 1)) inspector.push(c);
      if (inspector.end().findings.some((f) => f.type === 'TOOL_INJECTION')) flagged++;
    });
    return { n: texts.length, flagged };
  };
  const benign = Object.fromEntries(Object.entries(sets.benign).map(([k, v]) => [k, run(v)]));
  const attacks = Object.fromEntries(Object.entries(sets.attacks).map(([k, v]) => [k, run(v)]));
  const totals = Object.values(benign).reduce((a, b) => ({ n: a.n + b.n, flagged: a.flagged + b.flagged }), { n: 0, flagged: 0 });
  const lines = ['| answers | n | flagged (TOOL_INJECTION) | rate |', '|---|---|---|---|'];
  for (const [k, v] of Object.entries(benign)) lines.push(`| ordinary: ${k} | ${v.n} | ${v.flagged} | ${pct(v.flagged / v.n)} % FP |`);
  lines.push(`| **ordinary, all** | ${totals.n} | ${totals.flagged} | **${pct(totals.flagged / totals.n)} % FP** |`);
  for (const [k, v] of Object.entries(attacks)) lines.push(`| with instructions for tools: ${k} | ${v.n} | ${v.flagged} | ${pct(v.flagged / v.n)} % recall |`);
  return { benign, attacks, falsePositiveRate: totals.flagged / totals.n, table: lines.join('\n') };
}
