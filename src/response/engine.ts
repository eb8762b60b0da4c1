/**
 * The response engine: playbooks over the bus's events, safeguards, and the actions' lifecycle
 * (pending → active → expired | undone; pending → rejected). Events are handled one at a time in
 * arrival order, so a flood of detections is processed completely and the rate limit counts exactly.
 * The store is the truth shared with the CLI; `refresh` (every second in a running Warden) reloads it,
 * sweeps expiries and deadlines, and publishes changes other processes made.
 */
import { WardenError, type WardenEvent, type Logger, type EntityRef } from '../core/index.js';
import type { CredentialStore, RiskForgiver, StreamCutter } from './ports.js';
import type { EventBus } from '../events/index.js';
import { SEVERITIES, type ResponseConfig } from './config.js';
import { IncidentTracker, type IncidentChange } from './incidents.js';
import { PlaybookMatcher, subjectOf, type Match } from './matcher.js';
import { Notifier } from './notifier.js';
import { isContaining, isPrincipal, planAction } from './plan.js';
import { EnforcementState } from './state.js';
import type { ResponseRepository } from './store/types.js';
import type { ActionRecord, Incident, Resolution } from './types.js';
import { publicParams } from './redact.js';
import { webhookBody } from './webhook.js';

export interface ResponseEngineOptions {
  repo: ResponseRepository;
  config: ResponseConfig;
  credentials: CredentialStore;
  env: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Absent in the CLI: a running Warden publishes what the CLI changed. */
  bus?: EventBus;
  instanceId?: string;
  streams?: StreamCutter;
  risk?: RiskForgiver;
  /** Seconds from a detection's arrival to its first containing action in force. */
  onContained?: (seconds: number) => void;
  onIncidentChange?: (change: IncidentChange) => void;
}

const REFRESH_MS = 1000;
const FORGIVING: ReadonlySet<Resolution> = new Set(['false_positive', 'benign']);

