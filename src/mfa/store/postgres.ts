/** The step-up repository on PostgreSQL (clustered deployments): the same SQL as SQLite, `$n` parameters. */
import { applyPgMigrations, withTransaction, type PgPool } from '../../store/index.js';
import { MFA_MODULE, PG_MIGRATIONS } from './migrations.js';
import { ceremonyFromRow, ceremonyValues, challengeFromRow, elevationFromRow, factorFromRow, factorValues, type CeremonyRow, type ChallengeRow, type ElevationRow, type FactorRow } from './rows.js';
import type { CeremonyKind, CeremonyRecord, ChallengeRecord, ElevationRecord, EnrolLinkRecord, FactorRecord, MfaRepository } from './types.js';

export class PostgresMfaRepository implements MfaRepository {
  private constructor(private readonly pool: PgPool) {}

  static async open(pool: PgPool): Promise<PostgresMfaRepository> {
    await applyPgMigrations(pool, MFA_MODULE, PG_MIGRATIONS);
    return new PostgresMfaRepository(pool);
  }

  private async changed(sql: string, values: unknown[]): Promise<boolean> {
    return (await this.pool.query(sql, values)).rowCount === 1;
  }

  async addFactor(f: FactorRecord): Promise<void> {
    await this.pool.query('INSERT INTO mfa_factors VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)', factorValues(f));
  }

  async getFactor(id: string): Promise<FactorRecord | undefined> {
    const { rows } = await this.pool.query<FactorRow>('SELECT * FROM mfa_factors WHERE id = $1', [id]);
    return rows[0] && factorFromRow(rows[0]);
  }

  async listFactors(principal: string): Promise<FactorRecord[]> {
    const { rows } = await this.pool.query<FactorRow>('SELECT * FROM mfa_factors WHERE principal = $1 ORDER BY created_at, id', [principal]);
    return rows.map(factorFromRow);
  }

  async findWebauthnFactor(credentialId: string): Promise<FactorRecord | undefined> {
    const { rows } = await this.pool.query<FactorRow>('SELECT * FROM mfa_factors WHERE credential_id = $1', [credentialId]);
    return rows[0] && factorFromRow(rows[0]);
  }

  confirmFactor(id: string, at: string): Promise<boolean> {
    return this.changed('UPDATE mfa_factors SET confirmed_at = $1 WHERE id = $2 AND confirmed_at IS NULL', [at, id]);
  }

  deleteFactor(id: string): Promise<boolean> {
    return this.changed('DELETE FROM mfa_factors WHERE id = $1', [id]);
  }

  useTotpStep(id: string, step: number): Promise<boolean> {
    return this.changed("UPDATE mfa_factors SET last_step = $1 WHERE id = $2 AND kind = 'totp' AND (last_step IS NULL OR last_step < $1)", [step, id]);
  }

  useWebauthnCounter(id: string, counter: number): Promise<boolean> {
    return this.changed("UPDATE mfa_factors SET counter = $1 WHERE id = $2 AND kind = 'webauthn' AND (counter < $1 OR (counter = 0 AND $1 = 0))", [counter, id]);
  }

