/**
 * Passkeys (WebAuthn) with user verification required, through @simplewebauthn/server. A ceremony's
 * challenge is kept in the MFA repository (shared by a cluster's instances, so the options and the
 * response may reach different ones) for a few minutes and used once; the signature counter must grow
 * (a cloned authenticator, or a replayed assertion, is refused).
 */
import { randomBytes, randomUUID } from 'node:crypto';
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
import { WardenError } from '../core/index.js';
import type { TotpFactors } from './factors.js';
import type { CeremonyKind, CeremonyRecord, MfaRepository } from './store/types.js';

const CEREMONY_MS = 5 * 60_000;
/** Pending ceremonies per principal (a few tabs); starting one more drops the oldest. */
const MAX_CEREMONIES_PER_PRINCIPAL = 5;

export interface RelyingParty {
  name: string;
  id: string;
  origin: string;
}

export class Passkeys {
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
    return { ceremonyId: await this.begin(principal, options.challenge, 'registration'), options };
  }

  async register(principal: string, ceremonyId: string, response: RegistrationResponseJSON, label: string, actor: string): Promise<string> {
    const ceremony = await this.take(ceremonyId, principal, 'registration');
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
    return { ceremonyId: await this.begin(principal, options.challenge, 'authentication'), options };
  }

  /** Verifies an assertion for the principal's own passkey: the RFC 8176 methods on success. */
  async authenticate(principal: string, ceremonyId: string, response: AuthenticationResponseJSON): Promise<string[]> {
    await this.totp.assertNotLocked(principal);
    const ceremony = await this.take(ceremonyId, principal, 'authentication');
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

  private async begin(principal: string, challenge: string, kind: CeremonyKind): Promise<string> {
    const now = Date.now();
    const id = randomBytes(24).toString('base64url');
    await this.repo.addCeremony({ id, principal, kind, challenge, createdAt: new Date(now).toISOString(), expiresAt: new Date(now + CEREMONY_MS).toISOString() }, MAX_CEREMONIES_PER_PRINCIPAL);
    return id;
  }

  /**
   * A ceremony is used once, by the principal it was started for (whom the caller knows from the browser
   * session or the step-up challenge's secret, never from the request body), before it expires.
   */
  private async take(id: string, principal: string, kind: CeremonyKind): Promise<CeremonyRecord> {
    const ceremony = await this.repo.takeCeremony(id, principal, kind, new Date().toISOString());
    if (!ceremony) throw new WardenError('challenge_not_found', 'the passkey ceremony is unknown, used or expired: start again');
    return ceremony;
  }
}
