/**
 * Console sessions: a random token in an HttpOnly cookie, of which the server keeps only the SHA-256
 * hash, and a CSRF token the page must echo in a header on every state-changing call. A session records
 * when a factor was last verified on it (`mfaAt`, fresh-mfa.ts) for admin actions.
 *
 * Sessions live in a repository (src/console/store): on PostgreSQL every instance of a cluster finds a
 * session any of them opened, so no sticky balancing is needed; a single instance keeps them in a
 * private in-memory database, so a restart signs every operator out (fail closed; nothing acknowledged
 * is lost because a session is not data).
 *
 * Each instance caches the sessions it served, so most console requests do not wait for the database.
 * A cached session is read again when it was last read more than `revalidateMs` (500 ms) ago, and on
 * every state-changing call: a sign-out, a bound drop or an idle end on another instance is refused here
 * within that time, and never for a write; a factor verified on another instance counts for the next
 * admin action here. This is the whole cross-instance mechanism: the repository is the one truth, read
 * at a bounded rate, rather than ends broadcast over the shared state (a lost or late message would keep
 * a session alive, and a broadcast would still need the read for sessions and factors from elsewhere).
 *
 * The last use is written at most every `touchMs` (5 s) per session: another instance may see a
 * session idle up to that much early, which the idle timeout (minutes) tolerates.
 *
 * A failing database reads as "no session" (401): fail closed, never a crash.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Identity } from '../../core/index.js';
import type { ConsoleRole } from '../roles.js';
import type { ConsoleSessionRecord, ConsoleSessionRepository } from '../store/types.js';

export type ConsoleSession = ConsoleSessionRecord;

export interface SessionLimits {
  /** Absolute lifetime. */
  ttlMs: number;
  /** Signed out after this long without a request. */
  idleMs: number;
  /** Oldest sessions are dropped beyond this many (bounds storage against sign-in floods). */
  max: number;
}

export interface SessionSync {
  /** A cached session is read from the repository again after this long (≤ 1000: ends reach every instance within 1 s). */
  revalidateMs: number;
  /** The last use is written at most this often per session. */
  touchMs: number;
}

const DEFAULT_SYNC: SessionSync = { revalidateMs: 500, touchMs: 5_000 };

interface Entry {
  session: ConsoleSession;
  /** When the repository was last read for it. */
  checkedAt: number;
  /** The last use written to the repository. */
  savedSeenAt: number;
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

export class ConsoleSessions {
  /** Sessions this instance served, oldest first; bounded like the repository. */
  private readonly cache = new Map<string, Entry>();

  /**
   * `stillValid` is asked on every use: a session ends with its credential (a revoked or expired key),
   * not only when it times out.
   */
  constructor(
    private readonly repo: ConsoleSessionRepository,
    private readonly limits: SessionLimits,
    private readonly stillValid: (session: ConsoleSession, now: number) => boolean = () => true,
    private readonly sync: SessionSync = DEFAULT_SYNC,
  ) {}

  /** How old a cached copy may get before it is read again (the live feed's check interval). */
  get revalidateMs(): number {
    return this.sync.revalidateMs;
  }

  /** Creates a session; returns the cookie token (shown once, to the browser) and the session. */
  async create(identity: Identity, role: ConsoleRole, now = Date.now()): Promise<{ token: string; session: ConsoleSession }> {
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
    await this.repo.create(session, { max: this.limits.max, now, idleSince: now - this.limits.idleMs });
    this.remember({ session, checkedAt: now, savedSeenAt: now });
    return { token, session };
  }

