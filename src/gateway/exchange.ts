/**
 * One request as it passes through the gateway: what was asked, who asked, what was decided and how long
 * each step took. It ends in exactly one decision event.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DecisionEvent, PrincipalRef, DecisionOutcome, EntityRef, Identity, Principal } from '../core/index.js';
import { header } from './http.js';

export class Exchange {
  readonly requestId: string;
  readonly decisionId = randomUUID();
  readonly startedAt = performance.now();
  readonly method: string;
  readonly path: string;
  route = 'unmatched';
  action = 'none';
  resource: EntityRef = { type: 'Warden::Route', id: 'unmatched' };
  identity: Identity | undefined;
  outcome: DecisionOutcome = 'deny';
  enforced = true;
  policyIds: string[] = [];
  status = 0;
  errorCode: string | undefined;
  model: string | undefined;
  risk: number | undefined;
  /** The limit rule that refused this request, if one did. */
  limit: DecisionEvent['limit'];
  readonly latency: { auth?: number; decision?: number; guard?: number; upstream?: number } = {};
  readonly usage: { requestBytes?: number; responseBytes?: number; promptTokens?: number; completionTokens?: number } = {};
  private recorded = false;
  private settleDurable!: (recording: Promise<unknown>) => void;
  /** Settles once this exchange's decision event is durable (rejects if it cannot be made so). */
  readonly durable: Promise<void> = new Promise((resolve, reject) => {
    this.settleDurable = (recording) => recording.then(() => resolve(), reject);
  });

  constructor(
    readonly req: IncomingMessage,
    public sourceIp: string,
  ) {
    const incoming = header(req, 'x-request-id');
    this.requestId = incoming && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    this.method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    this.path = q >= 0 ? url.slice(0, q) : url;
  }

  /** Marks the exchange recorded; returns false if it already was (one event per request). */
  claimRecord(): boolean {
    if (this.recorded) return false;
    this.recorded = true;
    return true;
  }

  /** Ties `durable` to the recording of the decision event. */
  recordedBy(recording: Promise<unknown>): void {
    this.settleDurable(recording);
  }

  toEvent(source: string): Omit<DecisionEvent, 'id' | 'time'> {
    const identity = this.identity;
    const delegation = identity?.delegation;
    return {
      type: 'decision',
      source,
      requestId: this.requestId,
      decisionId: this.decisionId,
      principal: identity ? principalRef(identity.principal) : null,
      ...(delegation ? { delegation: { actor: principalRef(delegation.actor), onBehalfOf: principalRef(delegation.onBehalfOf) } } : {}),
      ...(identity?.device ? { device: { ...identity.device } } : {}),
      ...(identity ? { authMethod: identity.authentication.method } : {}),
      ...(identity?.authentication.credentialId ? { credentialId: identity.authentication.credentialId } : {}),
      action: this.action,
      resource: this.resource,
      route: this.route,
      method: this.method,
      path: this.path.slice(0, 512),
      sourceIp: this.sourceIp,
      ...(header(this.req, 'user-agent') ? { userAgent: header(this.req, 'user-agent')!.slice(0, 256) } : {}),
      outcome: this.outcome,
      enforced: this.enforced,
      policyIds: this.policyIds,
      status: this.status,
      ...(this.errorCode ? { errorCode: this.errorCode } : {}),
      ...(this.model ? { model: this.model } : {}),
      ...(this.risk !== undefined ? { risk: this.risk } : {}),
      ...(this.limit ? { limit: this.limit } : {}),
      ...(Object.keys(this.usage).length ? { usage: this.usage } : {}),
      latencyMs: { ...this.latency, total: round(performance.now() - this.startedAt) },
    };
  }
}

export function principalRef(p: Principal): PrincipalRef {
  return { type: p.kind, id: p.id, ...(p.groups.length ? { groups: p.groups } : {}) };
}

export function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
