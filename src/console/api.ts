/**
 * The console API under `/ui/api`: sign-in and sign-out, the live stream, and the console's routes
 * (its own and the admin API's), each behind the session, the route's console role, the key's admin
 * scope and, for every state-changing call, the Origin and CSRF checks. The exchange is recorded like
 * any other request, so every console action is a decision event in the audit log.
 */
import type { ServerResponse } from 'node:http';
import { WardenError } from '../core/index.js';
import { requireScope } from '../identity/index.js';
import { type Exchange, header, parseJsonBody, parseQuery, readBody, sendJson, compilePattern, type PathPattern, type Pipeline } from '../gateway/index.js';
import type { DecisionExplainer } from './explain.js';
import type { LiveFeed } from './live.js';
import { selfExplanation } from './self-explain.js';
import type { OidcSignIn } from './oidc.js';
import type { FreshMfa } from './session/fresh-mfa.js';
import { roleAllows } from './roles.js';
import type { ConsoleRoute } from './routes.js';
import { requireCsrf, requireSession } from './session/http.js';
import type { ConsoleSessions } from './session/store.js';
import type { SignIn } from './sign-in.js';
import { SECURITY_HEADERS } from './static.js';

const API_HEADERS = { ...SECURITY_HEADERS, 'cache-control': 'no-store' };
const SELF_DECISIONS = '/self/decisions/';

export interface ConsoleApiDeps {
  pipeline: Pipeline;
  sessions: ConsoleSessions;
  signIn: SignIn;
  live: LiveFeed;
  routes: ConsoleRoute[];
  maxBodyBytes: number;
  /** Sign-in with the configured OIDC issuer (absent: API keys only). */
  oidc?: OidcSignIn;
  /** For a principal's own decisions (`/self/decisions/:id`). */
  explainer: DecisionExplainer;
  /** With the step-up module: admin actions need a factor verified on the session recently. */
  freshMfa?: FreshMfa;
}

export class ConsoleApi {
  private readonly routes: { route: ConsoleRoute; pattern: PathPattern }[];

  constructor(private readonly deps: ConsoleApiDeps) {
    this.routes = deps.routes.map((route) => ({ route, pattern: compilePattern(route.path) }));
  }

  async handle(ex: Exchange, res: ServerResponse, search: string): Promise<void> {
    const subPath = ex.path.slice('/ui/api'.length) || '/';
    ex.route = `console ${ex.method} ${subPath.split('/').slice(0, 3).join('/')}`;
    ex.action = 'console';
    ex.resource = { type: 'Warden::Console', id: subPath.slice(0, 200) };
    if (subPath === '/session') return this.session(ex, res);
    if (subPath.startsWith(SELF_DECISIONS)) return this.selfExplain(ex, res, subPath.slice(SELF_DECISIONS.length));
    if (subPath === '/session/mfa') return this.verifyMfa(ex, res);
    if (subPath === '/sign-in-options') {
      ex.outcome = 'allow';
      ex.status = 200;
      return sendJson(res, 200, { apiKey: true, oidc: this.deps.oidc !== undefined }, { ...API_HEADERS, 'x-request-id': ex.requestId });
    }
    if (subPath === '/oidc/login' || subPath === '/oidc/callback') return this.oidc(ex, res, subPath, search);
    const session = await requireSession(this.deps.sessions, ex.req);
    ex.identity = session.identity;
    if (subPath === '/events') {
      if (ex.method !== 'GET') throw new WardenError('method_not_allowed');
      ex.outcome = 'allow';
      ex.status = 200;
      // Recorded when the stream opens: the exchange's end (held until recorded) is the stream's end.
      this.deps.pipeline.record(ex);
      this.deps.live.open(ex.req, res, session, API_HEADERS);
      return;
    }
    const { route, params } = this.match(ex.method, subPath);
    ex.route = `console ${route.method} ${route.path}`;
    ex.resource = { type: 'Warden::Console', id: route.path };
    const query = parseQuery(search, route.query ?? []);
    if (ex.method !== 'GET') requireCsrf(session, ex.req);
    requireScope(session.identity, { kind: 'admin', area: route.area });
    const principalRoles = session.identity.principal.roles;
    if (!roleAllows(session.role, route.role) || (route.principalRoles && !principalRoles.some((r) => route.principalRoles!.includes(r)))) {
      ex.outcome = 'deny';
      throw new WardenError('forbidden', `this action needs the console role \`${route.role}\`${route.principalRoles ? ` and one of the roles ${route.principalRoles.map((r) => `\`${r}\``).join(', ')}` : ''}; you are \`${session.role}\``);
    }
    if (route.role === 'admin' && ex.method !== 'GET' && this.deps.freshMfa) {
      try {
        this.deps.freshMfa.requireFresh(session);
      } catch (error) {
        ex.outcome = 'step_up';
        throw error;
      }
    }
    ex.outcome = 'allow';
    const raw = ex.method === 'GET' || ex.method === 'DELETE' ? Buffer.alloc(0) : await readBody(ex.req, this.deps.maxBodyBytes);
    const body = raw.length === 0 ? undefined : parseJsonBody(raw, header(ex.req, 'content-type'));
    const result = await route.handler({ params, query, body, rawBody: raw.toString('utf8'), identity: session.identity });
    ex.status = result.status ?? 200;
    if (result.contentType) {
      res.writeHead(ex.status, { ...API_HEADERS, 'content-type': result.contentType, 'x-request-id': ex.requestId });
      res.end(String(result.body));
    } else {
      sendJson(res, ex.status, result.body, { ...API_HEADERS, 'x-request-id': ex.requestId });
    }
  }

