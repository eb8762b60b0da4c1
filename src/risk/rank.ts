/**
 * Ranks the sources (addresses or host names) that detections point at, the way an analyst triages an
 * auth log: a source's evidence is the strongest finding of each detector naming it, combined as
 * independent evidence (1 - prod(1 - score)); findings about an account that name the source (a success
 * after failures, an attacker's success) count for the source too.
 *
 * @example
 * rankSources(await engine.detections({ limit: 10_000 }))[0]; // { source: '183.62.140.253', score: 0.97, detectors: [...] }
 */
import type { DetectionRecord } from './types.js';

export interface RankedSource {
  source: string;
  score: number;
  detections: number;
  /** Strongest score per detector. */
  detectors: Record<string, number>;
  first: string;
}

const SOURCE_TYPES = new Set(['SourceIp', 'SourceHost']);

function sourceOf(d: DetectionRecord): string | undefined {
  if (SOURCE_TYPES.has(d.entity.type)) return d.entity.id;
  const ip = d.details?.sourceIp;
  return typeof ip === 'string' && ip ? ip : undefined;
}

export function rankSources(detections: readonly DetectionRecord[]): RankedSource[] {
  const by = new Map<string, RankedSource>();
  for (const d of detections) {
    const source = sourceOf(d);
    if (!source) continue;
    let r = by.get(source);
    if (!r) by.set(source, (r = { source, score: 0, detections: 0, detectors: {}, first: d.time }));
    r.detections++;
    r.detectors[d.detector] = Math.max(r.detectors[d.detector] ?? 0, d.score);
    if (d.time < r.first) r.first = d.time;
  }
  // Sorted by the exact combined score (near 1 the rounded ones tie), shown rounded.
  const exact = new Map<RankedSource, number>();
  for (const r of by.values()) {
    const keep = Object.values(r.detectors).reduce((k, s) => k * (1 - s), 1);
    exact.set(r, 1 - keep);
    r.score = Math.round(1000 * (1 - keep)) / 1000;
  }
  return [...by.values()].sort((a, b) => exact.get(b)! - exact.get(a)! || b.detections - a.detections || a.first.localeCompare(b.first));
}
