/**
 * Warden as a decision point for other enforcement points:
 * - `POST /v1/authorize`: the decision contract of DESIGN.md, for a trusted caller (role `pdp` or `admin`);
 * - `/ext_authz/...`: Envoy HTTP ext_authz, nginx auth_request and Traefik ForwardAuth. The original
 *   request's credentials, method and URI are judged against the generic routes: 200, 401 (with an RFC 9470
 *   challenge when stronger authentication would help), or 403. Any internal error is a 403: fail closed.
 */
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { WardenError, type Decision, type Identity, type Obligation, type ResourceRef } from '../core/index.js';
import { requireScope, type Directory } from '../identity/index.js';
import type { PdpResult } from '../policy/index.js';
import type { Exchange } from './exchange.js';
import { matchRoute, type GenericRoute } from './generic.js';
import { header, parseJsonBody, readBody, sendJson } from './http.js';
import { fillTemplate } from './pattern.js';
import { stepUpChallenge, type Pipeline } from './pipeline.js';
import { validateInput } from './validate.js';

export type AuthorizeInput = z.infer<typeof authorizeSchema>;

const entityInput = z.object({ type: z.string().min(1).max(100), id: z.string().min(1).max(500) });
export const authorizeSchema = z.object({
  principal: z.union([z.string().min(1).max(500), entityInput]),
  action: z.string().min(1).max(100),
  resource: entityInput.extend({ attributes: z.record(z.string(), z.unknown()).optional() }),
  context: z
    .object({
      sourceIp: z.string().max(64).optional(),
      authentication: z.object({ method: z.enum(['jwt', 'apikey', 'mtls', 'none']).default('none'), mfa: z.boolean().default(false), ageSeconds: z.number().int().min(0).optional() }).optional(),
      deviceId: z.string().min(1).max(200).optional(),
      onBehalfOf: z.string().min(1).max(500).optional(),
      model: z.string().max(200).optional(),
    })
    .default({}),
});

export interface AuthorizeDeps {
  pipeline: Pipeline;
  directory: Directory;
  routes: GenericRoute[];
  maxBodyBytes: number;
}

export async function handleAuthorize(deps: AuthorizeDeps, ex: Exchange, res: ServerResponse): Promise<void> {
  ex.route = 'pdp.authorize';
  if (ex.method !== 'POST') throw new WardenError('method_not_allowed');
  const caller = await deps.pipeline.authenticate(ex);
  requireScope(caller, { kind: 'authorize' });
  if (!caller.principal.roles.some((r) => r === 'pdp' || r === 'admin')) throw new WardenError('forbidden', 'the caller needs the `pdp` or `admin` role');
  const raw = await readBody(ex.req, deps.maxBodyBytes);
  const input = validateInput(authorizeSchema, parseJsonBody(raw, header(ex.req, 'content-type')));
  const subject = subjectIdentity(input, deps.directory);
  const principal = subject.principal;
  ex.identity = subject;
  // The decision (and its event) concerns the subject's request, so its address replaces the caller's.
  if (input.context.sourceIp) ex.sourceIp = input.context.sourceIp;
  // The subject's credential is not presented here: the caller's own scope was checked above.
  const result = deps.pipeline.decide(ex, { ...decideInputOf(input), monitorOnly: false, scope: null });
  ex.status = 200;
  const risk = deps.pipeline.deps.risk.snapshot({ type: principal.kind, id: principal.id });
  const decision: Decision = {
    decision: result.outcome,
    decisionId: ex.decisionId,
    reasons: result.reasons,
    risk,
    obligations: obligationsOf(deps.pipeline, result),
    ...(result.errors.length ? { diagnostics: { errors: result.errors } } : {}),
  };
  sendJson(res, 200, decision, { 'x-request-id': ex.requestId });
  deps.pipeline.record(ex);
}

