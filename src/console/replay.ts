/**
 * "What would this edit change?": the last N days' recorded decisions are re-decided (not guessed) under
 * a candidate policy set and under the set in force, with the recorded principal, action, resource,
 * address, authentication method and device, today's integrity facts for the resource and today's risk
 * score. Route attributes from the configuration and guard findings are not in the record, so a policy
 * that reads them is judged without them; the answer says how many decisions were re-decided.
 */
import type { DecisionEvent } from '../core/events.js';
import type { DecisionStats } from '../events/index.js';
import type { AuthorizeInput } from '../gateway/authorize.js';
import { dryRun } from '../gateway/dry-run.js';
import type { AssetAttributeSource, RiskSource } from '../gateway/pipeline.js';
import type { Directory } from '../identity/index.js';
import type { PolicyDecisionPoint } from '../policy/index.js';

export interface ReplayDeps {
  stats: DecisionStats;
  directory: Directory;
  risk: RiskSource;
  assets: AssetAttributeSource;
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
export function requestOf(event: DecisionEvent, assets: AssetAttributeSource): AuthorizeInput {
  const method = AUTH_METHODS.has(event.authMethod ?? '') ? (event.authMethod as 'jwt' | 'apikey' | 'mtls' | 'none') : 'none';
  const facts = assets.attributes(event.resource.type, event.resource.id);
  return {
    principal: { type: event.principal!.type, id: event.principal!.id },
    action: event.action,
    resource: { type: event.resource.type, id: event.resource.id, ...(facts ? { attributes: { ...facts } } : {}) },
    context: {
      sourceIp: event.sourceIp,
      authentication: { method, mfa: false },
      ...(event.device?.id ? { deviceId: event.device.id } : {}),
      ...(event.delegation ? { onBehalfOf: event.delegation.onBehalfOf.id } : {}),
      ...(event.model ? { model: event.model } : {}),
    },
  };
}

export function replay(deps: ReplayDeps, candidate: PolicyDecisionPoint, active: PolicyDecisionPoint | undefined, days: number, limit: number): { considered: number; changed: number; changes: ReplayChange[] } {
  const events = deps.stats.recent(new Date(Date.now() - days * 86_400_000), limit);
  const results = dryRun(
    events.map((e) => requestOf(e, deps.assets)),
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
