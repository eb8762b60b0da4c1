/**
 * The session's HTTP side: the cookie (HttpOnly, SameSite=Strict, Path=/ui, Secure under TLS) and the
 * checks a state-changing call must pass: its Origin is Warden's own, and it echoes the session's CSRF
 * token in `x-csrf-token`. The Origin check alone stops a cross-site form; the token stops a same-site
 * page that is not the console (another app on a sibling subdomain) from riding the cookie.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { WardenError } from '../../core/index.js';
import { ConsoleSessions, type ConsoleSession } from './store.js';

export const SESSION_COOKIE = 'warden_console';
export const CSRF_HEADER = 'x-csrf-token';

/** The value of one cookie; a name sent twice counts as absent (which copy a reader takes differs). */
export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const values = String(req.headers.cookie ?? '')
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${name}=`))
    .map((part) => part.slice(name.length + 1));
  return values.length === 1 ? values[0] : undefined;
}

export function isTls(req: IncomingMessage): boolean {
  return (req.socket as TLSSocket).encrypted === true;
}

export function sessionCookie(token: string, req: IncomingMessage, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${token}; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${isTls(req) ? '; Secure' : ''}`;
}

export function clearedCookie(req: IncomingMessage): string {
  return `${SESSION_COOKIE}=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0${isTls(req) ? '; Secure' : ''}`;
}

/**
 * Refuses a state-changing request whose Origin is absent or not this server's own. Browsers send Origin
 * on every POST, PUT and DELETE, so a missing one means a client that is not the console page.
 */
export function requireSameOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  const host = req.headers.host;
  const own = host ? `${isTls(req) ? 'https' : 'http'}://${host}` : undefined;
  if (!origin || !own || origin !== own) throw new WardenError('csrf_rejected', 'cross-site request refused: the Origin is not this console');
}

/**
 * The session the request's cookie names; `unauthenticated` without one. A state-changing call reads it
 * from the repository, not the cache: no write is made on a session another instance has just ended.
 */
export async function requireSession(sessions: ConsoleSessions, req: IncomingMessage): Promise<ConsoleSession> {
  const fresh = req.method !== 'GET' && req.method !== 'HEAD';
  const session = await sessions.find(cookieValue(req, SESSION_COOKIE), Date.now(), { fresh });
  if (!session) throw new WardenError('unauthenticated', 'sign in to the console');
  return session;
}

/** Both checks of a state-changing call made with a session. */
export function requireCsrf(session: ConsoleSession, req: IncomingMessage): void {
  requireSameOrigin(req);
  const presented = req.headers[CSRF_HEADER];
  if (!ConsoleSessions.csrfMatches(session, Array.isArray(presented) ? undefined : presented)) {
    throw new WardenError('csrf_rejected', 'the CSRF token is missing or wrong: reload the console');
  }
}
