/**
 * Serves the built console (`dist/web`, from `web/` by `npm run build:web`) at `/ui`. Only files found in
 * the build directory when Warden starts are served (a fixed index, so no request path can reach another
 * file); any other `/ui/...` path is the single-page app's `index.html`. Every answer carries the strict
 * headers: a Content-Security-Policy with no inline script or style, no framing, no MIME sniffing.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers every console answer carries, API answers included. */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

interface Asset {
  body: Buffer;
  gzip: Buffer | undefined;
  type: string;
  /** Vite names files under assets/ by content hash: they never change, so they may be cached for a year. */
  immutable: boolean;
}

/** Where the build lands, from `src/console` (tsx) or `dist/src/console` (compiled). */
export function defaultWebDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [join(here, '../../dist/web'), join(here, '../../web')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

export class ConsoleStatic {
  private readonly assets = new Map<string, Asset>();

  constructor(dir: string) {
    if (!existsSync(join(dir, 'index.html'))) return;
    for (const file of walk(dir)) {
      const name = relative(dir, file).split(sep).join('/');
      const type = TYPES[extname(file)];
      if (!type) continue;
      const body = readFileSync(file);
      const compressible = !type.startsWith('image/png') && !type.startsWith('font/');
      this.assets.set(name, { body, gzip: compressible && body.length > 512 ? gzipSync(body, { level: 9 }) : undefined, type, immutable: name.startsWith('assets/') });
    }
  }

  get built(): boolean {
    return this.assets.has('index.html');
  }

  /** Answers a GET/HEAD under `/ui` (not `/ui/api`). */
  serve(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.plain(res, 405, 'method not allowed');
    if (path === '/ui') {
      res.writeHead(308, { location: '/ui/', ...SECURITY_HEADERS });
      res.end();
      return;
    }
    const name = path.slice('/ui/'.length);
    const asset = this.assets.get(name) ?? (name.startsWith('assets/') ? undefined : this.assets.get('index.html'));
    if (!asset) return this.plain(res, this.built ? 404 : 503, this.built ? 'not found' : 'the console is not built: run `npm run build:web`');
    const gzip = asset.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? asset.gzip! : asset.body;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': asset.type,
      'content-length': body.length,
      'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private plain(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(text);
  }
}
