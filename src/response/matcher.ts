/**
 * Which playbooks an event fires, and about what. Pure apart from the per-entity counters that `count`
 * triggers need (bounded: old timestamps are dropped, and the map is capped).
 */
import type { Severity, WardenEvent, EntityRef } from '../core/index.js';
import { SEVERITIES, type Playbook } from './config.js';

const PRINCIPAL_KINDS = new Set(['User', 'Agent', 'Service']);
const MAX_COUNTERS = 100_000;

/** What an event is about, in the terms playbook actions need. */
export interface Subject {
  event: WardenEvent;
  entity: EntityRef;
  /** The principal concerned, when the entity is one (or the event names one). */
  principal?: EntityRef;
  severity: Severity;
  /** Detector name, `risk` or `asset.<change>`: the incident type. */
  kind: string;
  summary: string;
  sourceIp?: string;
  device?: string;
  asset?: string;
}

export interface Match {
  playbook: Playbook;
  subject: Subject;
  /** False while a `count` trigger waits for more events: the event still belongs to the incident. */
  fire: boolean;
}

/** The subject of an event that any playbook could fire on; undefined for other events. */
export function subjectOf(event: WardenEvent): Subject | undefined {
  if (event.type === 'detection') {
    const details = event.details ?? {};
    const entity = event.entity;
    const principal = PRINCIPAL_KINDS.has(entity.type) ? entity : undefined;
    const asset = entity.type === 'Model' || entity.type === 'Dataset' ? entity.id : stringField(details, 'asset') ?? stringField(details, 'resource');
    return {
      event,
      entity,
      ...(principal ? { principal } : {}),
      severity: event.severity,
      kind: event.detector,
      summary: `${event.detector}: ${event.explanation}`.slice(0, 500),
      ...optional('sourceIp', stringField(details, 'sourceIp') ?? stringField(details, 'ip')),
      ...optional('device', entity.type === 'Device' ? entity.id : stringField(details, 'device')),
      ...optional('asset', asset),
    };
  }
  if (event.type === 'risk') {
    if (event.direction === 'down') return undefined;
    return { event, entity: event.principal, principal: event.principal, severity: event.score >= 80 ? 'high' : 'medium', kind: 'risk', summary: `risk ${event.previous} -> ${event.score}` };
  }
  if (event.type === 'asset') {
    const severity: Severity = event.change === 'tampered' || event.change === 'marked_suspect' ? 'high' : 'medium';
    return { event, entity: { type: 'Asset', id: event.assetId }, severity, kind: `asset.${event.change}`, summary: `asset ${event.assetId} ${event.change.replaceAll('_', ' ')}`, asset: event.assetId };
  }
  return undefined;
}

export class PlaybookMatcher {
  private readonly seen = new Map<string, number[]>();

  constructor(private playbooks: readonly Playbook[]) {}

  /** Hot reload: new playbooks apply to the next event; counters of playbooks that remain are kept. */
  setPlaybooks(playbooks: readonly Playbook[]): void {
    this.playbooks = playbooks;
  }

  match(event: WardenEvent): Match[] {
    const subject = subjectOf(event);
    if (!subject) return [];
    const out: Match[] = [];
    for (const playbook of this.playbooks) {
      if (playbook.enabled && triggers(playbook, subject)) out.push({ playbook, subject, fire: this.counted(playbook, subject) });
    }
    return out;
  }

  private counted(playbook: Playbook, subject: Subject): boolean {
    const count = playbook.trigger.count;
    if (!count) return true;
    const key = `${playbook.name}|${subject.entity.type}:${subject.entity.id}`;
    const t = Date.parse(subject.event.time);
    const since = t - count.withinSeconds * 1000;
    const times = (this.seen.get(key) ?? []).filter((x) => x > since);
    times.push(t);
    if (!this.seen.has(key) && this.seen.size >= MAX_COUNTERS) this.seen.delete(this.seen.keys().next().value as string);
    if (times.length >= count.atLeast) {
      // Fired: the next firing needs a fresh run of attempts.
      this.seen.delete(key);
      return true;
    }
    this.seen.set(key, times.slice(-count.atLeast));
    return false;
  }
}

export function triggers(playbook: Playbook, s: Subject): boolean {
  const t = playbook.trigger;
  const e = s.event;
  if (!(t.events as string[]).includes(e.type)) return false;
  if (t.entityKinds && !t.entityKinds.includes(s.entity.type)) return false;
  if (t.minSeverity && SEVERITIES.indexOf(s.severity) < SEVERITIES.indexOf(t.minSeverity)) return false;
  if (e.type === 'detection' && t.detectors && !t.detectors.some((d) => (d.endsWith('*') ? e.detector.startsWith(d.slice(0, -1)) : e.detector === d))) return false;
  if (e.type === 'risk' && !(t.riskAtLeast !== undefined && e.score >= t.riskAtLeast && e.previous < t.riskAtLeast)) return false;
  if (e.type === 'asset' && !(t.assetChanges as string[]).includes(e.change)) return false;
  if (t.match) {
    for (const [path, expected] of Object.entries(t.match)) {
      const actual = fieldAt(e, path);
      if (Array.isArray(expected) ? !expected.some((x) => x === actual) : actual !== expected) return false;
    }
  }
  return true;
}

/** The value at a dotted path of an event; own properties only (no `__proto__` or `constructor` walks). */
export function fieldAt(value: unknown, path: string): unknown {
  let at: unknown = value;
  for (const part of path.split('.')) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

function stringField(details: Record<string, unknown>, key: string): string | undefined {
  const v = details[key];
  return typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : undefined;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
