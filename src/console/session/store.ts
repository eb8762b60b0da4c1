/**
 * Console sessions: a random token in an HttpOnly cookie, of which the server keeps only the SHA-256
 * hash, and a CSRF token the page must echo in a header on every state-changing call. Sessions live in
 * memory on purpose: a restart signs every operator out (fail closed), and nothing acknowledged is lost
 * because a session is not data. A session records when a factor was last verified on it (`mfaAt`,
 * fresh-mfa.ts) for admin actions.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Identity } from '../../core/types.js';
import type { ConsoleRole } from '../roles.js';

export interface ConsoleSession {
  /** Hash of the cookie token: the map key, never the token itself. */
  id: string;
  identity: Identity;
  role: ConsoleRole;
  csrfToken: string;
  /** When the credential was presented (ms since epoch): for "fresh authentication" checks. */
  authenticatedAt: number;
  /** When a factor was last verified on this session (fresh MFA for admin actions), if ever. */
  mfaAt?: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface SessionLimits {
  /** Absolute lifetime. */
  ttlMs: number;
  /** Signed out after this long without a request. */
  idleMs: number;
  /** Oldest sessions are dropped beyond this many (bounds memory against sign-in floods). */
  max: number;
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

export class ConsoleSessions {
  private readonly sessions = new Map<string, ConsoleSession>();

  /**
   * `stillValid` is asked on every use: a session ends with its credential (a revoked or expired key),
   * not only when it times out.
   */
  constructor(
    private readonly limits: SessionLimits,
    private readonly stillValid: (session: ConsoleSession, now: number) => boolean = () => true,
  ) {}

  /** Creates a session; returns the cookie token (shown once, to the browser) and the session. */
  create(identity: Identity, role: ConsoleRole, now = Date.now()): { token: string; session: ConsoleSession } {
    const token = randomBytes(32).toString('base64url');
    const session: ConsoleSession = {
      id: hashToken(token),
      identity,
      role,
      csrfToken: randomBytes(32).toString('base64url'),
      authenticatedAt: now,
      lastSeenAt: now,
      expiresAt: now + this.limits.ttlMs,
    };
    this.sessions.set(session.id, session);
    while (this.sessions.size > this.limits.max) this.sessions.delete(this.sessions.keys().next().value!);
    return { token, session };
  }

  /** The live session a cookie token names, or undefined (unknown, expired or idle too long). */
  find(token: string | undefined, now = Date.now()): ConsoleSession | undefined {
    if (!token || token.length > 100) return undefined;
    const id = hashToken(token);
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (now >= session.expiresAt || now - session.lastSeenAt >= this.limits.idleMs || !this.stillValid(session, now)) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeenAt = now;
    return session;
  }

  /** Whether a presented CSRF token is the session's (constant time). */
  static csrfMatches(session: ConsoleSession, presented: string | undefined): boolean {
    if (!presented) return false;
    const a = Buffer.from(presented);
    const b = Buffer.from(session.csrfToken);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Whether a session already found is still in force (not signed out, expired or revoked since). */
  isLive(session: ConsoleSession, now = Date.now()): boolean {
    return this.sessions.get(session.id) === session && now < session.expiresAt && this.stillValid(session, now);
  }

  end(session: ConsoleSession): void {
    this.sessions.delete(session.id);
  }
}
