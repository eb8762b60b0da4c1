/**
 * Passkeys (WebAuthn) with user verification required, through @simplewebauthn/server. A ceremony's
 * challenge is kept in memory for a few minutes and used once; the signature counter must grow (a cloned
 * authenticator, or a replayed assertion, is refused).
 */
import { randomUUID } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { WardenError } from '../core/errors.js';
import type { TotpFactors } from './factors.js';
import type { MfaRepository } from './store/types.js';

const CEREMONY_MS = 5 * 60_000;
const MAX_CEREMONIES = 10_000;

export interface RelyingParty {
  name: string;
  id: string;
  origin: string;
}

interface Ceremony {
  principal: string;
  challenge: string;
  kind: 'register' | 'authenticate';
  expiresAt: number;
}

export class Passkeys {
  private readonly ceremonies = new Map<string, Ceremony>();

  constructor(
    private readonly repo: MfaRepository,
    private readonly rp: RelyingParty,
    /** Shares the lock-out and the audit trail with TOTP: one guessing budget per principal. */
    private readonly totp: TotpFactors,
  ) {}

  async registrationOptions(principal: string): Promise<{ ceremonyId: string; options: PublicKeyCredentialCreationOptionsJSON }> {
    const existing = (await this.repo.listFactors(principal)).filter((f) => f.webauthn);
    const options = await generateRegistrationOptions({
      rpName: this.rp.name,
      rpID: this.rp.id,
      userName: principal,
      attestationType: 'none',
      excludeCredentials: existing.map((f) => ({ id: f.webauthn!.credentialId })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
    });
    return { ceremonyId: this.begin(principal, options.challenge, 'register'), options };
  }

  async register(principal: string, ceremonyId: string, response: RegistrationResponseJSON, label: string, actor: string): Promise<string> {
    const ceremony = this.take(ceremonyId, principal, 'register');
    let verification;
    try {
      verification = await verifyRegistrationResponse({ response, expectedChallenge: ceremony.challenge, expectedOrigin: this.rp.origin, expectedRPID: this.rp.id, requireUserVerification: true });
    } catch {
      throw new WardenError('mfa_verification_failed', 'the passkey registration could not be verified');
    }
    if (!verification.verified) throw new WardenError('mfa_verification_failed', 'the passkey registration could not be verified');
    const { credential } = verification.registrationInfo;
    const factorId = `f-${randomUUID()}`;
    const now = new Date().toISOString();
    await this.repo.addFactor({
      id: factorId,
      principal,
      kind: 'webauthn',
      label: label.slice(0, 100) || 'passkey',
      createdAt: now,
      confirmedAt: now,
      webauthn: { credentialId: credential.id, publicKey: Buffer.from(credential.publicKey), counter: credential.counter, transports: credential.transports ?? [] },
    });
    this.totp.audit('mfa.factor_enrolled', principal, actor, { factorId, kind: 'webauthn' });
    return factorId;
  }

  async authenticationOptions(principal: string): Promise<{ ceremonyId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
    await this.totp.assertNotLocked(principal);
    const factors = (await this.repo.listFactors(principal)).filter((f) => f.webauthn && f.confirmedAt !== null);
    if (factors.length === 0) throw new WardenError('not_found', 'no passkey is enrolled for this principal');
    const options = await generateAuthenticationOptions({
      rpID: this.rp.id,
      userVerification: 'required',
      allowCredentials: factors.map((f) => ({ id: f.webauthn!.credentialId, transports: f.webauthn!.transports })),
    });
    return { ceremonyId: this.begin(principal, options.challenge, 'authenticate'), options };
  }

  /** Verifies an assertion for the principal's own passkey: the RFC 8176 methods on success. */
  async authenticate(principal: string, ceremonyId: string, response: AuthenticationResponseJSON): Promise<string[]> {
    await this.totp.assertNotLocked(principal);
    const ceremony = this.take(ceremonyId, principal, 'authenticate');
    const factor = typeof response?.id === 'string' ? await this.repo.findWebauthnFactor(response.id) : undefined;
    if (!factor?.webauthn || factor.principal !== principal || factor.confirmedAt === null) return await this.totp.failed(principal, 'this passkey is not enrolled for this principal');
    let verification;
    try {
      verification = await verifyAuthenticationResponse({
        response,
        expectedChallenge: ceremony.challenge,
        expectedOrigin: this.rp.origin,
        expectedRPID: this.rp.id,
        requireUserVerification: true,
        credential: { id: factor.webauthn.credentialId, publicKey: new Uint8Array(factor.webauthn.publicKey), counter: factor.webauthn.counter, transports: factor.webauthn.transports as never },
      });
    } catch {
      return await this.totp.failed(principal, 'the passkey assertion could not be verified');
    }
    if (!verification.verified || !verification.authenticationInfo.userVerified) return await this.totp.failed(principal, 'the passkey assertion could not be verified');
    if (!(await this.repo.useWebauthnCounter(factor.id, verification.authenticationInfo.newCounter))) return await this.totp.failed(principal, 'the passkey assertion was replayed or the authenticator was cloned');
    // hwk: a hardware-held key; user verification (PIN or biometric) makes it multi-factor on its own.
    return ['hwk', 'mfa'];
  }

  private begin(principal: string, challenge: string, kind: Ceremony['kind']): string {
    const now = Date.now();
    if (this.ceremonies.size >= MAX_CEREMONIES) for (const [id, c] of this.ceremonies) if (c.expiresAt <= now) this.ceremonies.delete(id);
    if (this.ceremonies.size >= MAX_CEREMONIES) throw new WardenError('rate_limited', 'too many passkey ceremonies in progress');
    const id = randomUUID();
    this.ceremonies.set(id, { principal, challenge, kind, expiresAt: now + CEREMONY_MS });
    return id;
  }

  /** A ceremony is used once, by the principal it was started for, before it expires. */
  private take(id: string, principal: string, kind: Ceremony['kind']): Ceremony {
    const ceremony = this.ceremonies.get(id);
    this.ceremonies.delete(id);
    if (!ceremony || ceremony.principal !== principal || ceremony.kind !== kind || ceremony.expiresAt <= Date.now()) throw new WardenError('challenge_not_found', 'the passkey ceremony is unknown, used or expired: start again');
    return ceremony;
  }
}
