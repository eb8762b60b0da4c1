/**
 * Insider tampering with AI assets (writes to datasets or models by unusual actors, at unusual hours or
 * outside change windows) and guard campaigns (repeated prompt-injection detections for one principal).
 */
import type { EntityRef, AssetEvent, DetectionEvent } from '../../core/index.js';
import type { RiskConfig } from '../config.js';
import type { Activity, Finding } from '../types.js';
import { fmtDays } from './context.js';

export class AssetBaseline {
  writers = new Map<string, number>();
  hours = new Uint32Array(24);
  total = 0;
  firstSeen = 0;
  dirty = false;

  toJSON(): Record<string, unknown> {
    return { v: 1, writers: [...this.writers], hours: Array.from(this.hours), total: this.total, firstSeen: this.firstSeen };
  }

  static fromJSON(data: unknown): AssetBaseline {
    const b = new AssetBaseline();
    if (!data || typeof data !== 'object') return b;
    const d = data as Record<string, unknown>;
    if (Array.isArray(d.writers)) b.writers = new Map(d.writers as [string, number][]);
    if (Array.isArray(d.hours) && d.hours.length === 24) b.hours = Uint32Array.from(d.hours as number[]);
    b.total = typeof d.total === 'number' ? d.total : 0;
    b.firstSeen = typeof d.firstSeen === 'number' ? d.firstSeen : 0;
    return b;
  }
}

function inChangeWindow(config: RiskConfig, t: number): boolean {
  const date = new Date(t);
  const day = date.getUTCDay();
  const hour = date.getUTCHours();
  return config.changeWindows.some((w) => w.days.includes(day) && hour >= w.fromHour && hour < w.toHour);
}

/** `actorHourShare`: the share of the actor's own activity at this hour of day (from its baseline). */
export function detectTamper(a: Activity, asset: AssetBaseline, actorHourShare: number, config: RiskConfig, learningMs: number, out: Finding[]): void {
  if (!a.write || !a.resource || !a.success) return;
  if (asset.firstSeen === 0) asset.firstSeen = a.t;
  const hour = new Date(a.t).getUTCHours();
  const established = a.t - asset.firstSeen >= learningMs && asset.total >= 10;
  if (established) {
    const reasons: string[] = [];
    let score = 0;
    const writes = asset.writers.get(a.key) ?? 0;
    if (writes === 0) {
      score += 0.5;
      reasons.push(`\`${a.key}\` never wrote it before (usual writers: ${[...asset.writers.keys()].slice(0, 5).join(', ') || 'none'})`);
    }
    const near = asset.hours[hour]! + 0.5 * (asset.hours[(hour + 23) % 24]! + asset.hours[(hour + 1) % 24]!);
    if (near / asset.total < 0.02) {
      score += 0.25;
      reasons.push(`${String(hour).padStart(2, '0')}:00 UTC is outside its usual write hours (${asset.total} writes over ${fmtDays(a.t - asset.firstSeen)})`);
      if (actorHourShare < 0.005) {
        score += 0.2;
        reasons.push(`and outside the actor's own hours (${(actorHourShare * 100).toFixed(2)}% of its activity)`);
      }
    }
    if (config.changeWindows.length > 0 && !inChangeWindow(config, a.t)) {
      score += 0.3;
      reasons.push('outside every configured change window');
    }
    if (score > 0) {
      out.push({
        detector: 'risk.asset_tamper',
        category: 'integrity',
        entity: a.principal,
        score: Math.min(0.95, score + 0.1),
        explanation: `write to \`${a.resource}\` (${a.action ?? 'write'}): ${reasons.join('; ')}`,
        details: { resource: a.resource, action: a.action, hourUtc: hour },
        sessionId: a.credentialId,
        requestId: a.requestId,
      });
    }
  }
  asset.writers.set(a.key, (asset.writers.get(a.key) ?? 0) + 1);
  asset.hours[hour]!++;
  asset.total++;
  asset.dirty = true;
}

/** An asset event from the integrity module: tampering is a finding against the actor, if known. */
export function detectAssetEvent(event: AssetEvent, out: Finding[]): void {
  if (event.change !== 'tampered' && event.change !== 'marked_suspect') return;
  const entity: EntityRef = event.actor ?? { type: 'Asset', id: event.assetId };
  out.push({
    detector: 'risk.asset_tamper',
    category: 'integrity',
    entity,
    score: event.change === 'tampered' ? 0.9 : 0.6,
    explanation: `asset \`${event.assetId}\` ${event.change === 'tampered' ? 'changed without an approved change (digest mismatch)' : 'marked suspect'}${event.actor ? ` after a write by \`${event.actor.type}:${event.actor.id}\`` : ''}`,
    details: { assetId: event.assetId, change: event.change },
  });
}

/** Counts guard detections per principal; a burst within the window is a campaign. */
export class GuardTracker {
  private readonly recent = new Map<string, number[]>();

  constructor(private readonly config: RiskConfig) {}

  observe(event: DetectionEvent, t: number, out: Finding[]): void {
    if (!event.detector.startsWith('guard.')) return;
    const key = `${event.entity.type}:${event.entity.id}`;
    const windowMs = this.config.guard.windowMinutes * 60_000;
    const times = (this.recent.get(key) ?? []).filter((x) => t - x <= windowMs);
    times.push(t);
    if (this.recent.size >= 100_000 && !this.recent.has(key)) this.recent.delete(this.recent.keys().next().value as string);
    this.recent.set(key, times);
    if (times.length >= this.config.guard.minDetections) {
      out.push({
        detector: 'risk.guard_campaign',
        category: 'guard',
        entity: event.entity,
        score: Math.min(0.95, 0.55 + 0.05 * times.length),
        explanation: `${times.length} guard detections (latest \`${event.detector}\`) for this principal within ${this.config.guard.windowMinutes} min (campaign threshold ${this.config.guard.minDetections}; a benign principal trips the guard rarely and singly)`,
        details: { count: times.length, latest: event.detector },
        requestId: event.requestId,
      });
    }
  }
}
