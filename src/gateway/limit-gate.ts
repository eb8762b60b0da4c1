/**
 * Rate limits and budgets on the request path: a request is counted against every rule that applies before
 * its policy decision (so policies see `context.limits`), refused with 429 and `Retry-After` when a limit
 * is exhausted (503 when the counters cannot be checked and the mode is closed), and its token usage is
 * charged to its token budgets once the answer is complete.
 */
import type { ServerResponse } from 'node:http';
import { WardenError, type ResourceRef } from '../core/index.js';
import type { Admission, LimitState, Limiter } from '../limits/index.js';
import type { LimitFacts } from '../policy/index.js';
import type { Exchange } from './exchange.js';
import type { Pipeline } from './pipeline.js';

export interface LimitInput {
  action: string;
  resource: ResourceRef;
  model?: string;
  /** Whether the answer reports token usage (the LLM endpoints). */
  tokens: boolean;
}

/** One token is charged per this many bytes of request and answer when the upstream reports no usage. */
const BYTES_PER_TOKEN_ESTIMATE = 4;

/**
 * Counts the request. Returns its admission, or undefined when the response (429 or 503) has been sent.
 * Without a limiter every request is admitted with no counters.
 */
export async function admitLimits(pipeline: Pipeline, limiter: Limiter | undefined, ex: Exchange, res: ServerResponse, input: LimitInput): Promise<Admission | undefined> {
  const identity = ex.identity;
  if (!identity) throw new WardenError('internal', 'limits before authenticate');
  if (!limiter) return { states: [], tokenCounters: [] };
  const { principal } = identity;
  const result = await limiter.admit({ principal: { kind: principal.kind, id: principal.id, groups: principal.groups }, route: ex.route, tokens: input.tokens, ...(input.model !== undefined ? { model: input.model } : {}) });
  if (result.outcome === 'admitted') return result.admission;
  // Refused before any policy ran: recorded as a denial of this action on this resource.
  ex.action = input.action;
  ex.resource = { type: input.resource.type, id: input.resource.id };
  ex.outcome = 'deny';
  ex.enforced = true;
  ex.policyIds = [];
  if (result.outcome === 'unavailable') {
    pipeline.fail(ex, res, new WardenError('limits_unavailable', undefined, { details: { decisionId: ex.decisionId } }), { 'retry-after': '1' });
    return undefined;
  }
  const { fired, retryAfterSeconds } = result;
  ex.limit = { rule: fired.rule, unit: fired.unit, limit: fired.limit, used: fired.used, windowSeconds: fired.windowSeconds, retryAfterSeconds };
  const error = new WardenError('limit_exceeded', `the limit \`${fired.rule}\` (${fired.limit} ${fired.unit} per ${fired.windowSeconds} s) is exhausted; retry in ${retryAfterSeconds} s`, {
    details: { decisionId: ex.decisionId, limit: fired.rule, retryAfterSeconds },
  });
  // `retryAfterSeconds` in the details: sendError says it in `Retry-After` too.
  pipeline.fail(ex, res, error);
  return undefined;
}

/** Charges the request's token budgets what it used (see tokensUsed). */
export async function chargeTokens(limiter: Limiter | undefined, ex: Exchange, admission: Admission): Promise<void> {
  if (!limiter || !admission.tokenCounters.length) return;
  await limiter.charge(admission, tokensUsed(ex.usage));
}

/**
 * The tokens a request used: what the upstream reported or, when it reported none (an aborted stream, an
 * upstream that does not say, an implausible count), an estimate from the bytes exchanged, so that a
 * caller cannot spend a budget for free by making the usage go missing.
 */
export function tokensUsed(usage: Exchange['usage']): number {
  const { promptTokens, completionTokens, requestBytes = 0, responseBytes = 0 } = usage;
  if (promptTokens !== undefined || completionTokens !== undefined) return (promptTokens ?? 0) + (completionTokens ?? 0);
  return Math.ceil((requestBytes + responseBytes) / BYTES_PER_TOKEN_ESTIMATE);
}

/** What policies see of the caller's limits: the tightest counter of each unit and the lowest share left. */
export function limitFacts(states: readonly LimitState[]): LimitFacts | undefined {
  if (!states.length) return undefined;
  const share = (s: LimitState): number => Math.floor((100 * s.remaining) / s.limit);
  const tightest = states.reduce((a, b) => (share(b) < share(a) ? b : a));
  const tightestOf = (unit: LimitState['unit']): LimitFacts['requests'] => {
    const of = states.filter((s) => s.unit === unit);
    if (!of.length) return undefined;
    const t = of.reduce((a, b) => (share(b) < share(a) ? b : a));
    return { rule: t.rule, limit: t.limit, used: t.used, remaining: t.remaining };
  };
  const requests = tightestOf('requests');
  const tokens = tightestOf('tokens');
  return { remainingPercent: share(tightest), tightest: tightest.rule, ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) };
}
