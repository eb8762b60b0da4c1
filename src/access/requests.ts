/**
 * Just-in-time elevation (issue 14 item 3): a principal asks to hold a configured role for a while, with
 * a reason; the role's approvers approve (one or two distinct people, never the requester, each with a
 * fresh factor verification when they have one enrolled); the role is then the principal's for its window
 * only. It expires on its own, can be revoked, and every step is kept in the history and published for
 * the audit log. The hot path reads the elevations in force from memory (`rolesFor`).
 *
 * @example
 * const r = await access.request({ principal: 'alice', role: 'admin', seconds: 3600, reason: 'INC-42' });
 * await access.approve(r.id, { id: 'carol', code: '123456' });
 * access.rolesFor('alice'); // [{ role: 'admin', requestId: r.id, until: '…' }] until the window ends
 */
import { randomUUID } from 'node:crypto';
import { WardenError } from '../core/index.js';
import type { EventBus } from '../events/index.js';
import type { Directory } from '../identity/index.js';
import type { AccessConfig, AccessRoleConfig } from './config.js';
import type { AccessFilter, AccessRepository, AccessRequestRecord, AccessStatus, StoredHistoryEntry } from './store/types.js';

/** The approver's second factor (src/mfa): whether they have one, and checking a code they give. */
export interface ApproverFactors {
  enrolled(principal: string): Promise<boolean>;
  /** Verifies a TOTP or recovery code (guessing-limited); throws when wrong. */
  verify(principal: string, code: string): Promise<string[]>;
}

export interface Actor {
  id: string;
  /** The actor's own authentication, when it came over HTTP: a recent multi-factor sign-in counts as fresh. */
  mfaAgeSeconds?: number;
  /** Roles the actor holds (an `admin` may revoke anything). */
  roles?: readonly string[];
}

export interface Approver extends Actor {
  /** A current TOTP code or a recovery code, when the approver's sign-in is not a fresh MFA one. */
  code?: string;
}

/** A role held through an approved request, as the authenticator and Cedar see it. */
export interface Grant {
  role: string;
  requestId: string;
  until: string;
}

export interface AccessOptions {
  repo: AccessRepository;
  config: AccessConfig;
  directory: Directory;
  factors: ApproverFactors;
  bus: Pick<EventBus, 'publish'>;
  instanceId: string;
}

/** The shortest window: long enough to use, short enough to try an expiry end to end. */
const MIN_SECONDS = 5;

interface Uses {
  count: number;
  firstAt: string;
  lastAt: string;
}

export class AccessRequests {
  /** principal → grants in force (refreshed every second, and at once on a change made here). */
  private grants = new Map<string, Grant[]>();
  /** requestId → requests made with the role since the last flush into the history. */
  private uses = new Map<string, Uses>();

  constructor(private readonly options: AccessOptions) {}

  roleConfig(role: string): AccessRoleConfig {
    const config = this.options.config.roles.find((r) => r.role === role);
    if (!config) throw new WardenError('bad_request', `role \`${role}\` cannot be requested: it is not in \`access.roles\``);
    return config;
  }

  async request(input: { principal: string; role: string; seconds: number; reason: string }): Promise<AccessRequestRecord> {
    const config = this.roleConfig(input.role);
    if (!Number.isInteger(input.seconds) || input.seconds < MIN_SECONDS || input.seconds > config.maxSeconds) {
      throw new WardenError('bad_request', `the window must be between ${MIN_SECONDS} and ${config.maxSeconds} seconds for role \`${input.role}\``);
    }
    const reason = input.reason.trim();
    if (reason.length === 0) throw new WardenError('bad_request', 'a reason is required');
    const open = await this.options.repo.listRequests({ principal: input.principal, limit: 200 });
    if (open.some((r) => r.role === input.role && (r.status === 'pending' || r.status === 'active'))) {
      throw new WardenError('conflict', `\`${input.principal}\` already has a pending or active request for role \`${input.role}\``);
    }
    const now = new Date();
    const record: AccessRequestRecord = {
      id: `ar-${randomUUID()}`,
      principal: input.principal,
      role: input.role,
      reason: reason.slice(0, 500),
      durationSeconds: input.seconds,
      approvalsRequired: config.approvals,
      status: 'pending',
      createdAt: now.toISOString(),
      pendingUntil: new Date(now.getTime() + this.options.config.pendingSeconds * 1000).toISOString(),
      activeFrom: null,
      activeUntil: null,
      endedAt: null,
      endedBy: null,
      approvers: [],
    };
    const details = { role: record.role, seconds: record.durationSeconds, reason: record.reason, approvalsRequired: record.approvalsRequired };
    await this.options.repo.addRequest(record, { requestId: record.id, at: record.createdAt, kind: 'requested', actor: record.principal, details });
    this.audit('access.requested', record.principal, record, details);
    return record;
  }

