/** Small HTTP helpers for the gateway: bounded body reading, the one JSON error shape, client address. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WardenError, errorBody, StrictJsonError, parseJsonStrict } from '../core/index.js';

/** Reads the whole body up to `limit` bytes; a larger body is refused with 413 before it is buffered. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new WardenError('body_too_large'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new WardenError('body_too_large'));
        // Stop reading; the response is sent by the caller and the socket closed after it.
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => !failed && resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', (error) => !failed && reject(new WardenError('bad_request', 'the request body could not be read', { cause: error })));
  });
}

/**
 * Parses a JSON request body strictly (src/core/json/strict.ts): the body must be declared as JSON in
 * UTF-8, and anything two JSON readers could read differently (duplicate keys, invalid UTF-8, a BOM, lone
 * surrogates, inexact numbers, deep nesting) is a 400. A missing or other media type is a 415: a body the
 * client did not call JSON is not read as JSON.
 */
export function parseJsonBody(body: Buffer, contentType: string | undefined): unknown {
  checkJsonMediaType(contentType);
  if (body.length === 0) throw new WardenError('invalid_json', 'the request body is empty');
  try {
    return parseJsonStrict(body);
  } catch (error) {
    if (error instanceof StrictJsonError) throw new WardenError('invalid_json', `the request body is not valid JSON: ${error.message}`, { cause: error });
    throw error;
  }
}

/** `application/json` or `application/<x>+json`, with no parameter but an optional `charset=utf-8`. */
export function checkJsonMediaType(contentType: string | undefined): void {
  if (contentType === undefined) throw new WardenError('unsupported_media_type', 'the request has no `content-type`; send `application/json`');
  const [type, ...params] = contentType.split(';').map((p) => p.trim());
  if (!/^application\/([\w.-]+\+)?json$/i.test(type ?? '')) throw new WardenError('unsupported_media_type');
  for (const param of params) {
    if (param === '') continue;
    const [name, value] = param.split('=', 2).map((p) => p.trim().toLowerCase());
    if (name !== 'charset') throw new WardenError('unsupported_media_type', `the \`content-type\` parameter \`${(name ?? '').slice(0, 40)}\` is not supported`);
    if (value !== 'utf-8' && value !== '"utf-8"') throw new WardenError('unsupported_media_type', 'JSON bodies must be UTF-8 (`charset=utf-8`)');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * Sends the one JSON error shape. A 429 or 503 whose error says when to come back (`retryAfterSeconds`)
 * also says it in `Retry-After` (RFC 9110 §10.2.3), so clients and proxies back off without parsing
 * the body; a header the caller passes wins.
 */
export function sendError(res: ServerResponse, error: unknown, headers: Record<string, string> = {}): number {
  const { status, body } = errorBody(error);
  const retryAfter = body.error.retryAfterSeconds;
  const backOff = (status === 429 || status === 503) && typeof retryAfter === 'number' && Number.isInteger(retryAfter) && retryAfter >= 0;
  sendJson(res, status, body, backOff ? { 'retry-after': String(retryAfter), ...headers } : headers);
  return status;
}

/**
 * The client's address. X-Forwarded-For is believed only when the peer is a trusted proxy, and then only
 * as far as trusted proxies wrote it: each proxy appends the address it saw, so the entries are read
 * from the right and the first one that is not a trusted proxy is the client. The leftmost entry is
 * whatever the client sent and is never believed as such.
 */
/** Whether a peer address is one of the trusted proxies (an IPv4-mapped IPv6 address counts as its IPv4). */
export function isTrustedPeer(address: string | undefined, trusted: ReadonlySet<string>): boolean {
  if (address === undefined || trusted.size === 0) return false;
  return trusted.has(address) || trusted.has(address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, ''));
}

export function clientIp(req: IncomingMessage, trustedProxies: ReadonlySet<string>): string {
  const peer = req.socket.remoteAddress ?? '0.0.0.0';
  const trusted = (address: string): boolean => isTrustedPeer(address, trustedProxies);
  if (!trusted(peer)) return peer;
  const forwarded = req.headers['x-forwarded-for'];
  const entries = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  let client = peer;
  for (let i = entries.length - 1; i >= 0; i--) {
    client = entries[i]!;
    if (!trusted(client)) break;
  }
  return client;
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Parses a query string, refusing any name not in `allowed` and any name given twice (readers differ on
 * which copy wins), both as `validation_failed`.
 */
export function parseQuery(search: string, allowed: readonly string[]): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of new URLSearchParams(search)) {
    const name = `\`${k.slice(0, 60)}\``;
    if (!allowed.includes(k)) throw new WardenError('validation_failed', `unknown query parameter ${name}${allowed.length ? `; this endpoint takes ${allowed.map((a) => `\`${a}\``).join(', ')}` : '; this endpoint takes none'}`);
    if (k in out) throw new WardenError('validation_failed', `query parameter ${name} is given more than once`);
    out[k] = v;
  }
  return out;
}
