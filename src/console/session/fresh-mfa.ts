/**
 * Fresh MFA for the console's admin actions: an admin verifies a factor of the step-up module (a TOTP
 * code, or a recovery code) on the console session, and for `console.adminMfaMinutes` after that the
 * session may take admin actions (activate a policy, create a key, approve a response action...). Past
 * the window, or before any verification, an admin action is refused with `fresh_mfa_required`, which
 * the page answers by asking for a code and retrying. Each verification, good or bad, is an
 * `authentication` event (with `mfa: true` on success), and the factor's own guessing limit applies.
 */
import { z } from 'zod';
import { WardenError } from '../../core/index.js';
import type { EventBus } from '../../events/index.js';
import { type Exchange, header, validateInput } from '../../gateway/index.js';
import { type TotpFactors, personOf } from '../../mfa/index.js';
import type { ConsoleSession, ConsoleSessions } from './store.js';

const codeSchema = z.strictObject({ code: z.string().trim().min(6).max(20) });

export interface FreshMfaDeps {
  totp: Pick<TotpFactors, 'verify' | 'verifyRecoveryCode'>;
  bus: EventBus;
  instanceId: string;
  /** Where the verification is recorded, for every instance to see. */
  sessions: Pick<ConsoleSessions, 'recordMfa'>;
  /** How long a verification keeps admin actions open. */
  freshMs: number;
}

export class FreshMfa {
  constructor(private readonly deps: FreshMfaDeps) {}

  /** Verifies a code for the session's principal and records the time on the session. */
  async verify(ex: Exchange, session: ConsoleSession, body: unknown, now = Date.now()): Promise<void> {
    const { code } = validateInput(codeSchema, body);
    const identity = session.identity;
    const person = personOf(identity);
    const userAgent = header(ex.req, 'user-agent')?.slice(0, 256);
    const event = {
      type: 'authentication' as const,
      source: this.deps.instanceId,
      method: identity.authentication.method === 'jwt' ? ('jwt' as const) : ('apikey' as const),
      sourceIp: ex.sourceIp,
      principal: { type: identity.principal.kind, id: identity.principal.id, groups: identity.principal.groups },
      ...(identity.authentication.credentialId ? { credentialId: identity.authentication.credentialId } : {}),
      ...(userAgent ? { userAgent } : {}),
    };
    try {
      // Six digits are a TOTP code; anything else is tried as a recovery code.
      await (/^\d{6}$/.test(code) ? this.deps.totp.verify(person, code) : this.deps.totp.verifyRecoveryCode(person, code));
    } catch (error) {
      this.deps.bus.publish({ ...event, outcome: 'failure', reason: error instanceof WardenError ? error.code : 'internal', mfa: false });
      throw error;
    }
    await this.deps.sessions.recordMfa(session, now);
    this.deps.bus.publish({ ...event, outcome: 'success', mfa: true });
  }

  /** Until when the session's last verification keeps admin actions open (undefined: not open). */
  freshUntil(session: ConsoleSession, now = Date.now()): number | undefined {
    const until = session.mfaAt === undefined ? undefined : session.mfaAt + this.deps.freshMs;
    return until !== undefined && until > now ? until : undefined;
  }

  /** Refuses an admin action without a verification within the window. */
  requireFresh(session: ConsoleSession, now = Date.now()): void {
    if (this.freshUntil(session, now) === undefined) {
      throw new WardenError('fresh_mfa_required', `admin actions need a factor verified in the last ${Math.round(this.deps.freshMs / 60_000)} minutes: enter a code from your authenticator app`);
    }
  }
}