  private match(method: string, subPath: string): { route: ConsoleRoute; params: Record<string, string> } {
    let pathMatched = false;
    for (const { route, pattern } of this.routes) {
      const params = pattern.match(subPath);
      if (!params) continue;
      pathMatched = true;
      if (route.method === method) return { route, params };
    }
    throw new WardenError(pathMatched ? 'method_not_allowed' : 'not_found');
  }

  /** The OIDC flow's two legs: both answer with a redirect (to the issuer; back to the console signed in). */
  private async oidc(ex: Exchange, res: ServerResponse, subPath: string, search: string): Promise<void> {
    if (!this.deps.oidc) throw new WardenError('not_found', 'OIDC sign-in is not configured (`console.oidc`)');
    if (ex.method !== 'GET') throw new WardenError('method_not_allowed');
    const redirect = (location: string, cookies: string[]): void => {
      ex.status = 302;
      res.writeHead(302, { ...API_HEADERS, location, 'set-cookie': cookies, 'x-request-id': ex.requestId });
      res.end();
    };
    if (subPath === '/oidc/login') {
      const { location, cookie } = await this.deps.oidc.login(ex);
      ex.outcome = 'allow';
      return redirect(location, [cookie]);
    }
    const query = Object.fromEntries([...new URLSearchParams(search).entries()].filter(([k]) => ['code', 'state', 'error'].includes(k)));
    const { cookies } = await this.deps.oidc.callback(ex, query);
    ex.outcome = 'allow';
    redirect('/ui/', cookies);
  }

  /** `GET /ui/api/self/decisions/:decisionId` with the caller's own credential: its own decision, explained as far as policies allow. */
  private async selfExplain(ex: Exchange, res: ServerResponse, rawId: string): Promise<void> {
    ex.route = 'console GET /self/decisions/:decisionId';
    ex.action = 'explain';
    ex.resource = { type: 'Warden::Decision', id: rawId.slice(0, 100) };
    if (ex.method !== 'GET') throw new WardenError('method_not_allowed');
    const identity = await this.deps.pipeline.authenticate(ex);
    ex.identity = identity;
    let decisionId: string;
    try {
      decisionId = decodeURIComponent(rawId);
    } catch {
      throw new WardenError('validation_failed', '`decisionId`: not a valid path segment');
    }
    try {
      const body = await selfExplanation(this.deps.explainer, identity, decisionId);
      ex.outcome = 'allow';
      ex.status = 200;
      sendJson(res, 200, body, { ...API_HEADERS, 'x-request-id': ex.requestId });
    } catch (error) {
      ex.outcome = 'deny';
      throw error;
    }
  }

  /** `POST /ui/api/session/mfa` (`{"code"}`): a factor verified on the session opens admin actions for a while. */
  private async verifyMfa(ex: Exchange, res: ServerResponse): Promise<void> {
    const session = await requireSession(this.deps.sessions, ex.req);
    ex.identity = session.identity;
    if (ex.method !== 'POST') throw new WardenError('method_not_allowed');
    requireCsrf(session, ex.req);
    if (!this.deps.freshMfa) throw new WardenError('not_found', 'MFA is switched off (`mfa.enabled: false`)');
    const raw = await readBody(ex.req, 4 * 1024);
    await this.deps.freshMfa.verify(ex, session, parseJsonBody(raw, header(ex.req, 'content-type')));
    ex.outcome = 'allow';
    ex.status = 200;
    sendJson(res, 200, this.deps.signIn.describe(session), { ...API_HEADERS, 'x-request-id': ex.requestId });
  }

  private async session(ex: Exchange, res: ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      ex.status = status;
      sendJson(res, status, body, { ...API_HEADERS, ...headers, 'x-request-id': ex.requestId });
    };
    if (ex.method === 'POST') {
      const raw = await readBody(ex.req, 16 * 1024);
      const result = await this.deps.signIn.signIn(ex, parseJsonBody(raw, header(ex.req, 'content-type')));
      ex.outcome = 'allow';
      return reply(201, result.body, { 'set-cookie': result.cookie });
    }
    const session = await requireSession(this.deps.sessions, ex.req);
    ex.identity = session.identity;
    ex.outcome = 'allow';
    if (ex.method === 'GET') return reply(200, this.deps.signIn.describe(session));
    if (ex.method === 'DELETE') {
      requireCsrf(session, ex.req);
      return reply(200, { signedOut: true }, { 'set-cookie': await this.deps.signIn.signOut(session, ex.req) });
    }
    throw new WardenError('method_not_allowed');
  }
}
