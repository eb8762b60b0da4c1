/** Metrics of the injection evaluation: per category, per source, pooled and macro-averaged over sources. */
export interface Scored {
  category: string;
  label: 0 | 1;
  score: number;
  flagged: boolean;
}

export interface ScoredRow extends Scored {
  row: number;
  source: string;
  origin: string;
}

export const ATTACK_CATEGORIES = ['injection', 'jailbreak', 'injection-document'] as const;
export const BENIGN_CATEGORIES = ['benign-chat', 'benign-document', 'benign-hard'] as const;
/** Reported, but not part of balanced accuracy: payloads alone read as ordinary chat. */
export const EXTRA_CATEGORIES = ['injection-payload'] as const;
const CORE: ReadonlySet<string> = new Set([...ATTACK_CATEGORIES, ...BENIGN_CATEGORIES]);

export interface Summary {
  n: number;
  /** Attack categories: recall; benign categories: false-positive rate. */
  perCategory: Record<string, { n: number; rate: number }>;
  attackRecall: number;
  benignSpecificity: number;
  balancedAccuracy: number;
  tprAt1Fpr: number | null;
}

function rate(xs: readonly Scored[], pick: (s: Scored) => boolean): number {
  return xs.length === 0 ? Number.NaN : xs.filter(pick).length / xs.length;
}

/** TPR at the score threshold that keeps benign false positives at or below 1%. */
export function tprAtFpr(scored: readonly Scored[], fpr = 0.01): number | null {
  const benign = scored.filter((s) => s.label === 0).map((s) => s.score).sort((a, b) => b - a);
  const attacks = scored.filter((s) => s.label === 1);
  if (benign.length === 0 || attacks.length === 0) return null;
  const threshold = benign[Math.floor(benign.length * fpr)] ?? 0; // scores strictly above it are flagged
  return attacks.filter((s) => s.score > threshold).length / attacks.length;
}

/** Pooled figures: every row counts once. */
export function summarize(scored: readonly Scored[], withScores = true): Summary {
  const perCategory: Summary['perCategory'] = {};
  for (const c of [...ATTACK_CATEGORIES, ...EXTRA_CATEGORIES, ...BENIGN_CATEGORIES]) {
    const xs = scored.filter((s) => s.category === c);
    if (xs.length > 0) perCategory[c] = { n: xs.length, rate: rate(xs, (s) => s.flagged) };
  }
  const core = scored.filter((s) => CORE.has(s.category));
  const attackRecall = rate(core.filter((s) => s.label === 1), (s) => s.flagged);
  const benignSpecificity = rate(core.filter((s) => s.label === 0), (s) => !s.flagged);
  return { n: scored.length, perCategory, attackRecall, benignSpecificity, balancedAccuracy: (attackRecall + benignSpecificity) / 2, tprAt1Fpr: withScores ? tprAtFpr(core) : null };
}

export interface MacroSummary {
  /** Sources averaged (each source counts once, whatever its size). */
  sources: number;
  /** Mean over sources with attacks of their recall, and over sources with benign rows of their specificity. */
  attackRecall: number;
  benignSpecificity: number;
  /** The mean of the two: balanced accuracy with every source weighing the same. */
  balancedAccuracy: number;
  /** Per category: the mean over the sources that have it of their rate (recall or FPR), and the worst source. */
  perCategory: Record<string, { sources: number; rate: number; worst: number; worstSource: string }>;
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

export function bySource(scored: readonly ScoredRow[]): Map<string, ScoredRow[]> {
  const out = new Map<string, ScoredRow[]>();
  for (const s of scored) {
    const list = out.get(s.source);
    if (list) list.push(s);
    else out.set(s.source, [s]);
  }
  return new Map([...out.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

/** Macro averages over sources (the headline of leave-one-source-out). */
export function macroSummary(scored: readonly ScoredRow[]): MacroSummary {
  const recalls: number[] = [];
  const specificities: number[] = [];
  const perCategory: MacroSummary['perCategory'] = {};
  const groups = bySource(scored);
  for (const rows of groups.values()) {
    const core = rows.filter((s) => CORE.has(s.category));
    const attacks = core.filter((s) => s.label === 1);
    const benign = core.filter((s) => s.label === 0);
    if (attacks.length > 0) recalls.push(rate(attacks, (s) => s.flagged));
    if (benign.length > 0) specificities.push(rate(benign, (s) => !s.flagged));
  }
  for (const c of [...ATTACK_CATEGORIES, ...EXTRA_CATEGORIES, ...BENIGN_CATEGORIES]) {
    const rates: Array<[string, number]> = [];
    for (const [source, rows] of groups) {
      const xs = rows.filter((s) => s.category === c);
      if (xs.length > 0) rates.push([source, rate(xs, (s) => s.flagged)]);
    }
    if (rates.length === 0) continue;
    const attack = !(BENIGN_CATEGORIES as readonly string[]).includes(c);
    const worst = rates.reduce((w, r) => ((attack ? r[1] < w[1] : r[1] > w[1]) ? r : w));
    perCategory[c] = { sources: rates.length, rate: mean(rates.map((r) => r[1])), worst: worst[1], worstSource: worst[0] };
  }
  const attackRecall = mean(recalls);
  const benignSpecificity = mean(specificities);
  return { sources: groups.size, attackRecall, benignSpecificity, balancedAccuracy: (attackRecall + benignSpecificity) / 2, perCategory };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export const pct = (x: number): string => (Number.isNaN(x) ? '–' : (100 * x).toFixed(1));

const ALL_CATEGORIES = [...ATTACK_CATEGORIES, ...EXTRA_CATEGORIES, ...BENIGN_CATEGORIES];

/** One markdown table: rows are detectors (or held-out sources), columns the categories and the summary figures. */
export function table(results: ReadonlyArray<{ name: string; summary: Summary }>): string {
  const head = ['detector', ...ALL_CATEGORIES.map((c) => `${(BENIGN_CATEGORIES as readonly string[]).includes(c) ? 'FPR' : 'recall'} ${c}`), 'bal. acc.', 'TPR@1%FPR'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of results) {
    const cells = ALL_CATEGORIES.map((c) => {
      const v = r.summary.perCategory[c];
      return v === undefined ? '–' : `${pct(v.rate)} (${v.n})`;
    });
    lines.push(`| ${r.name} | ${cells.join(' | ')} | ${pct(r.summary.balancedAccuracy)} | ${r.summary.tprAt1Fpr === null ? 'n/a' : pct(r.summary.tprAt1Fpr)} |`);
  }
  return lines.join('\n');
}

/** The macro table: one row per detector, macro rate per category with its worst source. */
export function macroTable(results: ReadonlyArray<{ name: string; macro: MacroSummary }>): string {
  const head = ['detector', 'macro bal. acc.', 'macro recall', 'macro specificity', ...ALL_CATEGORIES.map((c) => `${(BENIGN_CATEGORIES as readonly string[]).includes(c) ? 'FPR' : 'recall'} ${c} (worst source)`)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of results) {
    const cells = ALL_CATEGORIES.map((c) => {
      const v = r.macro.perCategory[c];
      return v === undefined ? '–' : `${pct(v.rate)} (${pct(v.worst)} ${v.worstSource})`;
    });
    lines.push(`| ${r.name} | ${pct(r.macro.balancedAccuracy)} | ${pct(r.macro.attackRecall)} | ${pct(r.macro.benignSpecificity)} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
