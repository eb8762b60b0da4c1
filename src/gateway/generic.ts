/**
 * Generic protected routes for AI endpoints that are not LLM APIs (dataset stores, vector databases, model
 * registries): a method and path pattern map to a Cedar action and resource; allowed requests are proxied
 * to the route's upstream with the body streamed through.
 */
import type { ServerResponse } from 'node:http';
import { WardenError } from '../core/index.js';
import type { RouteConfig } from '../config/index.js';
import type { Exchange } from './exchange.js';
import { round } from './exchange.js';
import { readBody } from './http.js';
import { compilePattern, fillTemplate, type PathPattern } from './pattern.js';
import type { Pipeline } from './pipeline.js';
import { relayResponse } from './relay.js';
import { forwardableHeaders, type Upstreams } from './upstream.js';
import { isUpstreamFailure, upstreamFailure } from './upstream-error.js';
import type { Limiter } from '../limits/index.js';
import { admitLimits, limitFacts } from './limit-gate.js';

export interface GenericRoute {
  config: RouteConfig;
  pattern: PathPattern;
}

export interface RouteMatch {
  route: GenericRoute;
  params: Record<string, string>;
  action: string;
}

export function compileRoutes(routes: RouteConfig[]): GenericRoute[] {
  return routes.map((config) => ({ config, pattern: compilePattern(config.path, { forwarded: true }) }));
}

/** Finds the route for a method and path; a path that matches with another method is 405. */
export function matchRoute(routes: GenericRoute[], method: string, path: string): RouteMatch | undefined {
  let pathMatched = false;
  for (const route of routes) {
    const params = route.pattern.match(path);
    if (!params) continue;
    pathMatched = true;
    const m = method === 'HEAD' ? 'GET' : method;
    if (!route.config.methods.includes(m as RouteConfig['methods'][number]) && !route.config.methods.includes(method as RouteConfig['methods'][number])) continue;
    const action = typeof route.config.action === 'string' ? route.config.action : route.config.action[method] ?? route.config.action[m];
    if (!action) continue;
    return { route, params, action };
  }
  if (pathMatched) throw new WardenError('method_not_allowed');
  return undefined;
}

export interface GenericDeps {
  pipeline: Pipeline;
  upstreams: Upstreams;
  maxBodyBytes: number;
  /** Rate limits; absent when `limits.rules` is empty. */
  limiter?: Limiter;
}

export async function handleGeneric(deps: GenericDeps, ex: Exchange, res: ServerResponse, match: RouteMatch, search: string): Promise<void> {
  const { config } = match.route;
  ex.route = `route.${config.name}`;
  // Authenticate first: an unauthenticated caller must not make Warden read (and buffer) its body.
  await deps.pipeline.authenticate(ex);
  const body = ex.method === 'GET' || ex.method === 'HEAD' || ex.method === 'DELETE' ? undefined : await readBody(ex.req, deps.maxBodyBytes);
  ex.usage.requestBytes = body?.length ?? 0;
  const resource = { type: config.resource.type, id: fillTemplate(config.resource.id, match.params), attributes: config.resource.attributes };
  if (!resource.id) throw new WardenError('bad_request', 'the path names no resource');
  const admission = await admitLimits(deps.pipeline, deps.limiter, ex, res, { action: match.action, resource, tokens: false });
  if (!admission) return;
  const limits = limitFacts(admission.states);
  const result = deps.pipeline.decide(ex, {
    action: match.action,
    resource,
    request: { bytes: body?.length ?? 0, stream: false },
    monitorOnly: config.monitorOnly,
    scope: { kind: 'route', name: config.name, action: match.action },
    ...(limits ? { limits } : {}),
  });
  if (!deps.pipeline.enforce(ex, res, result)) return;

  const upstream = deps.upstreams.get(config.upstream);
  const path = (config.upstreamPath ? fillTemplate(config.upstreamPath, match.params, true) : ex.path) + search;
  const abort = new AbortController();
  res.on('close', () => !res.writableFinished && abort.abort());
  const t0 = performance.now();
  const response = await upstream.request({
    method: ex.method,
    path,
    headers: forwardableHeaders(ex.req.headers, ex.requestId),
    ...(body ? { body } : {}),
    signal: abort.signal,
  });
  ex.latency.upstream = round(performance.now() - t0);
  deps.pipeline.deps.metrics.upstreamSeconds.observe({ upstream: upstream.name, status: String(response.statusCode) }, ex.latency.upstream / 1000);
  if (isUpstreamFailure(response.statusCode)) throw await upstreamFailure(response, upstream.scrub);
  await relayResponse(ex, res, response, { collectUsage: false });
  deps.pipeline.record(ex);
}
