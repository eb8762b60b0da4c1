/**
 * TOTP factors and recovery codes: enrol (unconfirmed until a first code proves the app has the seed),
 * verify (guessing-limited, each time step accepted once), recovery codes (each accepted once). Seeds are
 * sealed under the KEK; codes are stored as hashes. Every enrolment and every lock-out is an event.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { WardenError } from '../core/index.js';
import type { EventBus } from '../events/index.js';
import type { Lockout } from './lockout.js';
import type { SecretBox } from './secret-box.js';
import type { FactorRecord, MfaRepository } from './store/types.js';
import { base32Encode, matchTotp, newTotpSecret, otpauthUri } from './totp.js';

export interface TotpEnrolment {
  factorId: string;
  /** Base32 seed, for manual entry; shown once. */
  secret: string;
  uri: string;
}

export interface FactorContext {
  repo: MfaRepository;
  box: SecretBox;
  lockout: Lockout;
  bus: EventBus;
  instanceId: string;
  issuer: string;
}

const RECOVERY_CODES = 10;

export class TotpFactors {
  constructor(private readonly ctx: FactorContext) {}

  async enrol(principal: string, label: string, actor: string): Promise<TotpEnrolment> {
    const factorId = `f-${randomUUID()}`;
    const seed = newTotpSecret();
    const record: FactorRecord = { id: factorId, principal, kind: 'totp', label: label.slice(0, 100) || 'authenticator app', createdAt: new Date().toISOString(), confirmedAt: null, secret: this.ctx.box.seal(factorId, seed), lastStep: null };
    await this.ctx.repo.addFactor(record);
    this.audit('mfa.totp_enrolment_started', principal, actor, { factorId });
    return { factorId, secret: base32Encode(seed), uri: otpauthUri(seed, this.ctx.issuer, principal) };
  }

  /** Confirms an enrolment with a first code; returns fresh recovery codes when it is the principal's first factor. */
  async confirm(principal: string, factorId: string, code: string, actor: string): Promise<{ recoveryCodes: string[] }> {
    const factor = await this.ctx.repo.getFactor(factorId);
    if (!factor || factor.principal !== principal || factor.kind !== 'totp' || factor.confirmedAt !== null) throw new WardenError('not_found', 'no such unconfirmed TOTP factor');
    await this.checkCode(principal, factor, code);
    await this.ctx.repo.confirmFactor(factorId, new Date().toISOString());
    this.audit('mfa.factor_enrolled', principal, actor, { factorId, kind: 'totp' });
    const recoveryCodes = (await this.ctx.repo.countRecoveryCodes(principal)) === 0 ? await this.newRecoveryCodes(principal, actor) : [];
    return { recoveryCodes };
  }

  /** Verifies a code against the principal's confirmed TOTP factors: the RFC 8176 method on success. */
  async verify(principal: string, code: string): Promise<string[]> {
    await this.assertNotLocked(principal);
    const factors = (await this.ctx.repo.listFactors(principal)).filter((f) => f.kind === 'totp' && f.confirmedAt !== null);
    for (const factor of factors) {
      const step = matchTotp(this.openSeed(factor), code, Date.now());
      if (step === undefined) continue;
      if (!(await this.ctx.repo.useTotpStep(factor.id, step))) return await this.failed(principal, 'this code was already used: wait for the next one');
      await this.ctx.lockout.succeed(principal);
      return ['otp'];
    }
    return await this.failed(principal);
  }

  /** A recovery code stands in for a lost device: accepted once. */
  async verifyRecoveryCode(principal: string, code: string): Promise<string[]> {
    await this.assertNotLocked(principal);
    if (await this.ctx.repo.useRecoveryCode(principal, hashRecoveryCode(code), new Date().toISOString())) {
      await this.ctx.lockout.succeed(principal);
      this.audit('mfa.recovery_code_used', principal, principal, { remaining: await this.ctx.repo.countRecoveryCodes(principal) });
      return ['otp'];
    }
    return await this.failed(principal);
  }

  async newRecoveryCodes(principal: string, actor: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODES }, () => {
      const raw = base32Encode(randomBytes(7)).slice(0, 10);
      return `${raw.slice(0, 5)}-${raw.slice(5)}`;
    });
    await this.ctx.repo.setRecoveryCodes(principal, codes.map(hashRecoveryCode), new Date().toISOString());
    this.audit('mfa.recovery_codes_issued', principal, actor, { count: codes.length });
    return codes;
  }

  private async checkCode(principal: string, factor: FactorRecord, code: string): Promise<void> {
    await this.assertNotLocked(principal);
    const step = matchTotp(this.openSeed(factor), code, Date.now());
    if (step === undefined || !(await this.ctx.repo.useTotpStep(factor.id, step))) await this.failed(principal);
    await this.ctx.lockout.succeed(principal);
  }

  private openSeed(factor: FactorRecord): Buffer {
    if (!factor.secret) throw new WardenError('internal', 'a TOTP factor has no secret');
    return this.ctx.box.open(factor.id, factor.secret);
  }

  /** Refuses while locked; with the lock-out in Redis, an unreachable Redis refuses too (503, no unlimited guesses). */
  async assertNotLocked(principal: string): Promise<void> {
    const ms = await this.ctx.lockout.lockedFor(principal);
    if (ms > 0) throw new WardenError('mfa_locked', undefined, { details: { retryAfterSeconds: Math.ceil(ms / 1000) } });
  }

  /** Records a failed verification (and the lock-out it may start, as a detection) and throws. */
  async failed(principal: string, message?: string): Promise<never> {
    // True for one failure per lock, cluster-wide with Redis: the detection is raised once.
    if (await this.ctx.lockout.fail(principal)) {
      this.ctx.bus.publish({
        type: 'detection',
        source: this.ctx.instanceId,
        detector: 'mfa.guessing',
        category: 'credential_access',
        entity: { type: 'Warden::User', id: principal },
        score: 1,
        severity: 'high',
        explanation: 'repeated failed factor verifications: the principal is locked out for a while (someone may be guessing codes)',
      });
    }
    throw new WardenError('mfa_verification_failed', message);
  }

  audit(operation: string, principal: string, actor: string, details: Record<string, unknown>): void {
    this.ctx.bus.publish({ type: 'admin', source: this.ctx.instanceId, actor: { type: 'Warden::User', id: actor }, operation, target: principal, outcome: 'success', details });
  }
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update('warden-recovery\n').update(code.trim().toUpperCase().replace(/[^A-Z2-7]/g, '')).digest('hex');
}
