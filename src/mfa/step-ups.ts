/**
 * Completing a step-up. A refused request (401, `step_up`) opens a challenge under its decision id; the
 * person verifies a factor on Warden's page (or the CLI); then either the API key the request used is
 * elevated for a bounded time, or the client redeems the challenge, once, for a session token bound to
 * its DPoP key or client certificate, authenticating with the same first-factor credential as before.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { WardenError, type Logger, type Identity } from '../core/index.js';
import type { EventBus } from '../events/index.js';
import type { Binding, SessionTokens } from './session-token.js';
import type { ChallengeRecord, ElevationRecord, MfaRepository } from './store/types.js';

export interface StepUpOptions {
  repo: MfaRepository;
  tokens: SessionTokens;
  bus: EventBus;
  logger: Logger;
  instanceId: string;
  /** Base URL of the pages, e.g. `http://localhost:8080` (known once the listener is up). */
  publicUrl(): string;
  challengeTtlSeconds: number;
  apiKeyElevationSeconds: number;
  sessionTokenTtlSeconds: number;
}

/** The person who must verify a factor: the user an agent acts for, else the caller. */
export function personOf(identity: Identity): string {
  return identity.delegation?.onBehalfOf.id ?? identity.principal.id;
}

function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export class StepUps {
  /** API key id → elevation in force; the hot path reads only this. */
  private readonly elevations = new Map<string, ElevationRecord>();

  constructor(private readonly options: StepUpOptions) {}

  /** Reloads the elevations in force: at start, and periodically for those granted elsewhere (the CLI, another instance). */
  async refresh(): Promise<void> {
    const now = Date.now();
    const active = await this.options.repo.activeElevations(new Date(now).toISOString());
    // Merged, not replaced: an elevation granted here while the query ran must not vanish.
    for (const [id, e] of this.elevations) if (Date.parse(e.expiresAt) <= now) this.elevations.delete(id);
    for (const e of active) {
      const known = this.elevations.get(e.apiKeyId);
      if (!known || known.expiresAt < e.expiresAt) this.elevations.set(e.apiKeyId, e);
    }
  }

  /**
   * Opens a challenge for a refused request and returns the page URL that completes it. The URL carries a
   * secret only this 401 answer holds: a decision id alone (it is in logs and headers) lets nobody attempt
   * a factor, so a stranger's guesses cannot lock the person out.
   */
  open(decisionId: string, identity: Identity): string {
    const now = Date.now();
    const secret = randomBytes(18).toString('base64url');
    const challenge: ChallengeRecord = {
      id: decisionId,
      principal: personOf(identity),
      principalKind: identity.delegation?.onBehalfOf.kind ?? identity.principal.kind,
      apiKeyId: identity.authentication.method === 'apikey' ? (identity.authentication.credentialId ?? null) : null,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.options.challengeTtlSeconds * 1000).toISOString(),
      completedAt: null,
      amr: [],
      redeemedAt: null,
      secretHash: secretHash(secret),
    };
    // Fails closed: a challenge that could not be stored is simply unknown to the page.
    this.options.repo.addChallenge(challenge).catch((error: unknown) => this.options.logger.error({ err: error, decisionId }, 'a step-up challenge could not be stored'));
    return `${this.url(decisionId)}?k=${secret}`;
  }

  /** Whether `secret` is the one in the challenge's URL (constant time); a challenge without one takes none. */
  holdsSecret(challenge: ChallengeRecord, secret: string | undefined): boolean {
    if (challenge.secretHash === null || secret === undefined) return false;
    const expected = Buffer.from(challenge.secretHash, 'hex');
    const given = Buffer.from(secretHash(secret), 'hex');
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  /** Where users reach Warden's pages. */
  publicUrl(): string {
    return this.options.publicUrl();
  }

  url(decisionId: string): string {
    return `${this.options.publicUrl()}/auth/step-up/${encodeURIComponent(decisionId)}`;
  }

  /** An open challenge (not completed, not expired); 404 otherwise. */
  async pending(id: string): Promise<ChallengeRecord> {
    const challenge = await this.options.repo.getChallenge(id);
    if (!challenge || challenge.completedAt !== null || Date.parse(challenge.expiresAt) <= Date.now()) throw new WardenError('challenge_not_found');
    return challenge;
  }

  /** Marks the challenge done with the verified factor's methods; elevates its API key, if any. */
  async complete(challenge: ChallengeRecord, amr: string[]): Promise<{ elevatedUntil?: string }> {
    const now = new Date();
    if (!(await this.options.repo.completeChallenge(challenge.id, amr, now.toISOString()))) throw new WardenError('challenge_not_found');
    this.audit('mfa.step_up_completed', challenge.principal, { decisionId: challenge.id, amr, ...(challenge.apiKeyId ? { apiKeyId: challenge.apiKeyId } : {}) });
    if (challenge.apiKeyId === null) return {};
    const elevation: ElevationRecord = {
      apiKeyId: challenge.apiKeyId,
      principal: challenge.principal,
      amr,
      authTime: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.options.apiKeyElevationSeconds * 1000).toISOString(),
    };
    await this.options.repo.addElevation(elevation);
    this.elevations.set(elevation.apiKeyId, elevation);
    this.audit('mfa.api_key_elevated', challenge.principal, { apiKeyId: elevation.apiKeyId, until: elevation.expiresAt });
    return { elevatedUntil: elevation.expiresAt };
  }

  /**
   * Exchanges a completed challenge for a session token, once. `identity` is the caller of the token
   * endpoint, authenticated with its usual credential: it must be the challenge's person.
   */
  async redeem(id: string, identity: Identity, binding: Binding): Promise<{ token: string; expiresIn: number }> {
    const challenge = await this.options.repo.getChallenge(id);
    if (!challenge || challenge.completedAt === null) throw new WardenError('challenge_not_found', 'no completed step-up challenge with this id');
    if (challenge.principal !== personOf(identity) || identity.delegation) throw new WardenError('forbidden', 'this challenge was opened for another principal');
    if (challenge.apiKeyId !== null) throw new WardenError('conflict', 'this challenge elevated the API key: retry the request with it');
    const completedAt = Date.parse(challenge.completedAt);
    if (completedAt + this.options.challengeTtlSeconds * 1000 <= Date.now()) throw new WardenError('challenge_not_found', 'the completed challenge is too old to redeem');
    if (!(await this.options.repo.redeemChallenge(id, new Date().toISOString()))) throw new WardenError('conflict', 'the session token for this challenge was already issued');
    const { principal } = identity;
    const token = await this.options.tokens.issue({ principal: principal.id, kind: principal.kind, amr: challenge.amr, authTime: Math.floor(completedAt / 1000), groups: principal.groups, roles: principal.roles, binding, jti: randomUUID() });
    this.audit('mfa.session_token_issued', challenge.principal, { decisionId: id, binding: 'jkt' in binding ? 'dpop' : 'mtls' });
    return { token, expiresIn: this.options.sessionTokenTtlSeconds };
  }

  /** The elevation in force for an API key, from memory. */
  elevation(apiKeyId: string, nowMs = Date.now()): ElevationRecord | undefined {
    const elevation = this.elevations.get(apiKeyId);
    if (elevation && Date.parse(elevation.expiresAt) <= nowMs) {
      this.elevations.delete(apiKeyId);
      return undefined;
    }
    return elevation;
  }

  private audit(operation: string, principal: string, details: Record<string, unknown>): void {
    this.options.bus.publish({ type: 'admin', source: this.options.instanceId, actor: { type: 'Warden::User', id: principal }, operation, target: principal, outcome: 'success', details });
  }
}