export class ResponseEngine {
  readonly state = new EnforcementState();
  readonly incidents: IncidentTracker;
  readonly notifier: Notifier;
  private readonly matcher: PlaybookMatcher;
  private config: ResponseConfig;
  private protectedPrincipals: Set<string>;
  private queue: Promise<void> = Promise.resolve();
  /** Per playbook: targets acted on and when (the rate limit's window). */
  private readonly recentTargets = new Map<string, Map<string, number>>();
  private readonly cut = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: ResponseEngineOptions) {
    this.config = options.config;
    this.protectedPrincipals = new Set(options.config.protectedPrincipals);
    this.matcher = new PlaybookMatcher(options.config.playbooks);
    this.incidents = new IncidentTracker({
      repo: options.repo,
      publishes: options.bus !== undefined,
      windowSeconds: options.config.incidentWindowSeconds,
      onChange: (change) => {
        this.publish({ type: 'response', action: change.operation, target: { type: 'Warden::Incident', id: change.incident.id }, reason: change.text, details: { state: change.incident.state, severity: change.incident.severity, detections: change.incident.detections.slice(-20), ...(change.incident.resolution ? { resolution: change.incident.resolution } : {}) } });
        options.onIncidentChange?.(change);
      },
    });
    this.notifier = new Notifier({ repo: options.repo, config: options.config.notify, env: options.env, ...(options.logger ? { logger: options.logger } : {}) });
  }

  /** Loads the actions in force, follows the bus and starts the timers (a running Warden). */
  async start(): Promise<void> {
    await this.refresh();
    for (const incident of await this.options.repo.listIncidents({ state: ['resolved'], activeSince: new Date(Date.now() - 7 * 86_400_000).toISOString() })) this.forgive(incident);
    const windowStart = new Date(Date.now() - 7 * 86_400_000).toISOString();
    for (const a of await this.options.repo.listActions({ updatedSince: windowStart })) if (isContaining(a.type)) this.remember(a.playbook, a.target, Date.parse(a.createdAt));
    const sub = this.options.bus?.subscribe((event) => this.handle(event), { name: 'response', types: ['detection', 'risk', 'asset'] });
    this.unsubscribe = sub ? () => sub.unsubscribe() : undefined;
    this.timer = setInterval(() => void this.refresh().catch((error: unknown) => this.options.logger?.error({ err: error }, 'response refresh failed')), REFRESH_MS);
    this.timer.unref();
    this.notifier.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    clearInterval(this.timer);
    await this.queue;
    await this.notifier.stop();
  }

  /** Hot reload: new playbooks and safeguards apply from the next event. */
  setConfig(config: ResponseConfig): void {
    this.config = config;
    this.protectedPrincipals = new Set(config.protectedPrincipals);
    this.matcher.setPlaybooks(config.playbooks);
  }

  /** Handles one event after those before it; the promise settles when its actions are stored. */
  handle(event: WardenEvent): Promise<void> {
    if (!this.config.enabled) return Promise.resolve();
    const subject = subjectOf(event);
    if (!subject) return this.queue;
    const matches = this.matcher.match(event);
    const severe = SEVERITIES.indexOf(subject.severity) >= SEVERITIES.indexOf(this.config.incidentMinSeverity);
    if (matches.length === 0 && !severe) return this.queue;
    const receivedAt = new Date();
    const run = async (): Promise<void> => {
      const incident = await this.incidents.record(subject, receivedAt);
      for (const match of matches) if (match.fire) await this.fire(match, incident, receivedAt);
    };
    this.queue = this.queue.then(run).catch((error: unknown) => this.options.logger?.error({ err: error, event: event.id }, 'a playbook failed'));
    return this.queue;
  }

  private async fire({ playbook, subject }: Match, incident: Incident, receivedAt: Date): Promise<void> {
    const targetKey = `${subject.entity.type}:${subject.entity.id}`;
    const window = this.recentTargets.get(playbook.name);
    const since = Date.now() - playbook.rateLimit.windowSeconds * 1000;
    const distinct = [...(window?.entries() ?? [])].filter(([key, t]) => t > since && key !== targetKey).length;
    const escalate = !playbook.dryRun && !window?.has(targetKey) && distinct >= playbook.rateLimit.maxTargets;
    for (const action of playbook.actions) {
      const { record, run } = planAction(playbook, action, subject, { now: new Date(), protectedPrincipals: this.protectedPrincipals, escalate: escalate && isContaining(action.type), incidentId: incident.id });
      if (this.duplicate(record)) continue;
      if (run) {
        await this.execute(record, receivedAt);
      } else {
        await this.save(record);
        await this.incidents.action(incident.id, record);
      }
    }
    if (!escalate && !playbook.dryRun) this.remember(playbook.name, subject.entity, Date.now());
  }

  /** Idempotence: the same playbook does not act twice on one target while its first action is in force or waiting. */
  private duplicate(record: ActionRecord): boolean {
    if (record.type === 'notify' || record.status === 'failed') return false;
    const same = (a: ActionRecord): boolean => a.playbook === record.playbook && a.type === record.type && a.target.type === record.target.type && a.target.id === record.target.id;
    return this.state.actions().some(same) || this.pending.some(same);
  }

  private pending: ActionRecord[] = [];

  /** Carries out an action and records it as in force. */
  private async execute(record: ActionRecord, detectedAt?: Date): Promise<ActionRecord> {
    const now = new Date();
    const params = { ...record.params };
    if (record.type === 'revoke_credentials' && isPrincipal(record.target)) {
      const keys = (await this.options.credentials.list(record.target.id)).filter((k) => !k.revokedAt);
      for (const k of keys) await this.options.credentials.revoke(k.id);
      params.revokedKeys = keys.map((k) => k.id);
    }
    const duration = typeof params.durationSeconds === 'number' ? params.durationSeconds : 0;
    const active: ActionRecord = {
      ...record,
      params,
      status: 'active',
      enforcedAt: now.toISOString(),
      updatedAt: now.toISOString(),
      // A notification is done once queued; the others are in force for their duration.
      expiresAt: new Date(now.getTime() + duration * 1000).toISOString(),
    };
    await this.save(active);
    if (record.type === 'notify') await this.enqueueNotification(active);
    this.cutStreams(active);
    if (detectedAt && isContaining(active.type)) this.options.onContained?.((Date.now() - detectedAt.getTime()) / 1000);
    if (active.incidentId) await this.incidents.action(active.incidentId, active);
    return active;
  }

  private async enqueueNotification(action: ActionRecord): Promise<void> {
    const incident = action.incidentId ? await this.options.repo.getIncident(action.incidentId) : undefined;
    const format = (action.params.format as 'json' | 'slack' | 'teams' | undefined) ?? 'json';
    await this.notifier.enqueue({ actionId: action.id, url: String(action.params.url), secretRef: String(action.params.secretRef), body: webhookBody(action, format, incident ? { id: incident.id, severity: incident.severity } : undefined) });
  }

  /** A refusal cuts what the principal already has open: a stream started before it would outlive it. */
  private cutStreams(action: ActionRecord): void {
    if (!this.options.streams || this.cut.has(action.id) || action.status !== 'active') return;
    const refuses = action.type === 'revoke_credentials' || (action.type === 'quarantine' && action.params.mode !== 'step_up');
    if (!refuses) return;
    this.cut.add(action.id);
    const n = this.options.streams.cut(action.target);
    if (n > 0) this.options.logger?.info({ action: action.id, principal: action.target.id, streams: n }, 'requests in flight cut');
  }

  async approve(id: string, actor: string): Promise<ActionRecord> {
    const action = await this.require(id);
    if (action.status === 'active') return action;
    if (action.status !== 'pending') throw new WardenError('conflict', `action ${id} is ${action.status}; only a pending action can be approved`);
    if (action.expiresAt && Date.parse(action.expiresAt) <= Date.now()) throw new WardenError('conflict', `the approval deadline of action ${id} passed at ${action.expiresAt}`);
    return this.execute({ ...action, decidedBy: actor });
  }

  async reject(id: string, actor: string): Promise<ActionRecord> {
    const action = await this.require(id);
    if (action.status === 'rejected') return action;
    if (action.status !== 'pending') throw new WardenError('conflict', `action ${id} is ${action.status}; only a pending action can be rejected`);
    return this.finish(action, 'rejected', actor);
  }

  async undo(id: string, actor: string): Promise<ActionRecord> {
    const action = await this.require(id);
    if (action.status === 'undone') return action;
    const expired = action.status === 'expired' || (action.status === 'active' && action.expiresAt !== undefined && Date.parse(action.expiresAt) <= Date.now());
    if (expired) throw new WardenError('conflict', `action ${id} already expired at ${action.expiresAt}; there is nothing to undo`);
    if (action.status !== 'active') throw new WardenError('conflict', `action ${id} is ${action.status}; only an action in force can be undone${action.status === 'pending' ? ' (reject a pending one)' : ''}`);
    return this.finish(action, 'undone', actor);
  }

  private async finish(action: ActionRecord, status: 'rejected' | 'undone' | 'expired', actor?: string): Promise<ActionRecord> {
    const done: ActionRecord = { ...action, status, updatedAt: new Date().toISOString(), ...(actor ? { decidedBy: actor } : {}) };
    await this.save(done);
    if (done.incidentId) await this.incidents.action(done.incidentId, done);
    return done;
  }

  /** Resolves an incident; as false positive or benign, its actions are undone and the risk they added is cleared. */
  async resolveIncident(id: string, resolution: Resolution, actor: string, note?: string): Promise<Incident> {
    const incident = await this.incidents.resolve(id, resolution, actor, note);
    if (!FORGIVING.has(resolution)) return incident;
    for (const actionId of incident.actions) {
      const a = await this.options.repo.getAction(actionId);
      if (a?.status === 'active' && a.type !== 'notify') await this.finish(a, 'undone', actor);
      else if (a?.status === 'pending') await this.finish(a, 'rejected', actor);
    }
    this.forgive(incident);
    return incident;
  }

  /** Clears the risk an incident's detections added (again after a restart: the risk engine reloads them). */
  private forgive(incident: Incident): void {
    if (!this.options.risk || !incident.resolution || !FORGIVING.has(incident.resolution)) return;
    const until = Date.parse(incident.resolvedAt ?? incident.updatedAt);
    for (const entity of incident.entities) if (isPrincipal(entity)) this.options.risk.forgive(entity, incident.detectorNames, until);
  }

  async require(id: string): Promise<ActionRecord> {
    const action = await this.options.repo.getAction(id);
    if (!action) throw new WardenError('not_found', `no response action \`${id.slice(0, 100)}\``);
    return action;
  }

  /** Reloads actions from the store, expires what is due and publishes changes made elsewhere. */
  async refresh(): Promise<void> {
    const live = await this.options.repo.listActions({ status: ['active', 'pending'] });
    const recent = await this.options.repo.listActions({ updatedSince: new Date(Date.now() - 60_000).toISOString() });
    const now = Date.now();
    const byId = new Map([...recent, ...live].map((a) => [a.id, a]));
    for (const a of byId.values()) {
      if (a.expiresAt !== undefined && Date.parse(a.expiresAt) <= now && (a.status === 'active' || a.status === 'pending')) {
        byId.set(a.id, await this.finish(a, a.status === 'active' ? 'expired' : 'rejected'));
      } else if (this.options.bus && a.publishedStatus !== a.status) {
        await this.save(a);
      }
    }
    if (this.options.bus) await this.incidents.publishPending(new Date(now - 60_000).toISOString());
    // An incident resolved as a false positive by the CLI: its risk is cleared here, where the risk engine lives.
    if (this.options.risk) for (const incident of await this.options.repo.listIncidents({ state: ['resolved'], activeSince: new Date(now - 60_000).toISOString() })) this.forgive(incident);
    const all = [...byId.values()];
    this.state.replace(all);
    this.pending = all.filter((a) => a.status === 'pending');
    for (const a of all) this.cutStreams(a);
  }

  /** Stores the action, updates what is in force, and publishes its `response` event once per status. */
  private async save(action: ActionRecord): Promise<void> {
    const publish = this.options.bus !== undefined && action.publishedStatus !== action.status;
    const record: ActionRecord = publish ? { ...action, publishedStatus: action.status } : action;
    await this.options.repo.saveAction(record);
    this.state.update(record);
    this.pending = this.pending.filter((a) => a.id !== record.id);
    if (record.status === 'pending') this.pending.push(record);
    if (publish) {
      this.publish({
        type: 'response',
        action: record.type,
        target: record.target,
        reason: record.reason,
        details: { actionId: record.id, playbook: record.playbook, status: record.status, params: publicParams(record.params), ...(record.incidentId ? { incidentId: record.incidentId } : {}), ...(record.expiresAt ? { expiresAt: record.expiresAt } : {}), ...(record.decidedBy ? { decidedBy: record.decidedBy } : {}), dryRun: record.status === 'dry_run' },
      });
    }
  }

  private publish(event: Parameters<EventBus['publish']>[0]): void {
    this.options.bus?.publish({ ...event, ...(this.options.instanceId ? { source: this.options.instanceId } : {}) });
  }

  private remember(playbook: string, target: EntityRef, t: number): void {
    let window = this.recentTargets.get(playbook);
    if (!window) this.recentTargets.set(playbook, (window = new Map()));
    window.set(`${target.type}:${target.id}`, t);
    if (window.size > 100_000) window.delete(window.keys().next().value as string);
  }
}