export async function handleExtAuthz(deps: AuthorizeDeps, ex: Exchange, res: ServerResponse): Promise<void> {
  ex.route = 'pdp.ext_authz';
  try {
    const method = (header(ex.req, 'x-forwarded-method') ?? header(ex.req, 'x-original-method') ?? ex.method).toUpperCase();
    const uri = header(ex.req, 'x-forwarded-uri') ?? header(ex.req, 'x-original-uri') ?? (ex.path.slice('/ext_authz'.length) || '/');
    const path = uri.split('?')[0]!;
    const match = matchRoute(deps.routes, method, path);
    if (!match) throw new WardenError('forbidden', 'no protected route matches the original request');
    await deps.pipeline.authenticate(ex);
    const { config } = match.route;
    const resource = { type: config.resource.type, id: fillTemplate(config.resource.id, match.params), attributes: config.resource.attributes };
    const result = deps.pipeline.decide(ex, { action: match.action, resource, request: { bytes: 0, stream: false }, monitorOnly: config.monitorOnly, scope: { kind: 'route', name: config.name, action: match.action } });
    if (!deps.pipeline.enforce(ex, res, result)) return;
    ex.status = 200;
    const principal = ex.identity!.principal;
    res.writeHead(200, { 'x-warden-principal': `${principal.kind}::${principal.id}`, 'x-warden-decision-id': ex.decisionId, 'x-request-id': ex.requestId, 'content-length': 0 });
    res.end();
    deps.pipeline.record(ex);
  } catch (error) {
    // Fail closed: anything but a clear 401 becomes 403 for the proxy.
    const failure = error instanceof WardenError && (error.status === 401 || error.status === 403) ? error : new WardenError('forbidden', 'the request could not be authorized', { cause: error });
    const headers: Record<string, string> = failure.code === 'step_up_required' ? { 'www-authenticate': stepUpChallenge() } : {};
    deps.pipeline.fail(ex, res, failure, headers);
  }
}

/**
 * Obligations come from `@obligation("type")` or `@obligation("type:value,type2")` on the deciding
 * policies. A value lists `+`-separated items as `types` too, the form DLP obligations take:
 * `@obligation("redact:EMAIL+PHONE")`.
 */
export function obligationsOf(pipeline: Pipeline, result: PdpResult): Obligation[] {
  const compiled = pipeline.deps.pdp.compiled;
  const out: Obligation[] = [];
  for (const policyId of result.policyIds) {
    const spec = compiled?.annotations.get(policyId)?.obligation;
    if (!spec) continue;
    for (const item of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
      const [type, ...rest] = item.split(':');
      const value = rest.join(':');
      out.push({ type: type!, ...(value ? { value, types: value.split('+') } : {}), policyId });
    }
  }
  return out;
}

/** The identity an /v1/authorize (or dry-run) request describes. */
export function subjectIdentity(input: AuthorizeInput, directory: Directory): Identity {
  const principal = directory.principal(
    typeof input.principal === 'string' ? input.principal : input.principal.id,
    typeof input.principal === 'string' ? 'User' : kindOf(input.principal.type),
  );
  const authn = input.context.authentication ?? { method: 'none' as const, mfa: false };
  // The same rules as for a request Warden authenticates itself: a delegation the configuration does not
  // allow (`mayActFor`) is not granted, and a device bound to another owner is not the subject's; the
  // subject is then judged without them (fail closed), like a request whose claim was not believed.
  const user = input.context.onBehalfOf ? directory.principal(input.context.onBehalfOf) : undefined;
  const delegation = user && principal.kind === 'Agent' && principal.id !== user.id && directory.mayActFor(principal.id, user) ? { actor: principal, onBehalfOf: user } : undefined;
  // The caller holds the `pdp` role: an enforcement point that proved the device itself.
  const device = input.context.deviceId ? directory.device(input.context.deviceId, 'proxy') : undefined;
  const deviceAllowed = device && (device.owner === undefined || device.owner === principal.id || device.owner === delegation?.onBehalfOf.id);
  return {
    principal,
    authentication: { method: authn.method, strength: authn.mfa ? 2 : 1, mfa: authn.mfa, scopes: [], ...(authn.ageSeconds !== undefined ? { ageSeconds: authn.ageSeconds } : {}) },
    ...(deviceAllowed ? { device } : {}),
    ...(delegation ? { delegation } : {}),
  };
}

export function decideInputOf(input: AuthorizeInput): { action: string; resource: ResourceRef; request: { model?: string; bytes: number; stream: boolean } } {
  return {
    action: input.action,
    resource: { type: stripNamespace(input.resource.type), id: input.resource.id, attributes: input.resource.attributes ?? {} },
    request: { ...(input.context.model ? { model: input.context.model } : {}), bytes: 0, stream: false },
  };
}

function stripNamespace(type: string): string {
  return type.startsWith('Warden::') ? type.slice('Warden::'.length) : type;
}

function kindOf(type: string): 'User' | 'Service' | 'Agent' {
  const t = stripNamespace(type);
  if (t === 'User' || t === 'Service' || t === 'Agent') return t;
  throw new WardenError('validation_failed', '`principal.type`: expected `User`, `Service` or `Agent`');
}
