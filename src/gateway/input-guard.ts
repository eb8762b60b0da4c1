/**
 * Input inspection on the LLM routes. The guard runs before the decision so that its findings reach
 * Cedar as `context.guard` (a policy can deny or step up on them). When the decision carries DLP
 * obligations, the body is inspected again with them applied; then a block ends the request, and the
 * (masked, redacted or tokenised) body gets a canary in its system prompt for leak detection.
 */
import { WardenError, type Obligation } from '../core/index.js';
import type { Guard, GuardFinding, OutputInspector, RequestInspection, RouteGuardOptions } from '../guard/index.js';
import type { Exchange } from './exchange.js';
import { round } from './exchange.js';
import type { Pipeline } from './pipeline.js';

export interface InputInspection {
  input: RequestInspection;
  options: RouteGuardOptions;
}

export async function inspectInput(guard: Guard, pipeline: Pipeline, ex: Exchange, body: unknown): Promise<InputInspection> {
  const t0 = performance.now();
  const options = guard.routeOptions(ex.route);
  const input = await guard.inspectRequestAsync(body, options);
  ex.latency.guard = round(performance.now() - t0);
  if (input.findings.length) publishFindings(guard, pipeline, ex, input.findings, 'input');
  return { input, options };
}

export async function prepareGuardedBody(
  guard: Guard,
  ex: Exchange,
  body: unknown,
  inspection: InputInspection,
  obligations: Obligation[],
  operation: 'chat' | 'completion' | 'embedding',
): Promise<{ body: unknown; createInspector?: () => OutputInspector }> {
  let { input, options } = inspection;
  if (obligations.length) {
    options = guard.routeOptions(ex.route, obligations);
    input = await guard.inspectRequestAsync(body, options);
  }
  if (input.blocked) throw new WardenError(input.blocked.code, input.blocked.message);
  if (!options.output.enabled) return { body: input.body };
  const withCanary = operation === 'chat' ? guard.withCanary(input.body) : { body: input.body };
  const canaries = withCanary.canary ? [withCanary.canary] : [];
  const vault = input.tokenVault;
  return { body: withCanary.body, createInspector: () => guard.createOutputInspector({ route: options, canaries, ...(vault ? { vault } : {}) }) };
}

export function publishFindings(guard: Guard, pipeline: Pipeline, ex: Exchange, findings: GuardFinding[], direction: 'input' | 'output'): void {
  const principal = ex.identity?.principal;
  const entity = principal ? { type: principal.kind, id: principal.id } : { type: 'Warden::Route', id: ex.route };
  for (const event of guard.detectionEvents(findings, { entity, requestId: ex.requestId, direction, route: ex.route })) pipeline.deps.bus.publish(event);
}
