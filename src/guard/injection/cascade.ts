/**
 * The cascade: the built-in detector scores every text; only texts whose score falls in its uncertain band
 * go to the model tier, in batches, within a latency budget. A text the tier answered in time takes the
 * tier's verdict (reason `model`); when the budget runs out or the tier fails, the built-in verdict stands
 * (reason `model:timeout` or `model:error`), so the tier can only refine, never silence, the detector.
 *
 * @example
 * const cascade = createCascade(detectInjection, tier, { band: [0.2, 0.9], budgetMs: 80, maxBatch: 8 });
 * const [a, b] = await cascade([{ text: prompt, kind: 'prompt' }, { text: toolResult, kind: 'document' }]);
 */
import type { DetectOptions, InjectionResult, TextKind } from './detect.js';
import type { ModelTier } from './model-tier.js';

export interface CascadeOptions {
  /** Built-in scores in [low, high) are uncertain and go to the tier. */
  band: readonly [number, number];
  /** Longest wait for the tier per call, in ms; texts not answered by then keep the built-in verdict. */
  budgetMs: number;
  /** Most texts per inference call. */
  maxBatch: number;
  /** Tier probability at or above which a text is flagged. */
  threshold: number;
}

export const DEFAULT_CASCADE_OPTIONS: CascadeOptions = { band: [0.2, 0.9], budgetMs: 100, maxBatch: 8, threshold: 0.5 };

export type CascadeDetector = (items: ReadonlyArray<{ text: string; kind: TextKind }>) => Promise<InjectionResult[]>;

const TIMEOUT = Symbol('timeout');

export function createCascade(detect: (text: string, options?: DetectOptions) => InjectionResult, tier: ModelTier, options: Partial<CascadeOptions> = {}): CascadeDetector {
  const opts = { ...DEFAULT_CASCADE_OPTIONS, ...options };
  return async (items) => {
    const results = items.map((it) => detect(it.text, { kind: it.kind }));
    const uncertain = results.flatMap((r, i) => (r.score >= opts.band[0] && r.score < opts.band[1] ? [i] : []));
    if (uncertain.length === 0) return results;
    const batches: number[][] = [];
    for (let i = 0; i < uncertain.length; i += opts.maxBatch) batches.push(uncertain.slice(i, i + opts.maxBatch));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMEOUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMEOUT), opts.budgetMs);
    });
    const answered = new Set<number>();
    let closed = false;
    const work = (async () => {
      for (const batch of batches) {
        const probabilities = await tier.classify(batch.map((i) => (items[i] as { text: string }).text));
        // After the budget the caller has its results: late answers must not change them.
        if (closed) return;
        batch.forEach((i, k) => {
          const p = probabilities[k] as number;
          const before = results[i] as InjectionResult;
          results[i] = { score: p, flagged: p >= opts.threshold, reasons: [...before.reasons.filter((r) => r !== 'classifier'), 'model'] };
          answered.add(i);
        });
      }
    })();
    let outcome: 'done' | 'timeout' | 'error' = 'done';
    try {
      outcome = (await Promise.race([work, deadline])) === TIMEOUT ? 'timeout' : 'done';
    } catch {
      // The tier failed (a broken model file, an inference error): the built-in verdicts stand, marked.
      outcome = 'error';
    } finally {
      closed = true;
      clearTimeout(timer);
    }
    // A batch still running after the budget finishes in the background; its late answers are ignored.
    work.catch(() => undefined);
    if (outcome !== 'done') {
      for (const i of uncertain) {
        if (answered.has(i)) continue;
        const r = results[i] as InjectionResult;
        results[i] = { ...r, reasons: [...r.reasons, `model:${outcome}`] };
      }
    }
    return results;
  };
}
