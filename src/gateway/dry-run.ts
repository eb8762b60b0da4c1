/**
 * Policy dry-run: decides /v1/authorize-shaped requests with a candidate policy set and, when one is
 * active, with the set in force, so that a team sees which decisions a change would flip before
 * activating it. Used by `POST /admin/policies/dry-run` and `warden policy dry-run`.
 */
import type { Directory } from '../identity/index.js';
import { buildCedarRequest, type PolicyDecisionPoint } from '../policy/index.js';
import { decideInputOf, subjectIdentity, type AuthorizeInput } from './authorize.js';
import type { RiskSource } from './pipeline.js';

export interface DryRunResult {
  principal: string;
  action: string;
  resource: string;
  active: { decision: string; policyIds: string[] } | null;
  candidate: { decision: string; policyIds: string[] };
  changed: boolean;
}

export function dryRun(requests: AuthorizeInput[], deps: { candidate: PolicyDecisionPoint; active?: PolicyDecisionPoint; directory: Directory; risk: RiskSource }): DryRunResult[] {
  return requests.map((request) => {
    const identity = subjectIdentity(request, deps.directory);
    const { action, resource, request: info } = decideInputOf(request);
    const { request: cedar, entities } = buildCedarRequest(identity, action, resource, {
      now: new Date(),
      sourceIp: request.context.sourceIp ?? '127.0.0.1',
      risk: deps.risk.snapshot({ type: identity.principal.kind, id: identity.principal.id }),
      request: { ...info, method: 'POST', path: '/v1/authorize' },
    });
    const next = deps.candidate.decide(cedar, entities);
    const before = deps.active?.decide(cedar, entities);
    return {
      principal: identity.principal.id,
      action,
      resource: resource.id,
      active: before ? { decision: before.outcome, policyIds: before.policyIds } : null,
      candidate: { decision: next.outcome, policyIds: next.policyIds },
      changed: before !== undefined && before.outcome !== next.outcome,
    };
  });
}
