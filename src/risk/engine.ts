/**
 * The risk engine: consumes decision, authentication, detection and asset events, keeps per-entity and
 * per-peer-group baselines, runs the detectors, stores and publishes detections, and keeps the live risk
 * score that the gateway reads with `snapshot` (in memory, no I/O).
 *
 * @example
 * const engine = createRiskEngine({ db, config: riskConfigSchema.parse({}) });
 * engine.subscribeTo(bus);
 * engine.snapshot({ type: 'User', id: 'alice' }); // { score: 0, factors: [] }
 */
import { createHash, randomUUID } from 'node:crypto';
import type { EntityRef, RiskSnapshot, DetectionEvent, WardenEvent } from '../core/index.js';
import type { EventBus } from '../events/index.js';
import type { SqliteDatabase } from '../store/index.js';
import { DEFAULT_WEIGHTS, riskConfigSchema, type RiskConfig, type RiskConfigInput } from './config.js';
import { detectAssetEvent, detectTamper, GuardTracker } from './detectors/assets.js';
import { AccountDetectors, accountChangeOf } from './detectors/accounts.js';
import { detectHours, detectPeerAccess, detectVolume, type VolumeScope } from './detectors/behaviour.js';
import { CredentialDetectors } from './detectors/credentials.js';
import { DAY_MS, HOUR_MS, hourOfWeek, type DetectorContext } from './detectors/context.js';
import { detectSignIn } from './detectors/sign-in.js';
import { SourceDetectors } from './detectors/sources.js';
import { openGeoLocator, type GeoLocator } from './geo.js';
import { fromAuthentication, fromDecision, sourceOfAuthentication } from './normalize.js';
import { RiskLedger, type Fall } from './scoring.js';
import { Baseline } from './baseline/principal.js';
import { BaselineState } from './state.js';
import { eventTime } from './time.js';
import { SqliteRiskInbox } from './inbox.js';
import { InboxConsumer } from './inbox-consumer.js';
import { RiskStore, type RiskRepository } from './store.js';
import type { DetectionRepository } from './store/detections.js';
import { SqliteDetectionRepository } from './store/detections-sqlite.js';
import { severityOf, type Activity, type DetectionQuery, type DetectionRecord, type Finding, type IngestResult, type RiskEngine } from './types.js';

export interface RiskLogger {
  warn(obj: object, msg?: string): void;
}

export interface RiskEngineOptions {
  db: SqliteDatabase;
  bus?: EventBus | undefined;
  /** Parsed `risk:` section; raw input is validated with `riskConfigSchema`. */
  config?: RiskConfigInput | RiskConfig | undefined;
  logger?: RiskLogger | undefined;
  /** Current time for snapshots (default `Date.now`); the simulator passes simulated time. */
  clock?: (() => number) | undefined;
  /** Geolocation; default opens the configured database when `geo.enabled`. `null` disables it. */
  geo?: GeoLocator | null | undefined;
  /**
   * Consume the risk inbox (imported logs) as this holder: the running Warden's instance id, or the
   * CLI's when it imports with no Warden running. Unset: the engine appends to the inbox but never
   * consumes it (simulation, benchmarks).
   */
  inboxOwner?: string | undefined;
  /** Where detections are stored and listed; default the `risk_detections` table of `db`. */
  detections?: DetectionRepository | undefined;
}

const NONE: readonly DetectionRecord[] = Object.freeze([]);
/** How often (in event time, or on the persistence timer) scores are checked for falling below a threshold. */
const SWEEP_MS = 60_000;
const PRINCIPAL_TYPES = new Set(['User', 'Service', 'Agent']);
const SEVERITIES = new Set<string>(['info', 'low', 'medium', 'high', 'critical']);

