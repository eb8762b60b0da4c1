/** The step-up repository on the embedded SQLite store (synchronous driver behind the async interface). */
import { applyMigrations, type SqliteDatabase } from '../../store/index.js';
import { MFA_MODULE, SQLITE_MIGRATIONS } from './migrations.js';
import { ceremonyFromRow, ceremonyValues, challengeFromRow, elevationFromRow, factorFromRow, factorValues, type CeremonyRow, type ChallengeRow, type ElevationRow, type FactorRow } from './rows.js';
import type { CeremonyKind, CeremonyRecord, ChallengeRecord, ElevationRecord, EnrolLinkRecord, FactorRecord, MfaRepository } from './types.js';

export class SqliteMfaRepository implements MfaRepository {
  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, MFA_MODULE, SQLITE_MIGRATIONS);
  }

  async addFactor(f: FactorRecord): Promise<void> {
    this.db.prepare('INSERT INTO mfa_factors VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)').run(...factorValues(f));
  }

  async getFactor(id: string): Promise<FactorRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM mfa_factors WHERE id = ?').get(id) as FactorRow | undefined;
    return row && factorFromRow(row);
  }

  async listFactors(principal: string): Promise<FactorRecord[]> {
    return (this.db.prepare('SELECT * FROM mfa_factors WHERE principal = ? ORDER BY created_at, id').all(principal) as FactorRow[]).map(factorFromRow);
  }

  async findWebauthnFactor(credentialId: string): Promise<FactorRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM mfa_factors WHERE credential_id = ?').get(credentialId) as FactorRow | undefined;
    return row && factorFromRow(row);
  }

  async confirmFactor(id: string, at: string): Promise<boolean> {
    return this.db.prepare('UPDATE mfa_factors SET confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL').run(at, id).changes === 1;
  }

  async deleteFactor(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM mfa_factors WHERE id = ?').run(id).changes === 1;
  }

  async useTotpStep(id: string, step: number): Promise<boolean> {
    return this.db.prepare("UPDATE mfa_factors SET last_step = ? WHERE id = ? AND kind = 'totp' AND (last_step IS NULL OR last_step < ?)").run(step, id, step).changes === 1;
  }

  async useWebauthnCounter(id: string, counter: number): Promise<boolean> {
    return this.db.prepare("UPDATE mfa_factors SET counter = ? WHERE id = ? AND kind = 'webauthn' AND (counter < ? OR (counter = 0 AND ? = 0))").run(counter, id, counter, counter).changes === 1;
  }

  async setRecoveryCodes(principal: string, hashes: string[], at: string): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM mfa_recovery_codes WHERE principal = ?').run(principal);
      const insert = this.db.prepare('INSERT INTO mfa_recovery_codes (principal, hash, created_at) VALUES (?,?,?)');
      for (const hash of hashes) insert.run(principal, hash, at);
    })();
  }

  async useRecoveryCode(principal: string, hash: string, at: string): Promise<boolean> {
    return this.db.prepare('UPDATE mfa_recovery_codes SET used_at = ? WHERE principal = ? AND hash = ? AND used_at IS NULL').run(at, principal, hash).changes === 1;
  }

  async countRecoveryCodes(principal: string): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM mfa_recovery_codes WHERE principal = ? AND used_at IS NULL').get(principal) as { n: number }).n;
  }

  async addEnrolLink(l: EnrolLinkRecord): Promise<void> {
    this.db.prepare('INSERT INTO mfa_enrol_links VALUES (?,?,?,?,?,?)').run(l.hash, l.principal, l.createdBy, l.createdAt, l.expiresAt, l.usedAt);
  }

  async useEnrolLink(hash: string, at: string): Promise<string | undefined> {
    const row = this.db.prepare('UPDATE mfa_enrol_links SET used_at = ? WHERE hash = ? AND used_at IS NULL AND expires_at > ? RETURNING principal').get(at, hash, at) as { principal: string } | undefined;
    return row?.principal;
  }

  async addChallenge(c: ChallengeRecord): Promise<void> {
    this.db
      .prepare('INSERT INTO mfa_challenges VALUES (?,?,?,?,?,?,?,?,?,?)')
      .run(c.id, c.principal, c.principalKind, c.apiKeyId, c.createdAt, c.expiresAt, c.completedAt, JSON.stringify(c.amr), c.redeemedAt, c.secretHash);
  }

  async getChallenge(id: string): Promise<ChallengeRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM mfa_challenges WHERE id = ?').get(id) as ChallengeRow | undefined;
    return row && challengeFromRow(row);
  }

  async completeChallenge(id: string, amr: string[], at: string): Promise<boolean> {
    return this.db.prepare('UPDATE mfa_challenges SET completed_at = ?, amr = ? WHERE id = ? AND completed_at IS NULL AND expires_at > ?').run(at, JSON.stringify(amr), id, at).changes === 1;
  }

  async redeemChallenge(id: string, at: string): Promise<boolean> {
    return this.db.prepare('UPDATE mfa_challenges SET redeemed_at = ? WHERE id = ? AND completed_at IS NOT NULL AND redeemed_at IS NULL').run(at, id).changes === 1;
  }

  async addCeremony(c: CeremonyRecord, maxPerPrincipal: number): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM mfa_webauthn_ceremonies WHERE expires_at <= ?').run(c.createdAt);
      this.db.prepare('INSERT INTO mfa_webauthn_ceremonies VALUES (?,?,?,?,?,?)').run(...ceremonyValues(c));
      // The new one always stays (another may share its millisecond), with the newest of the others.
      this.db
        .prepare('DELETE FROM mfa_webauthn_ceremonies WHERE principal = ? AND id <> ? AND id NOT IN (SELECT id FROM mfa_webauthn_ceremonies WHERE principal = ? AND id <> ? ORDER BY created_at DESC, id DESC LIMIT ?)')
        .run(c.principal, c.id, c.principal, c.id, Math.max(0, maxPerPrincipal - 1));
    })();
  }

  async takeCeremony(id: string, principal: string, kind: CeremonyKind, at: string): Promise<CeremonyRecord | undefined> {
    // One statement is one SQLite transaction: a second take (from any process on the file) finds nothing.
    const row = this.db.prepare('DELETE FROM mfa_webauthn_ceremonies WHERE id = ? AND principal = ? AND kind = ? RETURNING *').get(id, principal, kind) as CeremonyRow | undefined;
    return row && row.expires_at > at ? ceremonyFromRow(row) : undefined;
  }

  async addElevation(e: ElevationRecord): Promise<void> {
    this.db.prepare('INSERT INTO mfa_elevations VALUES (?,?,?,?,?)').run(e.apiKeyId, e.principal, JSON.stringify(e.amr), e.authTime, e.expiresAt);
  }

  async activeElevations(at: string): Promise<ElevationRecord[]> {
    return (this.db.prepare('SELECT * FROM mfa_elevations WHERE expires_at > ? ORDER BY expires_at').all(at) as ElevationRow[]).map(elevationFromRow);
  }
}