  /** One approval; the last one needed makes the role the requester's from now for the window asked. */
  async approve(id: string, approver: Approver): Promise<AccessRequestRecord> {
    const request = await this.get(id);
    if (approver.id === request.principal) throw new WardenError('forbidden', 'a requester can never approve their own request');
    this.assertApprover(request.role, approver.id);
    const method = await this.freshVerification(approver);
    const result = await this.options.repo.approve(id, approver.id, new Date().toISOString(), { verification: method });
    if (result.outcome === 'duplicate') throw new WardenError('conflict', 'you already approved this request: it needs another approver');
    if (result.outcome === 'not_pending') throw new WardenError('conflict', 'the request is no longer pending');
    this.audit('access.approved', approver.id, result.request, { verification: method, approvals: result.request.approvers.length, approvalsRequired: result.request.approvalsRequired });
    if (result.outcome === 'activated') {
      this.hold(result.request);
      this.audit('access.activated', approver.id, result.request, { until: result.request.activeUntil, approvers: result.request.approvers });
    }
    return result.request;
  }

  async deny(id: string, actor: Actor, reason: string): Promise<AccessRequestRecord> {
    const request = await this.get(id);
    if (actor.id === request.principal) throw new WardenError('forbidden', 'a requester cannot decide their own request: revoke it to withdraw it');
    this.assertApprover(request.role, actor.id);
    return this.end(request, ['pending'], 'denied', actor, reason);
  }

  /** Ends a pending or active request: its requester (withdrawing), an approver of its role, or an admin. */
  async revoke(id: string, actor: Actor, reason: string): Promise<AccessRequestRecord> {
    const request = await this.get(id);
    if (actor.id !== request.principal && !actor.roles?.includes('admin')) this.assertApprover(request.role, actor.id);
    return this.end(request, ['pending', 'active'], 'revoked', actor, reason);
  }

  async get(id: string): Promise<AccessRequestRecord> {
    const request = await this.options.repo.getRequest(id);
    if (!request) throw new WardenError('not_found', 'no such access request');
    return request;
  }

  list(filter: AccessFilter): Promise<AccessRequestRecord[]> {
    return this.options.repo.listRequests(filter);
  }

  history(id: string): Promise<StoredHistoryEntry[]> {
    return this.options.repo.history(id);
  }

  /** The roles `principal` holds through approved requests now (memory only: the hot path). */
  rolesFor(principal: string, nowMs = Date.now()): Grant[] {
    const grants = this.grants.get(principal);
    if (!grants) return [];
    const now = new Date(nowMs).toISOString();
    return grants.filter((g) => g.until > now);
  }

  /** Counts a request made with an elevation; the counts go into the history at the next refresh. */
  noteUse(grants: readonly Grant[], nowMs = Date.now()): void {
    const at = new Date(nowMs).toISOString();
    for (const g of grants) {
      const uses = this.uses.get(g.requestId);
      if (uses) {
        uses.count += 1;
        uses.lastAt = at;
      } else this.uses.set(g.requestId, { count: 1, firstAt: at, lastAt: at });
    }
  }