class Engine implements RiskEngine {
  private readonly config: RiskConfig;
  private readonly store: RiskRepository;
  private readonly detectionStore: DetectionRepository;
  /** Detection writes in flight. */
  private readonly writes = new Set<Promise<void>>();
  private restored: Promise<void> = Promise.resolve();
  private readonly consumer: InboxConsumer;
  /** The device-volume scope per device, made once (this runs for every access with a device). */
  private readonly deviceScopes = new Map<string, VolumeScope>();
  private inboxTimer: NodeJS.Timeout | undefined;
  /** The event being processed: detections take ids derived from it, so a replay stores no duplicate. */
  private eventId: string | undefined;
  private readonly ledger: RiskLedger;
  private readonly ctx: DetectorContext;
  private readonly state: BaselineState;
  private readonly sources: SourceDetectors;
  private readonly guard: GuardTracker;
  private readonly credentials: CredentialDetectors;
  private readonly accounts: AccountDetectors;
  private readonly lastFired = new Map<string, number>();
  private readonly assetTypes: Set<string>;
  private readonly clock: () => number;
  /** Risk thresholds, highest first. */
  private readonly thresholds: readonly number[];
  private lastSweep = -Infinity;
  private pending: DetectionRecord[] = [];
  private readonly scratch: Finding[] = [];
  private writeScheduled = false;
  private bus: EventBus | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: RiskEngineOptions) {
    this.config = riskConfigSchema.parse(options.config ?? {});
    this.store = new RiskStore(options.db);
    this.detectionStore = options.detections ?? new SqliteDetectionRepository(options.db);
    this.consumer = new InboxConsumer(new SqliteRiskInbox(options.db), options.inboxOwner, this.config.inbox, {
      process: (event) => this.process(event),
      flush: () => this.flush(),
      reload: () => this.state.load(),
    });
    this.state = new BaselineState(this.store);
    this.ledger = new RiskLedger(this.config.decayHalfLifeMinutes, this.config.minFactorWeight);
    const geo = options.geo !== undefined ? options.geo : this.config.geo.enabled ? openGeoLocator(this.config.geo) : null;
    this.ctx = { config: this.config, geo, learningMs: this.config.learningDays * DAY_MS };
    this.sources = new SourceDetectors(this.config);
    this.guard = new GuardTracker(this.config);
    this.credentials = new CredentialDetectors(this.config);
    this.accounts = new AccountDetectors(this.config);
    this.assetTypes = new Set(this.config.assetTypes);
    this.clock = options.clock ?? Date.now;
    this.thresholds = [this.config.thresholds.deny, this.config.thresholds.stepUp].sort((x, y) => y - x);
    this.bus = options.bus;
    this.restore();
    if (options.inboxOwner !== undefined) {
      this.consumer.claim(true);
      if (this.config.inbox.pollMilliseconds > 0) {
        this.inboxTimer = setInterval(() => this.safeDrain(), this.config.inbox.pollMilliseconds);
        this.inboxTimer.unref();
      }
    }
    if (this.config.persistIntervalSeconds > 0) {
      this.timer = setInterval(() => {
        this.sweep(this.clock());
        this.safeFlush();
      }, this.config.persistIntervalSeconds * 1000);
      this.timer.unref();
    }
  }

  get entityCount(): number {
    return this.state.principals.size;
  }

  exportPrincipals(keys: Iterable<string>): { key: string; data: unknown }[] {
    const rows: { key: string; data: unknown }[] = [];
    for (const key of keys) {
      const b = this.state.principals.get(key);
      if (b) rows.push({ key, data: b.toJSON() });
    }
    return rows;
  }

  adoptPrincipals(rows: readonly { key: string; data: unknown }[]): void {
    for (const { key, data } of rows) {
      try {
        this.state.principals.set(key, Baseline.fromJSON(data));
      } catch (error) {
        // One unreadable row costs that principal its history (it relearns), never the partition.
        this.options.logger?.warn({ err: error }, 'risk engine could not read a shared baseline');
      }
    }
  }

  dropPrincipals(match: (key: string) => boolean): void {
    for (const key of [...this.state.principals.keys()]) if (match(key)) this.state.principals.delete(key);
  }

  snapshot(principal: EntityRef, sessionId?: string): RiskSnapshot {
    return this.ledger.snapshot(`${principal.type}:${principal.id}`, this.clock(), sessionId);
  }

  forgive(principal: EntityRef, detectors: readonly string[], until: number): number {
    const key = `${principal.type}:${principal.id}`;
    const now = this.clock();
    const before = this.ledger.snapshot(key, now).score;
    const removed = this.ledger.remove(key, new Set(detectors), until);
    if (removed === 0) return 0;
    // Announced now, not at the next sweep: the other instances hold the raised score in the shared
    // `risk-snapshot` state until a `risk` event replaces it. A score restored from stored detections was
    // never marked raised here, so its fall is announced as well.
    const falls = this.ledger.falls(now, this.thresholds);
    const after = this.ledger.snapshot(key, now);
    const crossed = this.thresholds.find((th) => before >= th && after.score < th);
    if (crossed !== undefined && !falls.some((f) => `${f.principal.type}:${f.principal.id}` === key)) falls.push({ principal, previous: before, score: after.score, threshold: crossed });
    this.announceFalls(falls, now);
    return removed;
  }

  process(event: WardenEvent): readonly DetectionRecord[] {
    if (this.closed || !this.config.enabled) return [];
    try {
      const parsed = eventTime(event.time);
      const t = Number.isFinite(parsed) ? parsed : this.clock();
      if (t - this.lastSweep >= SWEEP_MS) this.sweep(t);
      const findings = this.scratch;
      if (findings.length !== 0) findings.length = 0; // left over only after a throw; setting length is a runtime call
      this.eventId = typeof event.id === 'string' ? event.id : undefined;
      switch (event.type) {
        case 'decision': {
          const a = fromDecision(event, t, this.assetTypes);
          if (a) this.activity(a, findings);
          break;
        }
        case 'authentication': {
          const a = fromAuthentication(event, t);
          if (a) this.activity(a, findings);
          // An attempt that names no account (old PAM lines) still counts against its source.
          else this.credentials.observe({ t, success: event.outcome === 'success', source: sourceOfAuthentication(event), reason: event.reason }, findings);
          break;
        }
        case 'detection':
          if (typeof event.detector !== 'string' || event.detector.startsWith('risk.')) break; // our own, echoed by the bus
          this.guard.observe(event, t, findings);
          this.external(event, t);
          break;
        case 'asset':
          detectAssetEvent(event, findings);
          break;
        default:
          break;
      }
      if (findings.length === 0) return NONE;
      const out: DetectionRecord[] = [];
      for (const f of findings.splice(0)) {
        const r = this.emit(f, t);
        if (r) out.push(r);
      }
      return out;
    } catch (error) {
      this.options.logger?.warn({ err: error, eventId: event.id }, 'risk engine could not process an event');
      return [];
    }
  }

  private activity(a: Activity, findings: Finding[]): void {
    const b = this.state.principal(a.key, this.config.maxEntities);
    if (a.success) {
      this.accounts.dormant(a, b, findings);
      this.accounts.use(a, findings);
      b.lastSuccess = a.t;
    }
    b.touch(a.t);
    const learning = b.learning(a.t, this.ctx.learningMs, this.config.learningMinEvents);
    const g = this.state.group(a.group);
    if (!g.members.has(a.key)) {
      g.members.set(a.key, a.t);
      g.dirty = true;
    }
    if (a.kind === 'auth') {
      const source = a.sourceIp ?? a.origin?.host;
      this.credentials.observe({ t: a.t, success: a.success, key: a.key, principal: a.principal, source, reason: a.reason, account: { failures: b.failures, firstSeen: b.firstSeen } }, findings);
      if (!a.success) b.failures++;
    }
    if (a.sourceIp !== undefined || a.device !== undefined || a.origin !== undefined) detectSignIn(a, b, learning, this.ctx, findings);
    if (a.kind === 'access') {
      const change = accountChangeOf(a, a.target);
      if (change) this.accounts.change(a, b, change, findings);
    }
    detectHours(a, b, learning, findings);
    if (a.kind === 'access') {
      detectVolume(a, b, g, learning, findings);
      if (a.device !== undefined) this.deviceVolume(a, a.device, findings);
      detectPeerAccess(a, b, g, this.state.knownResources, learning, findings);
      if (a.write && a.resource && a.resourceType && this.assetTypes.has(a.resourceType)) {
        detectTamper(a, this.state.asset(a.resource), b.hourShare(hourOfWeek(a.t)), this.config, this.ctx.learningMs, findings);
      }
    }
    const before = findings.length;
    this.sources.spray(a, findings);
    for (let i = before; i < findings.length; i++) {
      if (findings[i]!.detector === 'risk.password_spray') this.credentials.flag(findings[i]!.entity.id, a.t, 'password spraying');
    }
    this.sources.token(a, findings);
  }

  /** The device's own volume, against its own baseline and all devices' (not the principal's). */
  private deviceVolume(a: Activity, device: string, findings: Finding[]): void {
    const d = this.state.device(device, this.config.maxEntities);
    d.touch(a.t);
    const learning = d.learning(a.t, this.ctx.learningMs, this.config.learningMinEvents);
    let scope = this.deviceScopes.get(device);
    if (!scope) {
      if (this.deviceScopes.size >= 10_000) this.deviceScopes.clear();
      scope = { entity: { type: 'Device', id: device }, own: `device \`${device}\``, peers: 'a typical device', series: false };
      this.deviceScopes.set(device, scope);
    }
    detectVolume(a, d, this.state.deviceGroup, learning, findings, scope);
  }

  /** A detection from another module (guard, integrity): stored with the others, and raises the entity's risk directly. */
  private external(event: DetectionEvent, t: number): void {
    const entity = event.entity;
    if (!entity || typeof entity.type !== 'string' || typeof entity.id !== 'string') return;
    if (typeof event.detector !== 'string') return;
    const raw = Number.isFinite(event.score) ? event.score : 0;
    const confidence = raw > 1 ? Math.min(1, raw / 100) : Math.max(0, raw);
    const base = event.detector.startsWith('guard.') ? this.weight('guard') : this.weight('other');
    const contribution = Math.round(base * confidence * 10) / 10;
    this.queue({
      id: typeof event.id === 'string' && event.id ? event.id : randomUUID(),
      time: new Date(t).toISOString(),
      detector: event.detector,
      category: typeof event.category === 'string' ? event.category : 'external',
      entity: { type: entity.type, id: entity.id },
      score: confidence,
      severity: SEVERITIES.has(event.severity) ? event.severity : severityOf(confidence),
      explanation: typeof event.explanation === 'string' ? event.explanation : '',
      contribution,
      details: event.details,
    });
    if (!PRINCIPAL_TYPES.has(entity.type)) return;
    this.addFactor(`${entity.type}:${entity.id}`, entity, { name: event.detector, weight: contribution, t, detail: event.explanation });
  }

  private queue(record: DetectionRecord): void {
    this.pending.push(record);
    if (!this.writeScheduled) {
      this.writeScheduled = true;
      queueMicrotask(() => this.writePending());
    }
  }

  private weight(name: string): number {
    return this.config.weights[name] ?? DEFAULT_WEIGHTS[name] ?? DEFAULT_WEIGHTS.other!;
  }

  private emit(f: Finding, t: number): DetectionRecord | undefined {
    const entityKey = `${f.entity.type}:${f.entity.id}`;
    const discriminator = f.discriminator ?? (f.details?.metric as string | undefined) ?? (f.details?.resource as string | undefined) ?? '';
    const dedupeKey = `${f.detector}|${entityKey}|${discriminator}`;
    const suppressMs = f.detector === 'risk.unusual_hours' ? 6 * HOUR_MS : HOUR_MS;
    const last = this.lastFired.get(dedupeKey);
    if (last !== undefined && t - last < suppressMs && t >= last) return undefined;
    if (this.lastFired.size > 500_000) this.lastFired.clear();
    this.lastFired.set(dedupeKey, t);
    const score = Math.round(f.score * 1000) / 1000; // 0.35 + 0.1 is 0.45, not 0.4499...
    const contribution = Math.round(this.weight(f.detector) * score * 10) / 10;
    const record: DetectionRecord = {
      id: this.eventId ? derivedId(this.eventId, dedupeKey) : randomUUID(),
      time: new Date(t).toISOString(),
      detector: f.detector,
      category: f.category,
      entity: f.entity,
      score,
      severity: severityOf(score),
      explanation: f.explanation,
      contribution,
      sessionId: f.sessionId,
      details: f.details,
    };
    this.queue(record);
    this.bus?.publish({
      type: 'detection',
      id: record.id,
      time: record.time,
      detector: f.detector,
      category: f.category,
      entity: f.entity,
      score: record.score,
      severity: record.severity,
      explanation: f.explanation,
      ...(f.details ? { details: f.details } : {}),
      ...(f.requestId ? { requestId: f.requestId } : {}),
    });
    const principal = f.principal ?? (PRINCIPAL_TYPES.has(f.entity.type) ? f.entity : undefined);
    if (principal) {
      this.addFactor(`${principal.type}:${principal.id}`, principal, { name: f.detector, weight: contribution, t, detail: f.explanation, sessionId: f.sessionId });
    }
    return record;
  }

  private addFactor(key: string, principal: EntityRef, factor: { name: string; weight: number; t: number; detail: string; sessionId?: string | undefined }): void {
    const before = this.ledger.snapshot(key, factor.t).score;
    this.ledger.add(key, factor);
    const after = this.ledger.snapshot(key, factor.t);
    const crossed = this.thresholds.find((th) => before < th && after.score >= th);
    if (crossed === undefined) return;
    this.ledger.markRaised(key, principal, crossed, after.score);
    this.bus?.publish({ type: 'risk', time: new Date(factor.t).toISOString(), principal, previous: before, score: after.score, threshold: crossed, direction: 'up', factors: after.factors });
  }

  /** Publishes a `risk` event for each principal whose risk fell back below a threshold as its evidence aged. */
  private sweep(now: number): void {
    this.lastSweep = now;
    this.announceFalls(this.ledger.falls(now, this.thresholds), now);
  }

  private announceFalls(falls: readonly Fall[], now: number): void {
    for (const f of falls) {
      const after = this.ledger.snapshot(`${f.principal.type}:${f.principal.id}`, now);
      this.bus?.publish({ type: 'risk', time: new Date(now).toISOString(), principal: f.principal, previous: f.previous, score: f.score, threshold: f.threshold, direction: 'down', factors: after.factors });
    }
  }

  /**
   * Hands the pending detections to the repository. On SQLite the write runs synchronously inside this
   * call (so within `flush`'s transaction); on PostgreSQL it completes later and `idle()` waits for it.
   */
  private writePending(): void {
    this.writeScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const write = this.detectionStore.append(batch).then(
      (failed) => {
        if (failed > 0) this.options.logger?.warn({ count: failed }, 'risk engine could not store some detections');
      },
      (error: unknown) => this.options.logger?.warn({ err: error, count: batch.length }, 'risk engine could not store detections'),
    );
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  async idle(): Promise<void> {
    this.writePending();
    await Promise.all(this.writes);
  }

  ready(): Promise<void> {
    return this.restored;
  }

  subscribeTo(bus: EventBus): { unsubscribe(): void } {
    this.bus ??= bus;
    return bus.subscribe((event) => void this.process(event), { name: 'risk', types: ['decision', 'authentication', 'detection', 'asset'] });
  }

  async detections(query: DetectionQuery = {}): Promise<DetectionRecord[]> {
    await this.idle();
    return this.detectionStore.list(query);
  }

  /** Detections since a time (ISO) counted by detector, largest first: the console's overview and report. */
  async detectionCounts(since: string): Promise<{ detector: string; count: number }[]> {
    await this.idle();
    return this.detectionStore.countByDetector(since);
  }

  flush(): void {
    this.store.transaction(() => {
      this.writePending();
      this.state.save();
      this.consumer.saveCursor();
    });
  }

  ingest(events: readonly WardenEvent[], origin: string): IngestResult {
    return this.consumer.ingest(events, origin);
  }

  drainInbox(): { processed: number; detections: DetectionRecord[] } {
    if (this.closed || !this.config.enabled) return { processed: 0, detections: [] };
    return this.consumer.drain();
  }

  private safeDrain(): void {
    try {
      if (this.consumer.claim(false)) this.drainInbox();
    } catch (error) {
      this.options.logger?.warn({ err: error }, 'risk engine could not consume its inbox');
    }
  }

  private safeFlush(): void {
    try {
      this.flush();
    } catch (error) {
      this.options.logger?.warn({ err: error }, 'risk engine could not persist baselines');
    }
  }

  close(): void {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    if (this.inboxTimer) clearInterval(this.inboxTimer);
    this.safeFlush();
    this.consumer.release();
    this.closed = true;
  }

  private restore(): void {
    this.state.load();
    const horizon = new Date(this.clock() - 8 * this.config.decayHalfLifeMinutes * 60_000).toISOString();
    this.restored = this.detectionStore.list({ since: horizon, limit: 100_000 }).then((found) => {
      for (const d of found.reverse()) {
        if (!PRINCIPAL_TYPES.has(d.entity.type)) continue;
        this.ledger.add(`${d.entity.type}:${d.entity.id}`, { name: d.detector, weight: d.contribution, t: Date.parse(d.time), detail: d.explanation, sessionId: d.sessionId });
      }
    });
  }
}

/** A UUID-shaped id derived from the event and the finding (same event, same finding: same id). */
function derivedId(eventId: string, finding: string): string {
  const h = createHash('sha256').update(eventId).update('\u0000').update(finding).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function createRiskEngine(options: RiskEngineOptions): RiskEngine {
  return new Engine(options);
}