  async setRecoveryCodes(principal: string, hashes: string[], at: string): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await client.query('DELETE FROM mfa_recovery_codes WHERE principal = $1', [principal]);
      for (const hash of hashes) await client.query('INSERT INTO mfa_recovery_codes (principal, hash, created_at) VALUES ($1,$2,$3)', [principal, hash, at]);
    });
  }

  useRecoveryCode(principal: string, hash: string, at: string): Promise<boolean> {
    return this.changed('UPDATE mfa_recovery_codes SET used_at = $1 WHERE principal = $2 AND hash = $3 AND used_at IS NULL', [at, principal, hash]);
  }

  async countRecoveryCodes(principal: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM mfa_recovery_codes WHERE principal = $1 AND used_at IS NULL', [principal]);
    return Number(rows[0]!.n);
  }

  async addEnrolLink(l: EnrolLinkRecord): Promise<void> {
    await this.pool.query('INSERT INTO mfa_enrol_links VALUES ($1,$2,$3,$4,$5,$6)', [l.hash, l.principal, l.createdBy, l.createdAt, l.expiresAt, l.usedAt]);
  }

  async useEnrolLink(hash: string, at: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ principal: string }>('UPDATE mfa_enrol_links SET used_at = $1 WHERE hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING principal', [at, hash]);
    return rows[0]?.principal;
  }

  async addChallenge(c: ChallengeRecord): Promise<void> {
    await this.pool.query('INSERT INTO mfa_challenges VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)', [c.id, c.principal, c.principalKind, c.apiKeyId, c.createdAt, c.expiresAt, c.completedAt, JSON.stringify(c.amr), c.redeemedAt, c.secretHash]);
  }

  async getChallenge(id: string): Promise<ChallengeRecord | undefined> {
    const { rows } = await this.pool.query<ChallengeRow>('SELECT * FROM mfa_challenges WHERE id = $1', [id]);
    return rows[0] && challengeFromRow(rows[0]);
  }

  completeChallenge(id: string, amr: string[], at: string): Promise<boolean> {
    return this.changed('UPDATE mfa_challenges SET completed_at = $1, amr = $2 WHERE id = $3 AND completed_at IS NULL AND expires_at > $1', [at, JSON.stringify(amr), id]);
  }

  redeemChallenge(id: string, at: string): Promise<boolean> {
    return this.changed('UPDATE mfa_challenges SET redeemed_at = $1 WHERE id = $2 AND completed_at IS NOT NULL AND redeemed_at IS NULL', [at, id]);
  }

  async addCeremony(c: CeremonyRecord, maxPerPrincipal: number): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      // Per principal, serialised across instances: two concurrent starts cannot both see room under the bound.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`mfa_webauthn_ceremonies\n${c.principal}`]);
      await client.query('DELETE FROM mfa_webauthn_ceremonies WHERE expires_at <= $1', [c.createdAt]);
      await client.query('INSERT INTO mfa_webauthn_ceremonies VALUES ($1,$2,$3,$4,$5,$6)', ceremonyValues(c));
      // The new one always stays (another may share its millisecond), with the newest of the others.
      await client.query(
        'DELETE FROM mfa_webauthn_ceremonies WHERE principal = $1 AND id <> $2 AND id NOT IN (SELECT id FROM mfa_webauthn_ceremonies WHERE principal = $1 AND id <> $2 ORDER BY created_at DESC, id DESC LIMIT $3)',
        [c.principal, c.id, Math.max(0, maxPerPrincipal - 1)],
      );
    });
  }

  async takeCeremony(id: string, principal: string, kind: CeremonyKind, at: string): Promise<CeremonyRecord | undefined> {
    // One DELETE: of two concurrent takes the second waits for the first's row lock, then finds nothing.
    const { rows } = await this.pool.query<CeremonyRow>('DELETE FROM mfa_webauthn_ceremonies WHERE id = $1 AND principal = $2 AND kind = $3 RETURNING *', [id, principal, kind]);
    return rows[0] && rows[0].expires_at > at ? ceremonyFromRow(rows[0]) : undefined;
  }

  async addElevation(e: ElevationRecord): Promise<void> {
    await this.pool.query('INSERT INTO mfa_elevations VALUES ($1,$2,$3,$4,$5)', [e.apiKeyId, e.principal, JSON.stringify(e.amr), e.authTime, e.expiresAt]);
  }

  async activeElevations(at: string): Promise<ElevationRecord[]> {
    const { rows } = await this.pool.query<ElevationRow>('SELECT * FROM mfa_elevations WHERE expires_at > $1 ORDER BY expires_at', [at]);
    return rows.map(elevationFromRow);
  }
}
