/**
 * Incidents: detections and the actions they caused, grouped by entity within a time window, and across
 * entities that share a source address, device or asset (a campaign). Every change reads the incident
 * from the store first and is serialised in this process, so a change made by the CLI meanwhile is not
 * overwritten with a stale copy.
 */
import { randomUUID } from 'node:crypto';
import { WardenError, type EntityRef } from '../core/index.js';
import { SEVERITIES } from './config.js';
import type { Subject } from './matcher.js';
import type { ResponseRepository } from './store/types.js';
import type { ActionRecord, Incident, IncidentState, Resolution, TimelineEntry } from './types.js';

export interface IncidentChange {
  incident: Incident;
  /** `incident.create`, `incident.update` or `incident.close` (the SIEM export maps these to OCSF Incident Finding). */
  operation: 'incident.create' | 'incident.update' | 'incident.close';
  text: string;
}

export interface IncidentTrackerOptions {
  repo: ResponseRepository;
  windowSeconds: number;
  /** Every change, for the audit log and measures. */
  onChange?: (change: IncidentChange) => void;
  /** This process publishes changes (a running Warden; not the CLI). */
  publishes?: boolean;
}

const CONTAINING = new Set(['revoke_credentials', 'quarantine', 'require_step_up', 'quarantine_asset', 'isolate_device', 'block_source']);
const TRANSITIONS: Record<'acknowledged' | 'contained', readonly IncidentState[]> = { acknowledged: ['open'], contained: ['open', 'acknowledged'] };
const MAX_TIMELINE = 1000;
const MAX_LIST = 1000;

