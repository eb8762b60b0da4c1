/** Internal and public types of the risk module. */
import type { EntityRef, RiskSnapshot, Severity, WardenEvent } from '../core/index.js';
import type { EventBus } from '../events/index.js';

/** One observed action, normalised from any event source (gateway, CloudTrail, Entra, Okta, sshd). */
export interface Activity {
  /** Epoch milliseconds. */
  t: number;
  /** `Type:id` of the principal. */
  key: string;
  principal: EntityRef;
  /** Peer group (first group, else the principal type). */
  group: string;
  kind: 'auth' | 'access';
  success: boolean;
  system: string;
  sourceIp?: string | undefined;
  device?: string | undefined;
  client?: string | undefined;
  /** Location supplied by the source (imported logs); otherwise looked up from the IP. */
  origin?: { country?: string | undefined; asn?: number | undefined; city?: string | undefined; lat?: number | undefined; lon?: number | undefined; host?: string | undefined } | undefined;
  action?: string | undefined;
  /** `Type:id` of the resource. */
  resource?: string | undefined;
  resourceType?: string | undefined;
  write: boolean;
  requests: number;
  bytes: number;
  tokens: number;
  downloads: number;
  credentialId?: string | undefined;
  requestId?: string | undefined;
  /** For account changes: the account the change is about. */
  target?: EntityRef | undefined;
  /** For failed sign-ins: the stable failure reason (`invalid_credentials`, `unknown_user`, ...). */
  reason?: string | undefined;
  /** Network of the source: `AS<n>` when the source names it, else the address's /16 (set by the engine). */
  network?: string | undefined;
}

/** A detection as stored and listed. */
export interface DetectionRecord {
  id: string;
  time: string;
  detector: string;
  category: string;
  entity: EntityRef;
  /** 0..1 confidence. */
  score: number;
  severity: Severity;
  explanation: string;
  /** Risk points this detection added (0..100) at the time it fired. */
  contribution: number;
  sessionId?: string | undefined;
  details?: Record<string, unknown> | undefined;
}

export interface DetectionQuery {
  entityType?: string | undefined;
  entityId?: string | undefined;
  detector?: string | undefined;
  /** ISO time; only detections at or after it. */
  since?: string | undefined;
  limit?: number | undefined;
}

/** What a detector returns before the engine stamps, weighs and stores it. */
export interface Finding {
  detector: string;
  category: string;
  entity: EntityRef;
  /** 0..1 confidence. */
  score: number;
  explanation: string;
  details?: Record<string, unknown> | undefined;
  /** Principal whose risk this raises (defaults to `entity` when that is a principal). */
  principal?: EntityRef | undefined;
  sessionId?: string | undefined;
  requestId?: string | undefined;
  /** Separates findings of one detector and entity that must not suppress each other (e.g. an escalation level). */
  discriminator?: string | undefined;
}

/** What handing imported events to the engine did. */
export interface IngestResult {
  /** Inbox sequence numbers given to the events. */
  first: number;
  last: number;
  /** True when another consumer holds the inbox (the running Warden): it processes them. */
  queued: boolean;
  processed: number;
  detections: DetectionRecord[];
}

export interface RiskEngine {
  /** In-memory, synchronous: safe on the request path. */
  snapshot(principal: EntityRef, sessionId?: string): RiskSnapshot;
  /** Feeds one event; returns the detections it produced. */
  process(event: WardenEvent): readonly DetectionRecord[];
  /** Consumes decision, authentication, detection and asset events from the bus. */
  subscribeTo(bus: EventBus): { unsubscribe(): void };
  /** Stored detections, newest first (this engine's pending ones are written first). */
  detections(query?: DetectionQuery): Promise<DetectionRecord[]>;
  /** Detections since a time (ISO) counted by detector, largest first, without reading them whole. */
  detectionCounts(since: string): Promise<{ detector: string; count: number }[]>;
  /** Resolves once the live risk is restored from the recent stored detections (before any event is fed). */
  ready(): Promise<void>;
  /** Resolves once every detection found so far is written (or its failure logged): before the store closes. */
  idle(): Promise<void>;
  /**
   * Imported events: appended to the durable inbox, then processed here when this engine consumes the
   * inbox (it holds the lease), else left for the engine that does. Touches the disk.
   */
  ingest(events: readonly WardenEvent[], origin: string): IngestResult;
  /** Processes what is waiting in the inbox when this engine holds, or can take, the lease. Touches the disk. */
  drainInbox(): { processed: number; detections: DetectionRecord[] };
  /**
   * Clears the principal's risk contribution from these detectors up to `until` (epoch ms): an analyst
   * resolved the incident as a false positive. Returns how many factors were removed.
   */
  forgive(principal: EntityRef, detectors: readonly string[], until: number): number;
  /** Entities currently tracked in memory. */
  readonly entityCount: number;
  /**
   * Partitioned risk state (partition/owner.ts): the principals' baselines (keys `Type:id`) that are in
   * memory, to save them with a partition's checkpoint.
   */
  exportPrincipals(keys: Iterable<string>): { key: string; data: unknown }[];
  /** Replaces these principals' baselines in memory (a partition taken: loaded from the shared store). */
  adoptPrincipals(rows: readonly { key: string; data: unknown }[]): void;
  /** Forgets the principals' baselines whose key matches (a partition given up: its new owner has them). */
  dropPrincipals(match: (key: string) => boolean): void;
  /** Persists baselines changed since the last flush. */
  flush(): void;
  close(): void;
}

export function severityOf(score: number): Severity {
  if (score >= 0.9) return 'critical';
  if (score >= 0.7) return 'high';
  if (score >= 0.45) return 'medium';
  if (score >= 0.2) return 'low';
  return 'info';
}
