/**
 * "What would this edit change?": the last N days' recorded decisions are re-decided (not guessed) under
 * a candidate policy set and under the set in force, with the recorded principal, action, resource,
 * address, authentication method and device, the resource's attributes from today's configuration and
 * integrity facts, and today's risk score. MFA and guard findings are not in the record, so a policy that
 * reads them is judged as if there were none; the answer says how many decisions were re-decided.
 */
import type { DecisionEvent } from '../core/index.js';
import type { DecisionRepository } from '../events/index.js';
import { type AuthorizeInput, dryRun, type AssetAttributeSource, type RiskSource } from '../gateway/index.js';
import type { WardenConfig } from '../config/index.js';
import type { Directory } from '../identity/index.js';
import type { PolicyDecisionPoint } from '../policy/index.js';

export interface ReplayDeps {
  stats: Pick<DecisionRepository, 'recent'>;
  directory: Directory;
  risk: RiskSource;
  assets: AssetAttributeSource;
  /** Attributes the configuration gives a resource (a model's sensitivity and owner, a route's resource attributes). */
  configured: AssetAttributeSource;
}

/**
 * The attributes the gateway gives a resource from the configuration, which the decision record does not
 * repeat: a model's sensitivity and owner, a generic route's static resource attributes (by resource type).
 */
export function configuredAttributes(config: Pick<WardenConfig, 'models' | 'routes'>): AssetAttributeSource {
  const models = new Map(config.models.map((m) => [m.id, { sensitivity: m.sensitivity, owner: m.owner }]));
  const routes = new Map<string, object>();
  for (const r of config.routes) if (!routes.has(r.resource.type) && r.resource.attributes) routes.set(r.resource.type, r.resource.attributes);
  return { attributes: (type, id) => (type === 'Model' ? models.get(id) : routes.get(type)) };
}

export interface ReplayChange {
  decisionId: string;
  time: string;
  principal: string;
  action: string;
  resource: string;
  recorded: string;
  active: string | null;
  candidate: string;
  candidatePolicies: string[];
}

const AUTH_METHODS = new Set(['jwt', 'apikey', 'mtls', 'none']);

/** The /v1/authorize-shaped request a recorded decision describes. */
export function requestOf(event: DecisionEvent, deps: Pick<ReplayDeps, 'assets' | 'configured'>): AuthorizeInput {
  const method = AUTH_METHODS.has(event.authMethod ?? '') ? (event.authMethod as 'jwt' | 'apikey' | 'mtls' | 'none') : 'none';
  const configured = deps.configured.attributes(event.resource.type, event.resource.id);
  const integrity = deps.assets.attributes(event.resource.type, event.resource.id);
  const facts = configured || integrity ? { ...configured, ...integrity } : undefined;
  return {
    principal: { type: event.principal!.type, id: event.principal!.id },
    action: event.action,
    resource: { type: event.resource.type, id: event.resource.id, ...(facts ? { attributes: facts } : {}) },
    context: {
      sourceIp: event.sourceIp,
      authentication: { method, mfa: false },
      ...(event.device?.id ? { deviceId: event.device.id } : {}),
      ...(event.delegation ? { onBehalfOf: event.delegation.onBehalfOf.id } : {}),
      ...(event.model ? { model: event.model } : {}),
    },
  };
}

export async function replay(deps: ReplayDeps, candidate: PolicyDecisionPoint, active: PolicyDecisionPoint | undefined, days: number, limit: number): Promise<{ considered: number; changed: number; changes: ReplayChange[] }> {
  const events = await deps.stats.recent(new Date(Date.now() - days * 86_400_000), limit);
  const results = dryRun(
    events.map((e) => requestOf(e, deps)),
    { candidate, ...(active ? { active } : {}), directory: deps.directory, risk: deps.risk },
  );
  const changes: ReplayChange[] = [];
  results.forEach((r, i) => {
    const e = events[i]!;
    // Changed against the set in force when there is one, else against what was recorded.
    const before = r.active?.decision ?? e.outcome;
    if (before === r.candidate.decision) return;
    changes.push({
      decisionId: e.decisionId,
      time: e.time,
      principal: `${e.principal!.type}::${e.principal!.id}`,
      action: e.action,
      resource: `${e.resource.type}::${e.resource.id}`,
      recorded: e.outcome,
      active: r.active?.decision ?? null,
      candidate: r.candidate.decision,
      candidatePolicies: r.candidate.policyIds,
    });
  });
  return { considered: events.length, changed: changes.length, changes: changes.slice(0, 500) };
}
