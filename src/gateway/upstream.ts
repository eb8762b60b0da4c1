/**
 * Upstream connections (undici pools). Warden strips the client's credentials and injects the upstream's
 * own, which never leaves this module: not in responses, logs or events.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import { WardenError, resolveSecret } from '../core/index.js';
import type { UpstreamConfig } from '../config/index.js';

export interface Upstream {
  name: string;
  baseUrl: URL;
  timeoutMs: number;
  request(options: { method: string; path: string; headers: Record<string, string>; body?: Buffer | string; signal?: AbortSignal }): Promise<Dispatcher.ResponseData>;
  /** Removes this upstream's credential from a text (an upstream error may echo it). */
  scrub(text: string): string;
}

/** Headers never forwarded upstream: hop-by-hop, the client's credentials, Warden's own. */
const DROP_REQUEST_HEADERS = new Set([
  'host', 'connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'authorization', 'x-api-key', 'cookie', 'content-length', 'expect',
  // Headers some frameworks read as the "real" method or path: the upstream must act on the request that
  // was decided, not on one the client names beside it.
  'x-http-method-override', 'x-http-method', 'x-method-override', 'x-original-url', 'x-rewrite-url', 'x-original-method',
]);
/**
 * The only upstream response headers a client sees: what describes the body and caching, and rate-limit
 * hints. Everything else (cookies, `Location`, server banners, the upstream's own request ids and
 * organisation headers) stays with Warden.
 */
const RESPONSE_HEADERS = new Set(['content-type', 'content-encoding', 'content-language', 'content-disposition', 'content-range', 'accept-ranges', 'cache-control', 'etag', 'last-modified', 'expires', 'vary', 'retry-after']);
const RESPONSE_HEADER_PREFIXES = ['x-ratelimit-'];

export class Upstreams {
  private readonly byName = new Map<string, Upstream>();
  private readonly pools: Pool[] = [];

  constructor(configs: UpstreamConfig[], env: NodeJS.ProcessEnv) {
    for (const [i, config] of configs.entries()) this.byName.set(config.name, this.create(config, `upstreams.${i}.apiKey`, env));
  }

  get(name: string): Upstream {
    const upstream = this.byName.get(name);
    if (!upstream) throw new WardenError('upstream_unavailable', `no upstream named \`${name}\``);
    return upstream;
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((p) => p.close().catch(() => undefined)));
  }

  private create(config: UpstreamConfig, keyPath: string, env: NodeJS.ProcessEnv): Upstream {
    const secret = resolveSecret(config.apiKey, keyPath, env);
    const credential: [string, string] | undefined = secret
      ? [config.apiKeyHeader.toLowerCase(), config.apiKeyHeader.toLowerCase() === 'authorization' ? `Bearer ${secret}` : secret]
      : undefined;
    const baseUrl = new URL(config.baseUrl);
    const pool = new Pool(baseUrl.origin, {
      connections: config.connections,
      connect: { timeout: config.connectTimeoutMs },
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs,
      keepAliveTimeout: 30_000,
      pipelining: 1,
    });
    this.pools.push(pool);
    return {
      name: config.name,
      baseUrl,
      timeoutMs: config.timeoutMs,
      scrub: (text) => (secret ? text.split(secret).join('[redacted]') : text),
      async request({ method, path, headers, body, signal }) {
        const outgoing = credential ? { ...headers, [credential[0]]: credential[1] } : headers;
        try {
          return await pool.request({ method: method as Dispatcher.HttpMethod, path, headers: outgoing, body: body ?? null, signal });
        } catch (error) {
          throw upstreamError(config.name, error);
        }
      },
    };
  }
}

export function upstreamError(name: string, error: unknown): WardenError {
  if (error instanceof WardenError) return error;
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError || error instanceof undiciErrors.ConnectTimeoutError) {
    return new WardenError('upstream_timeout', `upstream \`${name}\` did not answer in time`, { cause: error });
  }
  return new WardenError('upstream_unavailable', `upstream \`${name}\` is unavailable`, { cause: error });
}

/** The client's headers minus credentials and hop-by-hop headers. */
export function forwardableHeaders(headers: IncomingHttpHeaders, requestId: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || DROP_REQUEST_HEADERS.has(name) || name.startsWith('x-warden-')) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  out['x-request-id'] = requestId;
  return out;
}

export function copyResponseHeaders(from: IncomingHttpHeaders, res: ServerResponse): void {
  for (const [name, value] of Object.entries(from)) {
    if (value !== undefined && (RESPONSE_HEADERS.has(name) || RESPONSE_HEADER_PREFIXES.some((p) => name.startsWith(p)))) res.setHeader(name, value);
  }
}

/**
 * Stops reading an upstream body. undici emits an `error` when a body is destroyed; with no listener that
 * error would end the process, so one is added first.
 */
export function discardBody(response: Dispatcher.ResponseData): void {
  response.body.on('error', () => undefined);
  response.body.destroy();
}

/** Joins the upstream base path (`/v1`) and a route suffix (`/chat/completions`). */
export function upstreamPath(upstream: Upstream, suffix: string): string {
  return upstream.baseUrl.pathname.replace(/\/$/, '') + suffix;
}
