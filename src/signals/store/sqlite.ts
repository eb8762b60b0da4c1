/** The Shared Signals repository on the embedded SQLite store (synchronous driver behind the async interface). */
import { applyMigrations, type SqliteDatabase } from '../../store/index.js';
import { SIGNALS_MODULE, SQLITE_MIGRATIONS } from './migrations.js';
import { deviceKeyFromRow, outboxFromRow, outboxValues, postureFromRow, principalFromRow, SQL, type DeviceKeyRow, type OutboxRow, type PostureRow, type PrincipalRow } from './rows.js';
import type { DeviceKeyRecord, DevicePostureRecord, OutboxRecord, OutboxStatus, PrincipalSignalState, SignalsRepository } from './types.js';

export class SqliteSignalsRepository implements SignalsRepository {
  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, SIGNALS_MODULE, SQLITE_MIGRATIONS);
  }

  async useJti(issuer: string, jti: string, expiresAt: string): Promise<boolean> {
    return this.db.prepare(SQL.useJti).run(issuer, jti, expiresAt).changes === 1;
  }

  async releaseJti(issuer: string, jti: string): Promise<void> {
    this.db.prepare(SQL.releaseJti).run(issuer, jti);
  }

  async pruneJtis(now: string): Promise<number> {
    return this.db.prepare(SQL.pruneJtis).run(now).changes;
  }

  async revokeSessions(principal: string, before: string, at: string): Promise<void> {
    this.db.prepare(SQL.revokeSessions).run(principal, before, at);
  }

  async setDisabled(principal: string, disabledAt: string | null, at: string): Promise<void> {
    this.db.prepare(SQL.setDisabled).run(principal, disabledAt, at);
  }

  async setAssurance(principal: string, assurance: PrincipalSignalState['assurance'], at: string): Promise<void> {
    this.db.prepare(SQL.setAssurance).run(principal, assurance === null ? null : JSON.stringify(assurance), at);
  }

  async listPrincipalStates(): Promise<PrincipalSignalState[]> {
    return (this.db.prepare(SQL.listPrincipals).all() as PrincipalRow[]).map(principalFromRow);
  }

  async putDeviceKey(r: DeviceKeyRecord): Promise<void> {
    this.db.prepare(SQL.putDeviceKey).run(r.device, r.jwk, r.owner, r.createdBy, r.createdAt);
  }

  async getDeviceKey(device: string): Promise<DeviceKeyRecord | undefined> {
    const row = this.db.prepare(SQL.getDeviceKey).get(device) as DeviceKeyRow | undefined;
    return row && deviceKeyFromRow(row);
  }

  async listDeviceKeys(): Promise<DeviceKeyRecord[]> {
    return (this.db.prepare(SQL.listDeviceKeys).all() as DeviceKeyRow[]).map(deviceKeyFromRow);
  }

  async deleteDeviceKey(device: string): Promise<boolean> {
    return this.db.prepare(SQL.deleteDeviceKey).run(device).changes === 1;
  }

  async savePosture(r: DevicePostureRecord): Promise<boolean> {
    return this.db.prepare(SQL.savePosture).run(r.device, r.source, JSON.stringify(r.facts), r.observedAt, r.receivedAt).changes === 1;
  }

  async listPosture(): Promise<DevicePostureRecord[]> {
    return (this.db.prepare(SQL.listPosture).all() as PostureRow[]).map(postureFromRow);
  }

  async enqueue(r: OutboxRecord): Promise<void> {
    this.db.prepare(SQL.enqueue).run(...outboxValues(r));
  }

  async dueOutbox(now: string, limit: number): Promise<OutboxRecord[]> {
    return (this.db.prepare(SQL.dueOutbox).all(now, limit) as OutboxRow[]).map(outboxFromRow);
  }

  async updateOutbox(r: OutboxRecord): Promise<void> {
    this.db.prepare(SQL.updateOutbox).run(r.status, r.attempts, r.nextAttemptAt, r.lastError, r.updatedAt, r.id);
  }

  async listOutbox(filter: { status?: OutboxStatus; limit?: number }): Promise<OutboxRecord[]> {
    const where = filter.status ? 'WHERE status = ?' : '';
    const args: unknown[] = filter.status ? [filter.status] : [];
    return (this.db.prepare(`SELECT * FROM ssf_outbox ${where} ORDER BY created_at, id LIMIT ?`).all(...args, filter.limit ?? 100) as OutboxRow[]).map(outboxFromRow);
  }
}
