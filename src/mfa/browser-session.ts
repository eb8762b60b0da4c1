/**
 * Browser sessions for Warden's own pages (`/auth/...`, and the console at `/ui` reuses them): a signed,
 * expiring cookie (HMAC-SHA256 under a key derived from the KEK, so every instance sharing the KEK reads
 * it and a restart keeps it) naming the principal, how and when they verified a factor, and the session's
 * CSRF token. HttpOnly, SameSite=Strict, Secure on https. Nothing else about the session is stored.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface BrowserSession {
  principal: string;
  /** RFC 8176 methods of the factor verified, empty for a session started by an enrolment link. */
  amr: string[];
  /** Seconds since the epoch when the session started or was last stepped up. */
  authTime: number;
  expiresAt: number;
  csrf: string;
}

export const SESSION_COOKIE = 'warden_session';
export const CSRF_COOKIE = 'warden_csrf';
/** The secret of the step-up challenge this browser opened (from its URL), scoped to that challenge's path. */
export const STEP_UP_COOKIE = 'warden_step_up';

export class BrowserSessions {
  private readonly key: Buffer;

  constructor(
    kek: Buffer,
    private readonly lifetimeSeconds: number,
    private readonly secure: boolean,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), 'warden-browser-session-v1', 32));
  }

  /** Starts (or replaces) the session: sets the cookie and returns the session. */
  start(res: ServerResponse, principal: string, amr: string[], nowMs = Date.now()): BrowserSession {
    const session: BrowserSession = { principal, amr, authTime: Math.floor(nowMs / 1000), expiresAt: Math.floor(nowMs / 1000) + this.lifetimeSeconds, csrf: randomBytes(18).toString('base64url') };
    const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
    appendCookie(res, this.cookie(SESSION_COOKIE, `${payload}.${this.mac(payload)}`, this.lifetimeSeconds));
    return session;
  }

  /** The request's valid, unexpired session, or undefined. */
  read(req: IncomingMessage, nowMs = Date.now()): BrowserSession | undefined {
    const value = readCookie(req, SESSION_COOKIE);
    if (!value || value.length > 4096) return undefined;
    const [payload, mac] = value.split('.');
    if (!payload || !mac || !equal(mac, this.mac(payload))) return undefined;
    try {
      const session = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as BrowserSession;
      return session.expiresAt > nowMs / 1000 && typeof session.principal === 'string' ? session : undefined;
    } catch {
      // A cookie that does not parse (its MAC matched, so a key or format change) is no session: sign in again.
      return undefined;
    }
  }

  /**
   * The CSRF token for a page shown without a session (a double-submit cookie): reuses the visitor's
   * cookie, or sets a new one.
   */
  anonymousCsrf(req: IncomingMessage, res: ServerResponse): string {
    const existing = readCookie(req, CSRF_COOKIE);
    if (existing && /^[A-Za-z0-9_-]{24}$/.test(existing)) return existing;
    const token = randomBytes(18).toString('base64url');
    appendCookie(res, this.cookie(CSRF_COOKIE, token, 3600));
    return token;
  }

  /** Whether a submitted CSRF token matches the session's, or the anonymous cookie's. */
  csrfValid(req: IncomingMessage, submitted: string | undefined): boolean {
    if (!submitted) return false;
    const expected = this.read(req)?.csrf ?? readCookie(req, CSRF_COOKIE);
    return expected !== undefined && equal(submitted, expected);
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  /** Remembers a step-up challenge's secret for the page's own form posts and fetches (its path only). */
  holdStepUpSecret(res: ServerResponse, decisionId: string, secret: string, maxAgeSeconds: number): void {
    appendCookie(res, this.cookie(STEP_UP_COOKIE, secret, maxAgeSeconds, `/auth/step-up/${encodeURIComponent(decisionId)}`));
  }

  stepUpSecret(req: IncomingMessage): string | undefined {
    return readCookie(req, STEP_UP_COOKIE);
  }

  private cookie(name: string, value: string, maxAge: number, path = '/'): string {
    return `${name}=${value}; Path=${path}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${this.secure ? '; Secure' : ''}`;
  }
}

function appendCookie(res: ServerResponse, cookie: string): void {
  const existing = res.getHeader('set-cookie');
  res.setHeader('set-cookie', [...(Array.isArray(existing) ? existing : existing ? [String(existing)] : []), cookie]);
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