export class IncidentTracker {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: IncidentTrackerOptions) {}

  /** Adds a detection (or other triggering event) to its incident, opening one when none fits. */
  record(subject: Subject, receivedAt = new Date()): Promise<Incident> {
    return this.serial(async () => {
      const now = receivedAt.toISOString();
      const since = new Date(receivedAt.getTime() - this.options.windowSeconds * 1000).toISOString();
      const candidates = await this.options.repo.listIncidents({ state: ['open', 'acknowledged', 'contained'], activeSince: since, limit: MAX_LIST });
      const indicators = indicatorsOf(subject);
      const key = entityKey(subject.entity);
      const own = candidates.find((i) => i.entities.some((e) => entityKey(e) === key));
      const shared = own ?? candidates.find((i) => i.indicators.some((x) => indicators.includes(x)));
      const eventTime = subject.event.time;
      const detection: TimelineEntry = { time: now, kind: 'detection', text: subject.summary, ref: subject.event.id };
      if (!shared) {
        const incident: Incident = {
          id: `inc_${randomUUID()}`,
          kind: 'entity',
          type: subject.kind,
          title: subject.summary.slice(0, 200),
          severity: subject.severity,
          state: 'open',
          entities: [subject.entity],
          indicators,
          detections: [subject.event.id],
          detectorNames: [subject.kind],
          actions: [],
          notes: [],
          timeline: [{ time: eventTime, kind: 'first_malicious_event', text: `first event: ${subject.summary}`.slice(0, 500), ref: subject.event.id }, detection],
          firstEventAt: eventTime,
          firstDetectionAt: now,
          lastActivityAt: now,
          createdAt: now,
          updatedAt: now,
        };
        await this.save(incident, 'incident.create', `incident opened: ${incident.title}`);
        return incident;
      }
      const incident = structuredClone(shared);
      if (incident.detections.includes(subject.event.id)) return incident;
      if (!incident.entities.some((e) => entityKey(e) === key)) {
        incident.entities.push(subject.entity);
        incident.kind = 'campaign';
      }
      for (const x of indicators) if (!incident.indicators.includes(x)) incident.indicators.push(x);
      incident.detections.push(subject.event.id);
      if (!incident.detectorNames.includes(subject.kind)) incident.detectorNames.push(subject.kind);
      if (SEVERITIES.indexOf(subject.severity) > SEVERITIES.indexOf(incident.severity)) incident.severity = subject.severity;
      if (eventTime < incident.firstEventAt) {
        incident.firstEventAt = eventTime;
        const first = incident.timeline.find((t) => t.kind === 'first_malicious_event');
        if (first) Object.assign(first, { time: eventTime, ref: subject.event.id, text: `first event: ${subject.summary}`.slice(0, 500) });
      }
      push(incident, detection);
      incident.lastActivityAt = now;
      await this.save(incident, 'incident.update', `detection added: ${subject.summary}`);
      return incident;
    });
  }

  /** Records an action on its incident; a containing action that took effect contains the incident. */
  action(incidentId: string, action: ActionRecord): Promise<Incident | undefined> {
    return this.serial(async () => {
      const stored = await this.options.repo.getIncident(incidentId);
      if (!stored) return undefined;
      const incident = structuredClone(stored);
      const now = new Date().toISOString();
      if (!incident.actions.includes(action.id)) incident.actions.push(action.id);
      push(incident, { time: now, kind: 'action', text: `${action.type} on ${action.target.type}::${action.target.id}: ${action.status}`, ref: action.id });
      incident.lastActivityAt = now;
      if (action.status === 'active' && CONTAINING.has(action.type) && TRANSITIONS.contained.includes(incident.state)) {
        incident.state = 'contained';
        incident.containedAt ??= action.enforcedAt ?? now;
        push(incident, { time: now, kind: 'state', text: 'contained (by the playbook)', actor: `playbook:${action.playbook}` });
      }
      await this.save(incident, 'incident.update', `action ${action.type}: ${action.status}`);
      return incident;
    });
  }

  transition(id: string, to: 'acknowledged' | 'contained', actor: string): Promise<Incident> {
    return this.change(id, actor, (incident, now) => {
      if (incident.state === to) return false;
      if (!TRANSITIONS[to].includes(incident.state)) throw new WardenError('conflict', `incident ${id} is ${incident.state}; it cannot become ${to}`);
      incident.state = to;
      if (to === 'acknowledged') incident.acknowledgedAt = now;
      else {
        incident.containedAt ??= now;
        incident.acknowledgedAt ??= now;
      }
      push(incident, { time: now, kind: 'state', text: to, actor });
      return true;
    });
  }

  resolve(id: string, resolution: Resolution, actor: string, note?: string): Promise<Incident> {
    return this.change(id, actor, (incident, now) => {
      if (incident.state === 'resolved') {
        if (incident.resolution === resolution) return false;
        throw new WardenError('conflict', `incident ${id} is already resolved as ${incident.resolution}`);
      }
      incident.state = 'resolved';
      incident.resolution = resolution;
      incident.resolvedAt = now;
      incident.acknowledgedAt ??= now;
      if (note) incident.notes.push({ time: now, author: actor, text: note });
      push(incident, { time: now, kind: 'state', text: `resolved as ${resolution}${note ? `: ${note}` : ''}`, actor });
      return true;
    });
  }

  note(id: string, text: string, actor: string): Promise<Incident> {
    return this.change(id, actor, (incident, now) => {
      incident.notes.push({ time: now, author: actor, text });
      push(incident, { time: now, kind: 'note', text, actor });
      return true;
    });
  }

  assign(id: string, assignee: string, actor: string): Promise<Incident> {
    return this.change(id, actor, (incident, now) => {
      if (incident.assignee === assignee) return false;
      incident.assignee = assignee;
      push(incident, { time: now, kind: 'assigned', text: `assigned to ${assignee}`, actor });
      return true;
    });
  }

  async get(id: string): Promise<Incident> {
    const incident = await this.options.repo.getIncident(id);
    if (!incident) throw new WardenError('not_found', `no incident \`${id.slice(0, 100)}\``);
    return incident;
  }

  private change(id: string, actor: string, apply: (incident: Incident, now: string) => boolean): Promise<Incident> {
    return this.serial(async () => {
      const incident = structuredClone(await this.get(id));
      const now = new Date().toISOString();
      const before = incident.state;
      if (!apply(incident, now)) return incident;
      incident.lastActivityAt = now;
      const operation = incident.state === 'resolved' && before !== 'resolved' ? 'incident.close' : 'incident.update';
      await this.save(incident, operation, `${incident.state} by ${actor}`);
      return incident;
    });
  }

  private async save(incident: Incident, operation: IncidentChange['operation'], text: string): Promise<void> {
    incident.updatedAt = new Date().toISOString();
    if (this.options.publishes) incident.publishedAt = incident.updatedAt;
    await this.options.repo.saveIncident(incident);
    this.options.onChange?.({ incident, operation, text });
  }

  /** Publishes the changes another process (the CLI) made since the last publication. */
  publishPending(since: string): Promise<void> {
    return this.serial(async () => {
      for (const incident of await this.options.repo.listIncidents({ activeSince: since })) {
        if (incident.publishedAt === incident.updatedAt) continue;
        incident.publishedAt = incident.updatedAt;
        await this.options.repo.saveIncident(incident);
        const last = incident.timeline.at(-1);
        this.options.onChange?.({ incident, operation: incident.state === 'resolved' ? 'incident.close' : 'incident.update', text: `${last?.text ?? incident.state}${last?.actor ? ` by ${last.actor}` : ''}` });
      }
    });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

function push(incident: Incident, entry: TimelineEntry): void {
  incident.timeline.push(entry);
  // The first entries (first event, first detection) are kept; the middle is dropped past the bound.
  if (incident.timeline.length > MAX_TIMELINE) incident.timeline.splice(2, 1);
}

function entityKey(e: EntityRef): string {
  return `${e.type}:${e.id}`;
}

/** What incidents of different entities can share: the source address, the device, the asset. */
export function indicatorsOf(subject: Subject): string[] {
  return [subject.sourceIp ? `ip:${subject.sourceIp}` : '', subject.device ? `device:${subject.device}` : '', subject.asset ? `asset:${subject.asset}` : ''].filter(Boolean);
}
