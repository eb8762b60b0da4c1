/**
 * Everything under `/auth/`: Warden's own pages for factors and step-up, and their two static files.
 * Failures become the one JSON error shape for API callers and scripts, and a short HTML page for a
 * browser navigating; never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERRORS, WardenError, packageRoot } from '../core/index.js';
import { header, sendError } from '../gateway/index.js';
import type { AuthDeps } from './deps.js';
import { handleEnrolLink, handleFactors } from './factor-routes.js';
import { SECURITY_HEADERS, sendHtml } from './html.js';
import { errorPage } from './pages.js';
import { handleStepUp } from './step-up-routes.js';

const STATIC: Record<string, string> = { 'auth.js': 'text/javascript; charset=utf-8', 'auth.css': 'text/css; charset=utf-8' };

export class AuthPages {
  private readonly assets = new Map<string, Buffer>();

  constructor(private readonly deps: AuthDeps) {
    for (const name of Object.keys(STATIC)) this.assets.set(name, readFileSync(join(packageRoot(), 'assets', 'auth', name)));
  }

  /** Handles a request whose path starts with `/auth/`. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    try {
      await this.route(req, res, path);
    } catch (error) {
      if (!(error instanceof WardenError)) this.deps.logger.error({ err: error, path: path.slice(0, 200) }, 'an /auth request failed');
      if (res.headersSent) return void res.destroy();
      if (req.method === 'GET' || (header(req, 'accept') ?? '').includes('text/html') && !(header(req, 'content-type') ?? '').includes('json')) {
        const known = error instanceof WardenError ? error : new WardenError('internal');
        return sendHtml(res, known.status, errorPage(ERRORS[known.code].message, known.message));
      }
      sendError(res, error, SECURITY_HEADERS);
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const segments = path.split('/').slice(2).map(safeDecode);
    const [area, id, ...rest] = segments;
    if (area === 'static' && id !== undefined && rest.length === 0) return this.asset(req, res, id);
    if (area === 'step-up' && id) return handleStepUp(this.deps, req, res, id.slice(0, 100), rest.join('/'));
    if (area === 'enrol' && id && rest.length === 0) return handleEnrolLink(this.deps, req, res, id);
    if (area === 'factors') return handleFactors(this.deps, req, res, [id, ...rest].filter(Boolean).join('/'));
    throw new WardenError('not_found');
  }

  private asset(req: IncomingMessage, res: ServerResponse, name: string): void {
    const body = this.assets.get(name);
    if (!body) throw new WardenError('not_found');
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new WardenError('method_not_allowed');
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': STATIC[name]!, 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new WardenError('bad_request', 'the URL is not well encoded');
  }
}
