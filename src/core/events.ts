/**
 * Warden's one event model: a discriminated union on `type`. Everything the hot path does ends in one
 * event on the bus; the audit log, the risk engine, exporters and the dashboard consume them.
 * Events never carry secrets (tokens, keys, raw credential material, the raw value of a DLP finding).
 */
import type { DecisionOutcome, EntityRef } from './types.js';

export interface EventBase {
  /** Unique id (UUID v4 or v7). */
  id: string;
  /** ISO-8601 UTC time the event happened. */
  time: string;
  /** The Warden instance that produced the event. */
  source?: string;
}

export interface PrincipalRef extends EntityRef {
  groups?: string[];
}

export interface DecisionEvent extends EventBase {
  type: 'decision';
  requestId: string;
  decisionId: string;
  principal: PrincipalRef | null;
  delegation?: { actor: PrincipalRef; onBehalfOf: PrincipalRef };
  device?: { id: string; [key: string]: unknown };
  authMethod?: string;
  /** The credential used (API key id, token `jti`, certificate fingerprint): never the secret. */
  credentialId?: string;
  action: string;
  resource: EntityRef;
  route: string;
  method: string;
  path: string;
  sourceIp: string;
  userAgent?: string;
  outcome: DecisionOutcome;
  /** False when the route is in monitor-only mode: the outcome was recorded, not applied. */
  enforced: boolean;
  policyIds: string[];
  /** HTTP status returned to the client. */
  status: number;
  errorCode?: string;
  model?: string;
  /** For imported account and group changes: the account the change is about (the resource is the host, group or policy). */
  target?: EntityRef;
  risk?: number;
  /** The limit rule that refused the request (429), with its counter as the request found it. */
  limit?: { rule: string; unit: 'requests' | 'tokens'; limit: number; used: number; windowSeconds: number; retryAfterSeconds: number };
  /** Byte and token counts, when known. */
  usage?: { requestBytes?: number; responseBytes?: number; promptTokens?: number; completionTokens?: number };
  latencyMs: { auth?: number; decision?: number; guard?: number; upstream?: number; total: number };
}

export interface AuthenticationEvent extends EventBase {
  type: 'authentication';
  method: 'jwt' | 'apikey' | 'mtls' | 'none';
  outcome: 'success' | 'failure';
  principal?: PrincipalRef;
  /** Key id, token jti or certificate fingerprint: never the secret. */
  credentialId?: string;
  sourceIp: string;
  userAgent?: string;
  device?: string;
  /** Stable failure code (e.g. `token_expired`). */
  reason?: string;
  mfa?: boolean;
  /** For imported logs: the system and country/ASN when known. */
  origin?: { system: string; country?: string; asn?: number; city?: string; lat?: number; lon?: number; host?: string };
}

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

export interface DetectionEvent extends EventBase {
  type: 'detection';
  /** Which detector fired (e.g. `guard.injection`, `risk.impossible_travel`, `integrity.tamper`). */
  detector: string;
  category: string;
  entity: EntityRef;
  /** 0..1 confidence or 0..100 contribution; the detector documents which. */
  score: number;
  severity: Severity;
  /** Human-readable: what was unusual, compared with which baseline. */
  explanation: string;
  details?: Record<string, unknown>;
  requestId?: string;
}

export interface AssetEvent extends EventBase {
  type: 'asset';
  assetId: string;
  change:
    | 'registered'
    | 'verified'
    | 'verification_failed'
    | 'tampered'
    | 'change_requested'
    | 'change_approved'
    | 'change_rejected'
    | 'lineage_recorded'
    | 'marked_suspect';
  actor?: EntityRef;
  details?: Record<string, unknown>;
}

export interface AdminEvent extends EventBase {
  type: 'admin';
  actor: EntityRef;
  operation: string;
  target?: string;
  outcome: 'success' | 'failure';
  details?: Record<string, unknown>;
}

export interface RiskEvent extends EventBase {
  type: 'risk';
  principal: EntityRef;
  previous: number;
  score: number;
  /** The threshold crossed, when the change crossed one. */
  threshold?: number;
  /** `up` when the score rose to the threshold, `down` when aged evidence let it fall below again. */
  direction?: 'up' | 'down';
  factors: { name: string; weight: number; detail?: string }[];
}

export interface ResponseEvent extends EventBase {
  type: 'response';
  action: string;
  target: EntityRef;
  reason: string;
  details?: Record<string, unknown>;
}

export type WardenEvent = DecisionEvent | AuthenticationEvent | DetectionEvent | AssetEvent | AdminEvent | RiskEvent | ResponseEvent;
export type WardenEventType = WardenEvent['type'];

/** Distributes `Omit` over the union so each variant keeps its own fields. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type NewEvent = DistributiveOmit<WardenEvent, 'id' | 'time'> & { id?: string; time?: string };
