/**
 * Sign-in with a Warden credential: an API key of a principal holding a console role (admin, analyst or
 * auditor) whose scopes cover `admin:console`, exchanged for a session cookie. Every attempt, good or bad,
 * is an `authentication` event on the bus, so the risk engine sees password-spraying against the console
 * as it sees it against the API. The key itself is never stored or echoed; the session keeps its id.
 */
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { WardenError } from '../core/index.js';
import type { EventBus } from '../events/index.js';
import { type Exchange, header, validateInput } from '../gateway/index.js';
import { requireScope, type ApiKeyStore, type Authenticator } from '../identity/index.js';
import { consoleRoleOf, type ConsoleRole } from './roles.js';
import type { FreshMfa } from './session/fresh-mfa.js';
import { clearedCookie, requireSameOrigin, sessionCookie } from './session/http.js';
import type { ConsoleSession, ConsoleSessions } from './session/store.js';

const signInSchema = z.strictObject({ apiKey: z.string().min(1).max(200) });

export interface SessionView {
  principal: { type: string; id: string };
  role: ConsoleRole;
  csrfToken: string;
  expiresAt: string;
  /** Whether admin actions need fresh MFA, and until when the last verification keeps them open. */
  adminMfa: { required: boolean; freshUntil: string | null };
}

export interface SignInDeps {
  authenticator: Authenticator;
  sessions: ConsoleSessions;
  bus: EventBus;
  instanceId: string;
  ttlSeconds: number;
  freshMfa?: FreshMfa;
}

/**
 * Whether the key a session was opened with is still usable (not revoked, not expired). A session opened
 * with the OIDC issuer holds no key: it lives for the session's own lifetime.
 */
export function keyStillValid(apiKeys: ApiKeyStore, session: ConsoleSession, now: number): boolean {
  if (session.identity.authentication.method !== 'apikey') return true;
  const id = session.identity.authentication.credentialId;
  const record = id === undefined ? undefined : apiKeys.record(id);
  return record !== undefined && record.revokedAt === null && (record.expiresAt === null || Date.parse(record.expiresAt) > now);
}

export class SignIn {
  constructor(private readonly deps: SignInDeps) {}

  async signIn(ex: Exchange, body: unknown): Promise<{ body: SessionView; cookie: string }> {
    // Login CSRF: a cross-site page must not sign the browser in under the attacker's key.
    requireSameOrigin(ex.req);
    const { apiKey } = validateInput(signInSchema, body);
    const userAgent = header(ex.req, 'user-agent')?.slice(0, 256);
    const attempt = { type: 'authentication' as const, source: this.deps.instanceId, method: 'apikey' as const, sourceIp: ex.sourceIp, ...(userAgent ? { userAgent } : {}) };
    let identity;
    try {
      identity = await this.deps.authenticator.authenticate({ apiKey });
    } catch (error) {
      this.deps.bus.publish({ ...attempt, outcome: 'failure', reason: error instanceof WardenError ? error.code : 'internal' });
      throw error instanceof WardenError ? new WardenError('invalid_api_key') : error;
    }
    ex.identity = identity;
    const principal = { type: identity.principal.kind, id: identity.principal.id, groups: identity.principal.groups };
    const credentialId = identity.authentication.credentialId;
    const role = consoleRoleOf(identity.principal.roles);
    const refuse = (reason: string, error: WardenError): never => {
      this.deps.bus.publish({ ...attempt, outcome: 'failure', principal, ...(credentialId ? { credentialId } : {}), reason });
      ex.outcome = 'deny';
      throw error;
    };
    if (!role) refuse('no_console_role', new WardenError('forbidden', 'the console needs the `admin`, `analyst` or `auditor` role'));
    try {
      requireScope(identity, { kind: 'admin', area: 'console' });
    } catch (error) {
      refuse('insufficient_scope', error as WardenError);
    }
    const { token, session } = await this.deps.sessions.create(identity, role!);
    this.deps.bus.publish({ ...attempt, outcome: 'success', principal, ...(credentialId ? { credentialId } : {}), mfa: false });
    return { body: this.describe(session), cookie: sessionCookie(token, ex.req, this.deps.ttlSeconds) };
  }

  describe(session: ConsoleSession): SessionView {
    const p = session.identity.principal;
    const freshUntil = this.deps.freshMfa?.freshUntil(session);
    return {
      principal: { type: p.kind, id: p.id },
      role: session.role,
      csrfToken: session.csrfToken,
      expiresAt: new Date(session.expiresAt).toISOString(),
      adminMfa: { required: this.deps.freshMfa !== undefined && session.role === 'admin', freshUntil: freshUntil === undefined ? null : new Date(freshUntil).toISOString() },
    };
  }

  /** Ends the session server-side: the cookie is worthless from now on, whatever the browser keeps. */
  async signOut(session: ConsoleSession, req: IncomingMessage): Promise<string> {
    await this.deps.sessions.end(session);
    return clearedCookie(req);
  }
}
