/**
 * The console's sessions, kept where every instance of a cluster reads them (storage convention): the
 * SHA-256 hash of the cookie token (never the token), the identity and console role the session acts
 * as, its CSRF token, and its clock (sign-in, last fresh MFA, last use, end). SQLite and PostgreSQL pass
 * one conformance suite (test/store/console-sessions.test.ts).
 *
 * The CSRF token is stored as it is, not hashed: any instance must be able to hand it back to a reloaded
 * page (`GET /ui/api/session`), and it is useless without the HttpOnly cookie whose token is only hashed.
 */
import type { Identity } from '../../core/index.js';
import type { ConsoleRole } from '../roles.js';

export interface ConsoleSessionRecord {
  /** Hash of the cookie token: the key, never the token itself. */
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

export interface SessionBound {
  /** Most sessions kept; the oldest (by creation) are dropped beyond it. */
  max: number;
  /** Sessions ending at or before this (ms since epoch) are dropped. */
  now: number;
  /** Sessions last used at or before this are dropped (idle). */
  idleSince: number;
}

export interface ConsoleSessionRepository {
  /** Stores a new session, drops ended and idle ones, then the oldest beyond `bound.max`. One transaction. */
  create(session: ConsoleSessionRecord, bound: SessionBound): Promise<void>;
  find(id: string): Promise<ConsoleSessionRecord | undefined>;
  /** The stored sessions among `ids`, in one read (the live streams' revalidation), in no set order. */
  findMany(ids: readonly string[]): Promise<ConsoleSessionRecord[]>;
  /** Moves the last use forward (never back: instances write in any order). */
  touch(id: string, at: number): Promise<void>;
  /** Records a factor verified at `at` (never moved back); false when the session is gone. */
  recordMfa(id: string, at: number): Promise<boolean>;
  /** Ends the session; false when it was already gone. */
  end(id: string): Promise<boolean>;
}
