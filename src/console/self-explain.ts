/**
 * A principal's own decision explained, so "access denied by policy" is not a dead end:
 * `GET /ui/api/self/decisions/:decisionId` with the caller's own credential (the API key or token it was
 * refused with; no console role needed). Only the caller's own decisions are found: another principal's
 * decision id answers `not_found`, as an unknown one does, so ids cannot be probed.
 *
 * What the caller sees is decided by the policies themselves: a deciding policy that carries an
 * `@explain("...")` annotation is shown with its id and that text; the others only as a count. The
 * context shown is the caller's own request (action, resource, time, outcome, authentication method);
 * never the risk score, its factors, detections or policy text, which would teach an attacker the rules.
 */
import { WardenError, type Identity, type DecisionEvent } from '../core/index.js';
import type { DecisionExplainer, PolicyExplanation } from './explain.js';

export interface SelfExplanation {
  decisionId: string;
  time: string;
  outcome: DecisionEvent['outcome'];
  status: number;
  action: string;
  resource: { type: string; id: string };
  authentication: string;
  /** Deciding policies that chose to explain themselves (`@explain`). */
  policies: { id: string; effect: PolicyExplanation['effect']; explanation: string }[];
  /** Deciding policies that did not. */
  otherPolicies: number;
  remedy: string;
}

const REMEDY: Record<DecisionEvent['outcome'], string> = {
  allow: 'the request was allowed',
  deny: 'ask an administrator for access, quoting the decision id',
  step_up: 'authenticate again with a stronger factor (MFA) and retry',
};

/**
 * @example
 * const mine = await selfExplanation(explainer, identity, 'dcs_0f…');
 * mine.policies[0].explanation // "confidential models need the `engineering` group"
 */
export async function selfExplanation(explainer: DecisionExplainer, identity: Identity, decisionId: string): Promise<SelfExplanation> {
  if (decisionId.length > 100) throw new WardenError('validation_failed', '`decisionId`: at most 100 characters');
  const notYours = new WardenError('not_found', 'no decision of yours with this id');
  let full;
  try {
    full = await explainer.explain(decisionId);
  } catch (error) {
    if (error instanceof WardenError && error.code === 'not_found') throw notYours;
    throw error;
  }
  const event = full.decision as DecisionEvent;
  const p = identity.principal;
  if (!event.principal || event.principal.type !== p.kind || event.principal.id !== p.id) throw notYours;
  const policies = full.policies as PolicyExplanation[];
  const shown = policies.filter((x) => typeof x.annotations.explain === 'string' && x.annotations.explain.length > 0);
  return {
    decisionId: event.decisionId,
    time: event.time,
    outcome: event.outcome,
    status: event.status,
    action: event.action,
    resource: event.resource,
    authentication: event.authMethod ?? 'none',
    policies: shown.map((x) => ({ id: x.id, effect: x.effect, explanation: x.annotations.explain! })),
    otherPolicies: policies.length - shown.length,
    remedy: REMEDY[event.outcome],
  };
}
