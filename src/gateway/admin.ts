/**
 * Mounts admin routes under `/admin`: authenticates the caller, requires one of the route's roles
 * (default `admin`), parses and size-limits the body, and maps results and errors to JSON.
 */
import type { ServerResponse } from 'node:http';
import { WardenError } from '../core/index.js';
import { requireScope } from '../identity/index.js';
import type { AdminRoute } from './admin-route.js';
import type { Exchange } from './exchange.js';
import { header, parseJsonBody, parseQuery, readBody, sendJson } from './http.js';
import { compilePattern, type PathPattern } from './pattern.js';
import type { Pipeline } from './pipeline.js';

interface MountedRoute {
  route: AdminRoute;
  pattern: PathPattern;
}

export class AdminApi {
  private readonly routes: MountedRoute[];

  constructor(
    routes: AdminRoute[],
    private readonly pipeline: Pipeline,
    private readonly maxBodyBytes: number,
  ) {
    this.routes = routes.map((route) => ({ route, pattern: compilePattern(route.path) }));
  }

  async handle(ex: Exchange, res: ServerResponse, search: string): Promise<void> {
    const subPath = ex.path.slice('/admin'.length) || '/';
    ex.route = 'admin';
    let params: Record<string, string> | undefined;
    let pathMatched = false;
    let found: MountedRoute | undefined;
    for (const mounted of this.routes) {
      const p = mounted.pattern.match(subPath);
      if (!p) continue;
      pathMatched = true;
      if (mounted.route.method === ex.method) {
        found = mounted;
        params = p;
        break;
      }
    }
    if (!found) throw new WardenError(pathMatched ? 'method_not_allowed' : 'not_found');
    ex.route = `admin ${found.route.method} ${found.route.path}`;
    const query = parseQuery(search, found.route.query ?? []);
    const identity = await this.pipeline.authenticate(ex);
    this.pipeline.refuseQuarantined(identity);
    ex.action = 'admin';
    ex.resource = { type: 'Warden::Admin', id: found.route.path };
    // The area is the route's first path segment: `admin:keys` covers /admin/keys and /admin/keys/:id.
    requireScope(identity, { kind: 'admin', area: found.route.path.split('/')[1] ?? '' });
    const roles = found.route.roles ?? ['admin'];
    if (!found.route.anyPrincipal && !identity.principal.roles.some((r) => roles.includes(r))) {
      ex.outcome = 'deny';
      throw new WardenError('forbidden', `this endpoint needs the ${roles.map((r) => `\`${r}\``).join(' or ')} role`);
    }
    ex.outcome = 'allow';
    // The body is read only once the caller is known to hold the role.
    const raw = ex.method === 'GET' || ex.method === 'DELETE' ? Buffer.alloc(0) : await readBody(ex.req, this.maxBodyBytes);
    const rawText = raw.toString('utf8');
    const contentType = header(ex.req, 'content-type');
    const body = raw.length === 0 ? undefined : contentType?.includes('json') ? parseJsonBody(raw, contentType) : undefined;
    const result = await found.route.handler({ params: params!, query, body, rawBody: rawText, identity });
    ex.status = result.status ?? 200;
    if (result.contentType) {
      res.writeHead(ex.status, { 'content-type': result.contentType, 'x-request-id': ex.requestId });
      res.end(String(result.body));
    } else {
      sendJson(res, ex.status, result.body, { 'x-request-id': ex.requestId });
    }
    this.pipeline.record(ex);
  }
}
