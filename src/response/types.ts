/** The records of the response module: actions (what was done, to whom, until when) and incidents. */
import type { Severity, EntityRef } from '../core/index.js';
import type { ActionType } from './config.js';

/**
 * pending: waits for approval (or escalated by a rate limit); active: in force; dry_run: recorded only;
 * expired, undone, rejected: no longer in force. `failed`: could not be carried out (unknown principal).
 */
export type ActionStatus = 'pending' | 'active' | 'dry_run' | 'expired' | 'undone' | 'rejected' | 'failed';

export interface ActionRecord {
  id: string;
  playbook: string;
  type: ActionType;
  target: EntityRef;
  status: ActionStatus;
  /** Why: the triggering event's summary. */
  reason: string;
  /** The triggering event's id. */
  triggerEventId: string;
  incidentId?: string;
  /** Per-type parameters (quarantine mode, network, notify format...) and outcomes (revoked key ids). */
  params: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  /** When it stops being in force (active) or stops waiting (pending: the approval deadline). */
  expiresAt?: string;
  /** When it took effect. */
  enforcedAt?: string;
  /** Who approved, rejected or undid it. */
  decidedBy?: string;
  /**
   * The status last published as a `response` event. A change made by the CLI (another process) is
   * published by the running Warden when it next reads the store, so the audit log misses none.
   */
  publishedStatus?: ActionStatus;
}

export type IncidentState = 'open' | 'acknowledged' | 'contained' | 'resolved';
export type Resolution = 'true_positive' | 'benign' | 'false_positive';

export interface TimelineEntry {
  time: string;
  kind: 'first_malicious_event' | 'detection' | 'action' | 'state' | 'note' | 'assigned';
  text: string;
  ref?: string;
  actor?: string;
}

export interface Incident {
  id: string;
  /** `entity` for one entity, `campaign` once it spans entities sharing a source, device or asset. */
  kind: 'entity' | 'campaign';
  /** The detector (or playbook) type that opened it, for counts per type. */
  type: string;
  title: string;
  severity: Severity;
  state: IncidentState;
  resolution?: Resolution;
  assignee?: string;
  entities: EntityRef[];
  /** Shared indicators: `ip:1.2.3.4`, `device:ID`, `asset:ID`. */
  indicators: string[];
  detections: string[];
  /** The detectors (or `risk`, `asset.<change>`) whose events are in it. */
  detectorNames: string[];
  actions: string[];
  notes: { time: string; author: string; text: string }[];
  timeline: TimelineEntry[];
  firstEventAt: string;
  firstDetectionAt: string;
  lastActivityAt: string;
  acknowledgedAt?: string;
  containedAt?: string;
  resolvedAt?: string;
  createdAt: string;
  updatedAt: string;
  /** The `updatedAt` last published as an `incident.*` event (a CLI change is published by the running Warden). */
  publishedAt?: string;
}

/** A webhook message waiting, delivered or given up on (the dead-letter store). */
export interface Notification {
  id: string;
  actionId: string;
  url: string;
  /** Reference to the secret (`env:NAME`), never the secret itself. */
  secretRef: string;
  body: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  nextAttemptAt: string;
  lastError?: string;
  createdAt: string;
  updatedAt: string;
}
