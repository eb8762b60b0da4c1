/**
 * The policy enforcement point's HTTP entry: health and metrics, OpenAI-compatible routes, the decision
 * endpoints, the admin API and generic protected routes. Every error becomes the one JSON shape; nothing
 * that goes wrong in a handler crashes the process or reaches the client as a stack trace.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WardenError } from '../core/index.js';
import type { AdminApi } from './admin.js';
import { handleAuthorize, handleExtAuthz, type AuthorizeDeps } from './authorize.js';
import { Exchange } from './exchange.js';
import { handleGeneric, matchRoute, type GenericDeps } from './generic.js';
import { clientIp, sendError, sendJson } from './http.js';
import { holdEndUntilRecorded } from './commit-gate.js';
import type { InFlightRequests } from './in-flight.js';
import { handleLlm, isLlmPath, type LlmDeps } from './llm.js';
import type { Pipeline } from './pipeline.js';
import type { McpGateway } from '../mcp/index.js';

export interface GatewayDeps extends LlmDeps, GenericDeps, AuthorizeDeps {
  pipeline: Pipeline;
  admin: AdminApi;
  trustedProxies: ReadonlySet<string>;
  /** Requests in flight by principal, for response actions that cut them. */
  inFlight?: InFlightRequests;
  /** Readiness: false while starting or stopping, or when a dependency failed. */
  ready(): boolean | Promise<boolean>;
  /** The cluster's dependencies for the `/readyz` body (absent for a single instance). */
  readyDetails?(): ClusterReadiness | undefined;
  metricsText(): Promise<string>;
  /** The MCP gateway (`/mcp/<server>`), when servers are configured. */
  mcp?: McpGateway;
  /** Warden's own pages under `/auth/` (step-up, factors): not policy-decided requests. */
  auth?: { handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> };
  /** Shared Signals and device posture endpoints (`/signals/`, `/.well-known/ssf-*`): each authenticates its own way. */
  signals?: { handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>; matches(path: string): boolean };
  /** The web console at `/ui` (absent when `console.enabled` is false). */
  console?: { api: { handle(ex: Exchange, res: ServerResponse, search: string): Promise<void> }; files: { serve(req: IncomingMessage, res: ServerResponse, path: string): void } };
}

export interface ClusterReadiness {
  nats: string;
  outboxPending: number;
  sharedStatePending: number;
}

/**
 * Ready with NATS away is still ready: events are committed to the local outbox and shared state writes
 * are queued, so nothing acknowledged is lost. The body says so, for the operator and the balancer's logs.
 */
function readyBody(cluster: ClusterReadiness | undefined): object {
  if (!cluster) return { status: 'ready' };
  const degraded = cluster.nats !== 'connected';
  return {
    status: 'ready',
    ...(degraded ? { degraded: true, reason: 'NATS is unreachable: events go to the local outbox and are sent when it returns' } : {}),
    cluster,
  };
}

export class Gateway {
  constructor(private readonly deps: GatewayDeps) {}

