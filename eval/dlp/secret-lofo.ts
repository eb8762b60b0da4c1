/**
 * Secrets of services without a dedicated rule, measured leave-one-family-out: for each format family (see
 * src/guard/dlp/secret-families.ts), the detector forgets that family's gitleaks rules, token prefixes and
 * structured formats, its generic entropy floors are tuned on the other families only (maximum recall with at
 * most 2% false positives on their look-alike negatives), and it is scored on the family's own positives and
 * negatives. A family is never both in the tuning and in the test.
 */
import { createSecretDetector, DEFAULT_SECRET_TUNING, familyOf, findCandidates, scanText, type Candidates, type DlpFinding, type SecretTuning } from '../../src/guard/dlp/index.js';
import type { Span } from './peers.js';

export interface SecretRow {
  text: string;
  spans: Span[];
  family: string;
  /** Negative rows: the data's look-alike tags (placeholder, hex-hash, uuid, ...). */
  tags: string[];
  /** The fused pass and the URL-credential findings, computed once (neither depends on a fold). */
  candidates: Candidates;
  urlCredentials: Span[];
}

interface Score {
  tp: number;
  fn: number;
  fp: number;
  n: number;
  negTagged: number;
  fpTagged: number;
}

const GRID: Record<keyof SecretTuning, number[]> = {
  passwordMinEntropy: [1.5, 1.75, 2, 2.25, 2.5, 2.75, 3],
  tokenMinEntropy: [2.25, 2.5, 2.75, 3, 3.25, 3.5, 3.75],
  weakKeyMinEntropy: [2.5, 2.75, 3, 3.25, 3.5, 3.75, 4],
  prefixedMinEntropy: [3, 3.25, 3.5, 3.75, 4, 4.25, 4.5],
};
const MAX_FPR = 0.02;

function overlaps(a: Span, b: Span): boolean {
  const inter = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  return inter > 0 && inter * 2 >= Math.min(a.end - a.start, b.end - b.start);
}

function scoreRows(positives: SecretRow[], negatives: SecretRow[], tuning: SecretTuning, exclude: ReadonlySet<string>): Score {
  const secrets = createSecretDetector({ excludeFamilies: exclude, tuning });
  const found = (row: SecretRow): Span[] => {
    const out: DlpFinding[] = [];
    secrets(row.text, out, row.candidates);
    return [...out, ...row.urlCredentials];
  };
  const s: Score = { tp: 0, fn: 0, fp: 0, n: negatives.length, negTagged: 0, fpTagged: 0 };
  for (const row of positives) {
    const preds = found(row);
    for (const g of row.spans) if (preds.some((p) => overlaps(p, g))) s.tp++;
    else s.fn++;
  }
  for (const row of negatives) {
    const flagged = found(row).length > 0;
    if (flagged) s.fp++;
    if (row.tags.length) {
      s.negTagged++;
      if (flagged) s.fpTagged++;
    }
  }
  return s;
}

function objective(s: Score): number {
  const recall = s.tp / Math.max(1, s.tp + s.fn);
  const fpr = s.fp / Math.max(1, s.n);
  return fpr <= MAX_FPR ? recall - 0.1 * fpr : recall - 5 * fpr;
}

/** Coordinate ascent over the grid, two rounds, from the shipped floors. */
export function tuneSecrets(positives: SecretRow[], negatives: SecretRow[], exclude: ReadonlySet<string> = new Set()): { tuning: SecretTuning; score: Score } {
  let best = { ...DEFAULT_SECRET_TUNING };
  let bestScore = scoreRows(positives, negatives, best, exclude);
  for (let round = 0; round < 2; round++) {
    for (const key of Object.keys(GRID) as (keyof SecretTuning)[]) {
      for (const v of GRID[key]) {
        if (v === best[key]) continue;
        const trial = { ...best, [key]: v };
        const sc = scoreRows(positives, negatives, trial, exclude);
        if (objective(sc) > objective(bestScore) + 1e-9) {
          best = trial;
          bestScore = sc;
        }
      }
    }
  }
  return { tuning: best, score: bestScore };
}

export interface LofoResult {
  families: { family: string; positives: number; recall: number; negatives: number; fp: number; tuning: SecretTuning }[];
  microRecall: number;
  macroRecall: number;
  fpr: number;
  taggedFpr: number;
  tp: number;
  fn: number;
  fp: number;
  n: number;
  nTagged: number;
  fpTagged: number;
}

export function leaveOneFamilyOut(positives: SecretRow[], negatives: SecretRow[], log: (line: string) => void = () => {}): LofoResult {
  const families = [...new Set([...positives, ...negatives].map((r) => r.family))].sort();
  const out: LofoResult['families'] = [];
  let tp = 0, fn = 0, fp = 0, n = 0, nTagged = 0, fpTagged = 0;
  for (const family of families) {
    const testPos = positives.filter((r) => r.family === family);
    const testNeg = negatives.filter((r) => r.family === family);
    const { tuning } = tuneSecrets(positives.filter((r) => r.family !== family), negatives.filter((r) => r.family !== family), new Set([family]));
    const s = scoreRows(testPos, testNeg, tuning, new Set([family]));
    tp += s.tp;
    fn += s.fn;
    fp += s.fp;
    n += s.n;
    nTagged += s.negTagged;
    fpTagged += s.fpTagged;
    const recall = s.tp + s.fn ? s.tp / (s.tp + s.fn) : NaN;
    out.push({ family, positives: s.tp + s.fn, recall, negatives: s.n, fp: s.fp, tuning });
    log(`  ${family}: recall ${s.tp}/${s.tp + s.fn}, false positives ${s.fp}/${s.n}`);
  }
  const withPos = out.filter((f) => f.positives > 0);
  return {
    families: out,
    microRecall: tp / (tp + fn),
    macroRecall: withPos.reduce((a, f) => a + f.recall, 0) / withPos.length,
    fpr: fp / n,
    taggedFpr: fpTagged / nTagged,
    tp, fn, fp, n, nTagged, fpTagged,
  };
}

/** Rows of the secret files, each with its family (rule id or plugin); IP rows of detect-secrets are not secrets. */
export function secretRows(rows: { text: string; spans: Span[]; file: string; rule_id?: string; plugin?: string; doc_label?: boolean; negative_for?: string; lookalike_tags?: string[] }[]): {
  positives: SecretRow[];
  negatives: SecretRow[];
} {
  const positives: SecretRow[] = [];
  const negatives: SecretRow[] = [];
  for (const r of rows) {
    const id = r.rule_id ?? r.plugin;
    if (!id || id === 'ip_public') continue;
    const family = familyOf(id);
    const candidates = findCandidates(r.text);
    const urlCredentials = scanText(r.text, { types: new Set(['URL_CREDENTIALS']), bestEffort: false });
    if (r.file === 'negatives') {
      if (r.negative_for === 'SECRET') negatives.push({ text: r.text, spans: [], family, tags: r.lookalike_tags ?? [], candidates, urlCredentials });
    } else if (r.file === 'gitleaks-rule-examples' || (r.file === 'detect-secrets-plugin-tests' && r.doc_label)) {
      const spans = r.spans.filter((s) => s.type === 'SECRET');
      if (spans.length) positives.push({ text: r.text, spans, family, tags: [], candidates, urlCredentials });
    }
  }
  return { positives, negatives };
}
