/**
 * The Shared Signals endpoints, outside the policy-decided routes (each authenticates its own way):
 *
 * - `POST /signals/events`: the RFC 8935 push endpoint (`application/secevent+jwt`); 202, or 400 with
 *   `{"err", "description"}`. The SET's signature is its authentication.
 * - `POST /signals/devices/posture`: a posture report signed by an enrolled device key (a compact JWS).
 * - `POST /signals/posture/<name>`: an MDM/EDR webhook (HMAC or signed JWT).
 * - `GET /.well-known/ssf-configuration`, `GET /.well-known/ssf-jwks.json`: the transmitter's metadata
 *   and keys (when the transmitter is enabled).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WardenError, type Logger } from '../core/index.js';
import { header, readBody, sendError, sendJson } from '../gateway/index.js';
import type { PostureReports } from './devices/reports.js';
import type { PostureWebhooks } from './devices/webhooks.js';
import type { SignalEffects } from './effects.js';
import type { SetReceiver } from './receiver.js';
import { SetError } from './set-error.js';

export const SSF_CONFIGURATION = '/.well-known/ssf-configuration';
export const SSF_JWKS = '/.well-known/ssf-jwks.json';
const MAX_SET_BYTES = 64 * 1024;
const MAX_REPORT_BYTES = 16 * 1024;
const MAX_WEBHOOK_BYTES = 1024 * 1024;

export interface SignalRoutesDeps {
  receiver?: SetReceiver;
  effects: SignalEffects;
  reports: PostureReports;
  webhooks: PostureWebhooks;
  /** The transmitter's metadata and JWKS (absent when it is disabled). */
  transmitter?: { metadata(): object; jwks: object };
  logger: Logger;
}

export function isSignalPath(path: string): boolean {
  return path.startsWith('/signals/') || path === SSF_CONFIGURATION || path === SSF_JWKS;
}

export class SignalRoutes {
  constructor(private readonly deps: SignalRoutesDeps) {}

  matches(path: string): boolean {
    return isSignalPath(path);
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const headers = { 'cache-control': 'no-store' };
    try {
      if (path === '/signals/events') return await this.events(req, res);
      if (path === SSF_CONFIGURATION || path === SSF_JWKS) {
        const t = this.deps.transmitter;
        if (!t) throw new WardenError('not_found');
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new WardenError('method_not_allowed');
        return sendJson(res, 200, path === SSF_JWKS ? t.jwks : t.metadata(), { 'cache-control': 'max-age=300' });
      }
      if (req.method !== 'POST') throw new WardenError(path === '/signals/devices/posture' || path.startsWith('/signals/posture/') ? 'method_not_allowed' : 'not_found');
      if (path === '/signals/devices/posture') {
        const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== 'application/jwt' && type !== 'application/jose') throw new WardenError('unsupported_media_type', 'send the signed report as `application/jwt`');
        const body = await readBody(req, MAX_REPORT_BYTES);
        return sendJson(res, 200, await this.deps.reports.receive(body.toString('utf8').trim()), headers);
      }
      const name = path.slice('/signals/posture/'.length);
      if (path.startsWith('/signals/posture/') && this.deps.webhooks.has(name)) {
        const body = await readBody(req, MAX_WEBHOOK_BYTES);
        const lower: Record<string, string | undefined> = {};
        for (const key of Object.keys(req.headers)) lower[key] = header(req, key);
        return sendJson(res, 200, await this.deps.webhooks.receive(name, lower, body), headers);
      }
      throw new WardenError('not_found');
    } catch (error) {
      if (!(error instanceof WardenError)) this.deps.logger.error({ err: error, path: path.slice(0, 200) }, 'a signals request failed');
      if (error instanceof WardenError && error.status < 500) this.deps.logger.warn({ path: path.slice(0, 200), code: error.code, reason: error.message }, 'a signals request was refused');
      if (!req.complete) res.setHeader('connection', 'close');
      sendError(res, error, headers);
    }
  }

  /** RFC 8935 section 2: 202 once the SET is verified and its effect stored; 400 with the error JSON. */
  private async events(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receiver = this.deps.receiver;
    if (!receiver) throw new WardenError('not_found');
    if (req.method !== 'POST') throw new WardenError('method_not_allowed');
    try {
      const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/secevent+jwt') throw new SetError('invalid_request', 'the body must be `application/secevent+jwt`');
      let body: Buffer;
      try {
        body = await readBody(req, MAX_SET_BYTES);
      } catch (error) {
        throw new SetError('invalid_request', 'the SET is larger than the receiver accepts', { cause: error });
      }
      const received = await receiver.receive(body.toString('utf8').trim());
      if ('signal' in received) {
        try {
          await this.deps.effects.apply(received.signal);
        } catch (error) {
          // Not acknowledged (500): the transmitter retries the same SET, which must not count as a replay.
          await receiver.release(received.signal.issuer, received.signal.jti).catch((e: unknown) => this.deps.logger.error({ err: e }, 'a SET id could not be released'));
          throw error;
        }
      }
      else this.deps.logger.info({ issuer: received.issuer, jti: received.jti, event: received.ignored.slice(0, 200) }, 'a SET with an event type Warden does not process was acknowledged');
      res.writeHead(202, { 'cache-control': 'no-store', 'content-length': 0 });
      res.end();
    } catch (error) {
      if (!(error instanceof SetError)) throw error;
      this.deps.logger.warn({ err: error.err, reason: error.description }, 'a SET was refused');
      if (!req.complete) res.setHeader('connection', 'close');
      sendJson(res, 400, error.body(), { 'cache-control': 'no-store' });
    }
  }
}
