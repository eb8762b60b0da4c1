/**
 * The steps every protected request shares: authenticate, build the Cedar request, decide, map the
 * decision to HTTP (the one place that does), and record exactly one decision event.
 */
import type { ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { WardenError, type Logger, type EntityRef, type Identity, type ResourceRef, type RiskSnapshot } from '../core/index.js';
import type { EventBus } from '../events/index.js';
import { credentialAllows, scopeFor, type Authenticator, type ScopeNeed } from '../identity/index.js';
import { buildCedarRequest, type GuardFacts, type LimitFacts, type PdpResult, type PolicyDecisionPoint, type ResponseContextFacts } from '../policy/index.js';
import type { Exchange } from './exchange.js';
import { round } from './exchange.js';
import { header, isTrustedPeer, sendError } from './http.js';
import type { GatewayMetrics } from './metrics.js';

export interface RiskSource {
  /** In-memory snapshot: no I/O on the request path. */
  snapshot(principal: EntityRef, sessionId?: string): RiskSnapshot;
}

export interface AssetAttributeSource {
  /** Integrity facts for a resource (verified, signer, lastVerified, suspect), from memory. */
  attributes(type: string, id: string): object | undefined;
}

/** What automated response actions in force mean for a request (src/response), read from memory. */
export interface ResponseGate {
  /** True when requests from this address are blocked (`block_source`). */
  sourceBlocked(ip: string): boolean;
  /** True when the credential was issued before a revocation of its principal (`revoke_credentials`). */
  revoked(identity: Identity): boolean;
  /** The Cedar `context.response` record and device isolation for this identity. */
  facts(identity: Identity): ResponseContextFacts;
}

export interface PipelineDeps {
  authenticator: Authenticator;
  pdp: PolicyDecisionPoint;
  bus: EventBus;
  metrics: GatewayMetrics;
  logger: Logger;
  risk: RiskSource;
  assets: AssetAttributeSource;
  instanceId: string;
  onBehalfOfHeader: string;
  deviceHeader: string;
  /** Peers whose device header is believed (`server.trustedProxies`). */
  trustedProxies: ReadonlySet<string>;
  response?: ResponseGate;
  /** Opens a step-up challenge for a refused request and names the page that completes it (src/mfa). */
  stepUps?: { open(decisionId: string, identity: Identity): string };
  /** Origins clients address Warden at (`mfa.publicUrl`, the listeners): a DPoP proof's `htu` must be one. */
  publicOrigins?: readonly string[];
  /** What shared signals say (src/signals): refuses disabled accounts and revoked sessions, adds device posture. */
  signals?: { apply(identity: Identity): void };
}

export interface DecideInput {
  action: string;
  resource: ResourceRef;
  request: { model?: string; bytes: number; stream: boolean };
  monitorOnly: boolean;
  guard?: GuardFacts;
  /** The caller's limits after this request was counted (context.limits). */
  limits?: LimitFacts;
  /** Further context under its own keys (the MCP gateway's `mcp` and `session`). */
  extra?: Record<string, unknown>;
  /**
   * What the caller's API key scopes must allow, checked before the policy decision; null only where
   * the identity decided for presented no credential here (/v1/authorize describes a subject).
   */
  scope: ScopeNeed | null;
}

/** A decision; `missingScope` when the credential's scopes refused it before any policy ran. */
export type ScopedDecision = PdpResult & { missingScope?: string };

/** The reason recorded for a scope refusal (not a Cedar policy id). */
export const SCOPE_REASON = 'warden:api-key-scope';

export const NO_RISK: RiskSnapshot = { score: 0, factors: [] };

export class Pipeline {
  constructor(readonly deps: PipelineDeps) {}

  async authenticate(ex: Exchange): Promise<Identity> {
    const t0 = performance.now();
    // A blocked address is refused before its credential is even read.
    if (this.deps.response?.sourceBlocked(ex.sourceIp)) throw new WardenError('source_blocked');
    try {
      const identity = await this.deps.authenticator.authenticate({
        authorization: header(ex.req, 'authorization'),
        apiKey: header(ex.req, 'x-api-key'),
        tlsSocket: (ex.req.socket as TLSSocket).encrypted ? (ex.req.socket as TLSSocket) : undefined,
        onBehalfOf: header(ex.req, this.deps.onBehalfOfHeader),
        deviceId: header(ex.req, this.deps.deviceHeader),
        fromTrustedProxy: isTrustedPeer(ex.req.socket.remoteAddress, this.deps.trustedProxies),
        dpop: header(ex.req, 'dpop'),
        method: ex.method,
        urls: (this.deps.publicOrigins ?? []).map((origin) => origin + ex.path),
      });
      if (this.deps.response?.revoked(identity)) throw new WardenError('credential_revoked');
      this.deps.signals?.apply(identity);
      ex.identity = identity;
      return identity;
    } catch (error) {
      if (error instanceof WardenError && error.status === 401) {
        this.deps.bus.publish({
          type: 'authentication',
          source: this.deps.instanceId,
          method: authMethodOf(ex),
          outcome: 'failure',
          sourceIp: ex.sourceIp,
          reason: error.code,
          ...(header(ex.req, 'user-agent') ? { userAgent: header(ex.req, 'user-agent')!.slice(0, 256) } : {}),
        });
      }
      throw error;
    } finally {
      ex.latency.auth = round(performance.now() - t0);
    }
  }

  /**
   * Endpoints that Cedar does not decide (the admin API) still refuse a quarantined principal: an
   * attacker holding an admin's credential must not undo its own quarantine.
   */
  refuseQuarantined(identity: Identity): void {
    if (this.deps.response?.facts(identity).response?.quarantined) throw new WardenError('forbidden', 'the principal is quarantined by an automated response');
  }

  /** Decides with Cedar and records the outcome on the exchange; does not send anything. */
  decide(ex: Exchange, input: DecideInput): ScopedDecision {
    const identity = ex.identity;
    if (!identity) throw new WardenError('internal', 'decide before authenticate');
    if (input.scope && !credentialAllows(identity, input.scope)) {
      // A key narrows what policies allow: refused here, whatever the policies say, even on monitor-only routes.
      const missingScope = scopeFor(input.scope);
      ex.action = input.action;
      ex.resource = { type: input.resource.type, id: input.resource.id };
      ex.outcome = 'deny';
      ex.enforced = true;
      ex.policyIds = [];
      return { outcome: 'deny', reasons: [{ policyId: SCOPE_REASON, message: `the API key lacks the scope \`${missingScope}\`` }], policyIds: [], errors: [], version: this.deps.pdp.version ?? 0, missingScope };
    }
    const t0 = performance.now();
    const principal = identity.principal;
    const risk = this.deps.risk.snapshot({ type: principal.kind, id: principal.id });
    const assetFacts = this.deps.assets.attributes(input.resource.type, input.resource.id);
    const resource: ResourceRef = assetFacts ? { ...input.resource, attributes: { ...input.resource.attributes, ...assetFacts } } : input.resource;
    const { request, entities } = buildCedarRequest(identity, input.action, resource, {
      now: new Date(),
      sourceIp: ex.sourceIp,
      risk,
      request: { ...input.request, method: ex.method, path: ex.path.slice(0, 512) },
      ...(input.guard ? { guard: input.guard } : {}),
      ...(input.limits ? { limits: input.limits } : {}),
      ...(input.extra ? { extra: input.extra } : {}),
      ...(this.deps.response ? this.deps.response.facts(identity) : {}),
    });
    const result = this.deps.pdp.decide(request, entities);
    ex.action = input.action;
    ex.resource = { type: resource.type, id: resource.id };
    ex.outcome = result.outcome;
    ex.enforced = !input.monitorOnly;
    ex.policyIds = result.policyIds;
    ex.risk = risk.score;
    const elapsed = performance.now() - t0;
    ex.latency.decision = round(elapsed);
    this.deps.metrics.decisionSeconds.observe({ route: ex.route }, (elapsed + (ex.latency.auth ?? 0)) / 1000);
    if (result.errors.length) this.deps.logger.warn({ requestId: ex.requestId, errors: result.errors }, 'policies skipped because their evaluation errored');
    return result;
  }

  /**
   * Opens a step-up challenge for a refused exchange and returns the URL where the person completes it
   * (its secret included: for the client's answer only, never for an event); undefined without the
   * step-up module or an identity. The gateway's 401 and the MCP gateway's refusals both name it.
   */
  openStepUp(ex: Exchange): string | undefined {
    return ex.identity && this.deps.stepUps ? this.deps.stepUps.open(ex.decisionId, ex.identity) : undefined;
  }

  /**
   * Applies a decision: returns true if the request may proceed. A refused request gets its response here:
   * 401 with an RFC 9470 challenge for step_up, 403 for deny. Monitor-only routes always proceed.
   */
  enforce(ex: Exchange, res: ServerResponse, result: ScopedDecision): boolean {
    if (result.missingScope !== undefined) {
      const error = new WardenError('insufficient_scope', `the API key lacks the scope \`${result.missingScope}\``, { details: { decisionId: ex.decisionId, scope: result.missingScope } });
      // RFC 6750 section 3.1: the scope the request needs.
      this.fail(ex, res, error, { 'www-authenticate': `Bearer realm="warden", error="insufficient_scope", scope="${result.missingScope.replace(/["\\]/g, '')}"` });
      return false;
    }
    if (result.outcome === 'allow' || !ex.enforced) return true;
    if (result.outcome === 'step_up') {
      // The 401 names where to complete the step-up (RFC 9470 has no field for it; the body carries it).
      const stepUpUrl = this.openStepUp(ex);
      const error = new WardenError('step_up_required', undefined, { details: { decisionId: ex.decisionId, ...(stepUpUrl ? { stepUpUrl } : {}) } });
      this.fail(ex, res, error, { 'www-authenticate': stepUpChallenge(this.stepUpNeeds(ex, result)) });
    } else {
      this.fail(ex, res, new WardenError('forbidden', undefined, { details: { decisionId: ex.decisionId } }));
    }
    return false;
  }

  /**
   * What the step-up asks for, from the deciding policies' `@acr_values("...")` and `@max_age("SECONDS")`:
   * a caller that has MFA already needs only a more recent authentication (`max_age`); one without it
   * needs a stronger one (`acr_values`, and `max_age` when the policy also bounds the age).
   */
  private stepUpNeeds(ex: Exchange, result: PdpResult): StepUpNeeds {
    const annotations = result.policyIds.map((id) => this.deps.pdp.compiled?.annotations.get(id) ?? {});
    const acrValues = [...new Set(annotations.flatMap((a) => (a.acr_values ?? '').split(/\s+/).filter(Boolean)))];
    const ages = annotations.map((a) => Number(a.max_age)).filter((n) => Number.isInteger(n) && n >= 0);
    const maxAge = ages.length ? Math.min(...ages) : undefined;
    if (ex.identity?.authentication.mfa && maxAge !== undefined) return { maxAge };
    return { ...(acrValues.length ? { acrValues } : {}), ...(maxAge !== undefined ? { maxAge } : {}) };
  }

  /** Sends an error response (the one JSON shape) and records the exchange. */
  fail(ex: Exchange, res: ServerResponse, error: unknown, headers: Record<string, string> = {}): void {
    if (!(error instanceof WardenError)) this.deps.logger.error({ requestId: ex.requestId, err: error }, 'request failed');
    const code = error instanceof WardenError ? error.code : 'internal';
    if (error instanceof WardenError && error.status === 401 && !headers['www-authenticate']) headers['www-authenticate'] = 'Bearer realm="warden"';
    // A refusal before the body was read (unauthenticated, forbidden, too large) closes the connection,
    // so the unread body is never read: keeping the connection alive would mean draining it first.
    if (!ex.req.complete) headers.connection = 'close';
    ex.errorCode = code;
    ex.status = sendError(res, error, { 'x-request-id': ex.requestId, ...headers });
    this.deps.metrics.errors.inc({ code });
    this.record(ex);
  }

  /** Publishes the exchange's single decision event. */
  record(ex: Exchange): void {
    if (!ex.claimRecord()) return;
    if (ex.status === 0) ex.status = 499;
    this.deps.metrics.decisions.inc({ outcome: ex.outcome, route: ex.route, enforced: String(ex.enforced) });
    ex.recordedBy(this.deps.bus.publishDurably(ex.toEvent(this.deps.instanceId)));
  }
}

export interface StepUpNeeds {
  acrValues?: string[];
  maxAge?: number;
}

/**
 * RFC 9470: the resource server asks for a stronger (`acr_values`) or more recent (`max_age`)
 * authentication, so a client can tell "authenticate more strongly" from "authenticate again".
 */
export function stepUpChallenge(needs: StepUpNeeds = {}): string {
  const quoted = (v: string): string => v.replace(/["\\\r\n]/g, '');
  const onlyAge = needs.maxAge !== undefined && !needs.acrValues?.length;
  const parts = [
    'Bearer realm="warden"',
    'error="insufficient_user_authentication"',
    `error_description="${onlyAge ? 'a more recent authentication is required' : 'stronger authentication is required'}"`,
    ...(needs.acrValues?.length ? [`acr_values="${quoted(needs.acrValues.join(' '))}"`] : []),
    ...(needs.maxAge !== undefined ? [`max_age="${needs.maxAge}"`] : []),
  ];
  return parts.join(', ');
}

/** Whether the connection's peer is a configured trusted proxy (`::ffff:a.b.c.d` matches `a.b.c.d`). */
function authMethodOf(ex: Exchange): 'jwt' | 'apikey' | 'mtls' | 'none' {
  const auth = header(ex.req, 'authorization');
  if (header(ex.req, 'x-api-key') || auth?.includes('wdn_')) return 'apikey';
  if (auth) return 'jwt';
  return (ex.req.socket as TLSSocket).encrypted ? 'mtls' : 'none';
}
