/** The Shared Signals repository on PostgreSQL (clustered deployments): the same SQL as SQLite, `$n` parameters. */
import { applyPgMigrations, type PgPool } from '../../store/index.js';
import { PG_MIGRATIONS, SIGNALS_MODULE } from './migrations.js';
import { deviceKeyFromRow, numbered, outboxFromRow, outboxValues, postureFromRow, principalFromRow, SQL, type DeviceKeyRow, type OutboxRow, type PostureRow, type PrincipalRow } from './rows.js';
import type { DeviceKeyRecord, DevicePostureRecord, OutboxRecord, OutboxStatus, PrincipalSignalState, SignalsRepository } from './types.js';

const PG = Object.fromEntries(Object.entries(SQL).map(([k, v]) => [k, numbered(v)])) as Record<keyof typeof SQL, string>;

export class PostgresSignalsRepository implements SignalsRepository {
  private constructor(private readonly pool: PgPool) {}

  static async open(pool: PgPool): Promise<PostgresSignalsRepository> {
    await applyPgMigrations(pool, SIGNALS_MODULE, PG_MIGRATIONS);
    return new PostgresSignalsRepository(pool);
  }

  async useJti(issuer: string, jti: string, expiresAt: string): Promise<boolean> {
    return (await this.pool.query(PG.useJti, [issuer, jti, expiresAt])).rowCount === 1;
  }

  async releaseJti(issuer: string, jti: string): Promise<void> {
    await this.pool.query(PG.releaseJti, [issuer, jti]);
  }

  async pruneJtis(now: string): Promise<number> {
    return (await this.pool.query(PG.pruneJtis, [now])).rowCount ?? 0;
  }

  async revokeSessions(principal: string, before: string, at: string): Promise<void> {
    await this.pool.query(PG.revokeSessions, [principal, before, at]);
  }

  async setDisabled(principal: string, disabledAt: string | null, at: string): Promise<void> {
    await this.pool.query(PG.setDisabled, [principal, disabledAt, at]);
  }

  async setAssurance(principal: string, assurance: PrincipalSignalState['assurance'], at: string): Promise<void> {
    await this.pool.query(PG.setAssurance, [principal, assurance === null ? null : JSON.stringify(assurance), at]);
  }

  async listPrincipalStates(): Promise<PrincipalSignalState[]> {
    return (await this.pool.query<PrincipalRow>(PG.listPrincipals)).rows.map(principalFromRow);
  }

  async putDeviceKey(r: DeviceKeyRecord): Promise<void> {
    await this.pool.query(PG.putDeviceKey, [r.device, r.jwk, r.owner, r.createdBy, r.createdAt]);
  }

  async getDeviceKey(device: string): Promise<DeviceKeyRecord | undefined> {
    const row = (await this.pool.query<DeviceKeyRow>(PG.getDeviceKey, [device])).rows[0];
    return row && deviceKeyFromRow(row);
  }

  async listDeviceKeys(): Promise<DeviceKeyRecord[]> {
    return (await this.pool.query<DeviceKeyRow>(PG.listDeviceKeys)).rows.map(deviceKeyFromRow);
  }

  async deleteDeviceKey(device: string): Promise<boolean> {
    return (await this.pool.query(PG.deleteDeviceKey, [device])).rowCount === 1;
  }

  async savePosture(r: DevicePostureRecord): Promise<boolean> {
    return (await this.pool.query(PG.savePosture, [r.device, r.source, JSON.stringify(r.facts), r.observedAt, r.receivedAt])).rowCount === 1;
  }

  async listPosture(): Promise<DevicePostureRecord[]> {
    return (await this.pool.query<PostureRow>(PG.listPosture)).rows.map(postureFromRow);
  }

  async enqueue(r: OutboxRecord): Promise<void> {
    await this.pool.query(PG.enqueue, outboxValues(r));
  }

  async dueOutbox(now: string, limit: number): Promise<OutboxRecord[]> {
    return (await this.pool.query<OutboxRow>(PG.dueOutbox, [now, limit])).rows.map(outboxFromRow);
  }

  async updateOutbox(r: OutboxRecord): Promise<void> {
    await this.pool.query(PG.updateOutbox, [r.status, r.attempts, r.nextAttemptAt, r.lastError, r.updatedAt, r.id]);
  }

  async listOutbox(filter: { status?: OutboxStatus; limit?: number }): Promise<OutboxRecord[]> {
    const args: unknown[] = filter.status ? [filter.status] : [];
    const where = filter.status ? 'WHERE status = $1' : '';
    const { rows } = await this.pool.query<OutboxRow>(`SELECT * FROM ssf_outbox ${where} ORDER BY created_at, id LIMIT $${args.length + 1}`, [...args, filter.limit ?? 100]);
    return rows.map(outboxFromRow);
  }
}