  /** The request listener for node:http / node:https servers. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    this.handle(req, res).catch((error: unknown) => {
      // Last resort: handlers record their own failures; this only guards against bugs.
      this.deps.pipeline.deps.logger.error({ err: error }, 'unhandled gateway error');
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: 'internal error' } });
      else res.destroy();
    });
  };

  /**
   * The listener for `server.metrics` (a separate port for a private network): `GET /metrics` without
   * credentials, nothing else.
   */
  readonly metricsListener = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || req.method !== 'GET') {
      sendError(res, new WardenError(path === '/metrics' ? 'method_not_allowed' : 'not_found'));
      return;
    }
    this.deps.metricsText().then(
      (text) => sendMetrics(res, text),
      (error: unknown) => {
        this.deps.pipeline.deps.logger.error({ err: error }, 'metrics could not be collected');
        sendError(res, error);
      },
    );
  };

  /**
   * `/metrics` on the API port shows versions, upstream names and error counts, so it needs a caller with
   * the `metrics` or `admin` role (Prometheus sends an API key as its bearer token).
   */
  private async metrics(ex: Exchange, res: ServerResponse): Promise<void> {
    ex.route = 'metrics';
    if (ex.method !== 'GET') throw new WardenError('method_not_allowed');
    const identity = await this.deps.pipeline.authenticate(ex);
    ex.action = 'read';
    ex.resource = { type: 'Warden::Route', id: 'metrics' };
    if (!identity.principal.roles.some((r) => r === 'metrics' || r === 'admin')) {
      ex.outcome = 'deny';
      throw new WardenError('forbidden', 'this endpoint needs the `metrics` or `admin` role');
    }
    ex.outcome = 'allow';
    ex.status = 200;
    sendMetrics(res, await this.deps.metricsText());
    this.deps.pipeline.record(ex);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    const search = q >= 0 ? url.slice(q) : '';
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') return (await this.deps.ready()) ? sendJson(res, 200, readyBody(this.deps.readyDetails?.())) : sendJson(res, 503, { error: { code: 'not_ready', message: 'warden is not ready' } });
    if (this.deps.mcp && path.startsWith(MCP_METADATA)) return this.deps.mcp.metadata(req, res, path.slice(MCP_METADATA.length));
    const ui = this.deps.console;
    const isUi = ui !== undefined && (path === '/ui' || path.startsWith('/ui/'));
    // The console's static files are public and not decisions; its API is, and goes through an exchange.
    if (isUi && path !== '/ui/api' && !path.startsWith('/ui/api/')) return ui.files.serve(req, res, path);
    if (path.startsWith('/auth/') && this.deps.auth) return this.deps.auth.handle(req, res, path);
    if (this.deps.signals?.matches(path)) return this.deps.signals.handle(req, res, path);
    const ex = new Exchange(req, clientIp(req, this.deps.trustedProxies));
    holdEndUntilRecorded(ex, res, this.deps.pipeline.deps.logger);
    this.deps.inFlight?.track(ex, res);
    try {
      if (path === '/metrics') await this.metrics(ex, res);
      else if (isUi) await ui.api.handle(ex, res, search);
      else if (isLlmPath(path)) await handleLlm(this.deps, ex, res);
      else if (path === '/v1/authorize') await handleAuthorize(this.deps, ex, res);
      else if (path === '/ext_authz' || path.startsWith('/ext_authz/')) await handleExtAuthz(this.deps, ex, res);
      else if (path === '/admin' || path.startsWith('/admin/')) await this.deps.admin.handle(ex, res, search);
      else if (this.deps.mcp && path.startsWith('/mcp/')) await this.deps.mcp.handle(this.deps.pipeline, ex, res, path.slice(5), this.deps.maxBodyBytes);
      else {
        const match = matchRoute(this.deps.routes, ex.method, path);
        if (!match) throw new WardenError('not_found');
        await handleGeneric(this.deps, ex, res, match, search);
      }
    } catch (error) {
      if (res.headersSent) {
        ex.errorCode ??= error instanceof WardenError ? error.code : 'internal';
        if (!(error instanceof WardenError)) this.deps.pipeline.deps.logger.error({ requestId: ex.requestId, err: error }, 'request failed after the response started');
        res.destroy();
        this.deps.pipeline.record(ex);
      } else {
        this.deps.pipeline.fail(ex, res, error);
      }
    } finally {
      // Every exchange ends in its decision event, which also releases the held end of the response.
      this.deps.pipeline.record(ex);
    }
  }
}

/** RFC 9728 metadata of each MCP server: `/.well-known/oauth-protected-resource` + the resource's path. */
const MCP_METADATA = '/.well-known/oauth-protected-resource/mcp/';

function sendMetrics(res: ServerResponse, text: string): void {
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  res.end(text);
}