  /**
   * The live session a cookie token names, or undefined (unknown, expired, idle too long, its credential
   * no longer valid, or the repository unreachable). `fresh` reads the repository whatever the cache holds:
   * for state-changing calls.
   */
  async find(token: string | undefined, now = Date.now(), options: { fresh?: boolean } = {}): Promise<ConsoleSession | undefined> {
    if (!token || token.length > 100) return undefined;
    const id = hashToken(token);
    try {
      let entry = this.cache.get(id);
      if (!entry || options.fresh || now - entry.checkedAt >= this.sync.revalidateMs) entry = await this.revalidate(id, entry, now);
      if (!entry) return undefined;
      const session = entry.session;
      if (now >= session.expiresAt || now - session.lastSeenAt >= this.limits.idleMs) {
        await this.end(session);
        return undefined;
      }
      if (!this.stillValid(session, now)) {
        // Refused, not ended: another instance's key cache may be a second behind this one's, and a
        // revoked key never comes back, so the row simply lapses.
        this.cache.delete(id);
        return undefined;
      }
      session.lastSeenAt = Math.max(session.lastSeenAt, now);
      if (now - entry.savedSeenAt >= this.sync.touchMs) {
        entry.savedSeenAt = now;
        await this.repo.touch(id, now);
      }
      return session;
    } catch {
      // The repository could not confirm the session: it counts as ended (fail closed); the operator signs in again.
      this.cache.delete(id);
      return undefined;
    }
  }

  /** Whether a presented CSRF token is the session's (constant time). */
  static csrfMatches(session: ConsoleSession, presented: string | undefined): boolean {
    if (!presented) return false;
    const a = Buffer.from(presented);
    const b = Buffer.from(session.csrfToken);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /**
   * Whether a session already found is still in force as far as this instance knows (not signed out,
   * expired or revoked since): from memory, for every event of the live feed.
   */
  isLive(session: ConsoleSession, now = Date.now()): boolean {
    return this.cache.get(session.id)?.session === session && now < session.expiresAt && this.stillValid(session, now);
  }

  /**
   * Reads again, in one repository call, every distinct session among `sessions` that this instance holds
   * (however many streams share one): afterwards `isLive` counts an end, an expiry moved or an idle end
   * made on another instance. The live feed calls it every `revalidateMs`, so its database reads grow
   * with time, not with open streams; it reads whatever the copies' age, since a copy just younger than
   * the interval would otherwise wait a second tick. A failed read drops them all from the cache (no
   * longer live: fail closed).
   */
  async revalidateAll(sessions: Iterable<ConsoleSession>, now = Date.now()): Promise<void> {
    const held = new Map<string, Entry>();
    for (const session of sessions) {
      const entry = this.cache.get(session.id);
      if (entry?.session === session) held.set(session.id, entry);
    }
    if (held.size === 0) return;
    let stored: ConsoleSession[];
    try {
      stored = await this.repo.findMany([...held.keys()]);
    } catch {
      for (const id of held.keys()) this.cache.delete(id);
      return;
    }
    const found = new Map(stored.map((s) => [s.id, s]));
    for (const [id, entry] of held) {
      const record = found.get(id);
      // Only the entry read for: a sign-in or sign-out here while the read was under way is newer.
      if (this.cache.get(id) !== entry) continue;
      if (record) this.merge(entry, record, now);
      else this.cache.delete(id);
    }
  }

  /** Records a factor verified on the session, for every instance. */
  async recordMfa(session: ConsoleSession, at = Date.now()): Promise<void> {
    await this.repo.recordMfa(session.id, at);
    session.mfaAt = Math.max(session.mfaAt ?? 0, at);
  }

  async end(session: ConsoleSession): Promise<void> {
    this.cache.delete(session.id);
    await this.repo.end(session.id);
  }

  /** Reads the session from the repository into the cache (in place, so holders of it see the news). */
  private async revalidate(id: string, entry: Entry | undefined, now: number): Promise<Entry | undefined> {
    const stored = await this.repo.find(id);
    if (!stored) {
      this.cache.delete(id);
      return undefined;
    }
    if (!entry) return this.remember({ session: stored, checkedAt: now, savedSeenAt: stored.lastSeenAt });
    return this.merge(entry, stored, now);
  }

  /** Brings a cached session up to the stored copy, in place (holders of it see the news). */
  private merge(entry: Entry, stored: ConsoleSession, now: number): Entry {
    const session = entry.session;
    session.lastSeenAt = Math.max(session.lastSeenAt, stored.lastSeenAt);
    if (stored.mfaAt !== undefined) session.mfaAt = Math.max(session.mfaAt ?? 0, stored.mfaAt);
    session.expiresAt = stored.expiresAt;
    entry.checkedAt = now;
    return entry;
  }

  private remember(entry: Entry): Entry {
    this.cache.set(entry.session.id, entry);
    while (this.cache.size > this.limits.max) this.cache.delete(this.cache.keys().next().value!);
    return entry;
  }
}