  /**
   * Every second: records expiries (each once, whichever instance sees it first), writes the uses
   * counted here into the history, and reloads the grants in force (including those made elsewhere).
   */
  async refresh(nowMs = Date.now()): Promise<void> {
    const now = new Date(nowMs).toISOString();
    for (const expired of await this.options.repo.expireDue(now)) {
      this.audit('access.expired', 'warden', expired, expired.activeFrom === null ? { lapsed: 'no approval in time' } : { until: expired.activeUntil });
    }
    const uses = this.uses;
    this.uses = new Map();
    for (const [requestId, u] of uses) {
      const details = { requests: u.count, firstAt: u.firstAt, lastAt: u.lastAt };
      await this.options.repo.addHistory({ requestId, at: u.lastAt, kind: 'used', actor: 'warden', details });
      this.options.bus.publish({ type: 'admin', source: this.options.instanceId, actor: { type: 'Warden::User', id: 'warden' }, operation: 'access.used', target: requestId, outcome: 'success', details });
    }
    const grants = new Map<string, Grant[]>();
    for (const r of await this.options.repo.active(now)) {
      const list = grants.get(r.principal) ?? [];
      list.push({ role: r.role, requestId: r.id, until: r.activeUntil! });
      grants.set(r.principal, list);
    }
    this.grants = grants;
  }

  /** Whether `principal` is one of the role's approvers (by id or group); false for a role no longer configured. */
  mayDecide(role: string, principal: string): boolean {
    const config = this.options.config.roles.find((r) => r.role === role);
    const groups = this.options.directory.principal(principal).groups;
    return config?.approvers.some((a) => (a.startsWith('group:') ? groups.includes(a.slice('group:'.length)) : a === principal)) ?? false;
  }

  private assertApprover(role: string, principal: string): void {
    this.roleConfig(role);
    if (!this.mayDecide(role, principal)) throw new WardenError('forbidden', `\`${principal}\` is not an approver for role \`${role}\``);
  }

  /** How the approver proved it is them just now: a recent MFA sign-in, a code, or `none` (no factor enrolled). */
  private async freshVerification(approver: Approver): Promise<string> {
    if (!(await this.options.factors.enrolled(approver.id))) return 'none';
    if (approver.code !== undefined) {
      const amr = await this.options.factors.verify(approver.id, approver.code);
      return amr.join('+');
    }
    if (approver.mfaAgeSeconds !== undefined && approver.mfaAgeSeconds <= this.options.config.approverMfaMaxAgeSeconds) return 'recent-mfa';
    throw new WardenError('mfa_verification_failed', 'approving needs a fresh factor verification: send `code` (a current TOTP code or a recovery code)');
  }

  private async end(request: AccessRequestRecord, from: AccessStatus[], to: 'denied' | 'revoked', actor: Actor, reason: string): Promise<AccessRequestRecord> {
    const details = { reason: reason.trim().slice(0, 500) };
    if (!(await this.options.repo.end(request.id, from, to, actor.id, new Date().toISOString(), details))) {
      throw new WardenError('conflict', `the request is ${request.status === 'pending' || request.status === 'active' ? 'no longer open' : request.status}`);
    }
    const list = this.grants.get(request.principal)?.filter((g) => g.requestId !== request.id);
    if (list) this.grants.set(request.principal, list);
    this.audit(`access.${to}`, actor.id, request, details);
    return this.get(request.id);
  }

  private hold(request: AccessRequestRecord): void {
    const list = (this.grants.get(request.principal) ?? []).filter((g) => g.requestId !== request.id);
    list.push({ role: request.role, requestId: request.id, until: request.activeUntil! });
    this.grants.set(request.principal, list);
  }

  private audit(operation: string, actor: string, request: AccessRequestRecord, details: Record<string, unknown>): void {
    this.options.bus.publish({
      type: 'admin',
      source: this.options.instanceId,
      actor: { type: 'Warden::User', id: actor },
      operation,
      target: request.principal,
      outcome: 'success',
      details: { requestId: request.id, role: request.role, ...details },
    });
  }
}
