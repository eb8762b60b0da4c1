/**
 * The live risk score: per principal (and per session) a short list of factors, each a detection's
 * risk points decaying with a half-life. Factors of the same name count once (the strongest); different
 * names combine as independent evidence: score = 100 * (1 - prod(1 - w_i / 100)).
 * Everything is in memory; `snapshot` is O(factors) with no I/O.
 */
import type { EntityRef, RiskSnapshot } from '../core/index.js';

/** A principal whose score fell back below a threshold it had crossed. */
export interface Fall {
  principal: EntityRef;
  previous: number;
  score: number;
  threshold: number;
}

export interface Factor {
  name: string;
  /** Risk points (0..100) at time `t`. */
  weight: number;
  t: number;
  detail: string;
  sessionId?: string | undefined;
}

const MAX_FACTORS = 32;

export class RiskLedger {
  private readonly factors = new Map<string, Factor[]>();
  private readonly lambda: number;
  /** Principals at or above a threshold: the highest one crossed and the score last seen. */
  private readonly raised = new Map<string, { principal: EntityRef; threshold: number; score: number }>();

  constructor(halfLifeMinutes: number, private readonly minWeight: number) {
    this.lambda = Math.LN2 / (halfLifeMinutes * 60_000);
  }

  get size(): number {
    return this.factors.size;
  }

  add(key: string, factor: Factor): void {
    let list = this.factors.get(key);
    if (!list) this.factors.set(key, (list = []));
    list.push(factor);
    if (list.length > MAX_FACTORS) {
      const now = factor.t;
      list.sort((a, b) => this.decayed(b, now) - this.decayed(a, now));
      list.length = MAX_FACTORS;
    }
  }

  private decayed(f: Factor, now: number): number {
    const age = Math.max(0, now - f.t);
    return f.weight * Math.exp(-this.lambda * age);
  }

  /** Score and top factors at `now`. A session sees its own factors fully, other sessions' at half weight. */
  snapshot(key: string, now: number, sessionId?: string, top = 5): RiskSnapshot {
    const list = this.factors.get(key);
    if (!list || list.length === 0) return { score: 0, factors: [] };
    const best = new Map<string, { w: number; f: Factor }>();
    let kept = 0;
    for (let i = 0; i < list.length; i++) {
      const f = list[i]!;
      let w = this.decayed(f, now);
      if (w < this.minWeight) continue;
      list[kept++] = f;
      if (f.sessionId !== undefined && sessionId !== undefined && f.sessionId !== sessionId) w /= 2;
      const prev = best.get(f.name);
      if (!prev || prev.w < w) best.set(f.name, { w, f });
    }
    list.length = kept;
    if (kept === 0) {
      this.factors.delete(key);
      return { score: 0, factors: [] };
    }
    let keep = 1;
    for (const { w } of best.values()) keep *= 1 - Math.min(100, w) / 100;
    const score = Math.round(100 * (1 - keep));
    const factors = [...best.values()]
      .sort((a, b) => b.w - a.w)
      .slice(0, top)
      .map(({ w, f }) => ({ name: f.name, weight: Math.round(w * 10) / 10, detail: f.detail }));
    return { score, factors };
  }

  /** Drops `key`'s factors named in `names` that happened at or before `until`; returns how many. */
  remove(key: string, names: ReadonlySet<string>, until: number): number {
    const list = this.factors.get(key);
    if (!list) return 0;
    const kept = list.filter((f) => !(names.has(f.name) && f.t <= until));
    this.factors.set(key, kept);
    return list.length - kept.length;
  }

  /** Remembers that `key` rose to `threshold`, so that its fall below it can be reported. */
  markRaised(key: string, principal: EntityRef, threshold: number, score: number): void {
    const cur = this.raised.get(key);
    if (!cur || cur.threshold <= threshold) this.raised.set(key, { principal, threshold, score });
  }

  /**
   * The principals whose score has fallen below the threshold they had crossed, as evidence aged.
   * `thresholds` in descending order: a principal that falls below the higher one stays watched at the
   * lower one it is still above.
   */
  falls(now: number, thresholds: readonly number[]): Fall[] {
    const out: Fall[] = [];
    for (const [key, r] of this.raised) {
      const score = this.snapshot(key, now).score;
      if (score >= r.threshold) {
        r.score = score;
        continue;
      }
      // One event per threshold passed on the way down (a fall from 85 to 10 passes deny and step-up).
      for (const th of thresholds) if (th <= r.threshold && score < th) out.push({ principal: r.principal, previous: r.score, score, threshold: th });
      const lower = thresholds.find((th) => th < r.threshold && score >= th);
      if (lower === undefined) this.raised.delete(key);
      else this.raised.set(key, { principal: r.principal, threshold: lower, score });
    }
    return out;
  }

  /** Drops principals with no live factor left (call now and then). */
  prune(now: number): void {
    for (const key of [...this.factors.keys()]) this.snapshot(key, now);
  }
}
