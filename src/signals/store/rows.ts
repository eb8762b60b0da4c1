/** Row shapes shared by the two backends and their conversion to records. */
import type { DeviceKeyRecord, DevicePostureRecord, OutboxRecord, OutboxStatus, PrincipalSignalState } from './types.js';

export interface PrincipalRow {
  principal: string;
  revoked_before: string | null;
  disabled_at: string | null;
  assurance: string | null;
  updated_at: string;
}

export interface DeviceKeyRow {
  device: string;
  jwk: string;
  owner: string | null;
  created_by: string;
  created_at: string;
}

export interface PostureRow {
  device: string;
  source: string;
  facts: string;
  observed_at: string;
  received_at: string;
}

export interface OutboxRow {
  id: string;
  receiver: string;
  event: string;
  set_jwt: string;
  status: string;
  attempts: number | string;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export function principalFromRow(r: PrincipalRow): PrincipalSignalState {
  return { principal: r.principal, revokedBefore: r.revoked_before, disabledAt: r.disabled_at, assurance: r.assurance === null ? null : (JSON.parse(r.assurance) as PrincipalSignalState['assurance']), updatedAt: r.updated_at };
}

export function deviceKeyFromRow(r: DeviceKeyRow): DeviceKeyRecord {
  return { device: r.device, jwk: r.jwk, owner: r.owner, createdBy: r.created_by, createdAt: r.created_at };
}

export function postureFromRow(r: PostureRow): DevicePostureRecord {
  return { device: r.device, source: r.source, facts: JSON.parse(r.facts) as DevicePostureRecord['facts'], observedAt: r.observed_at, receivedAt: r.received_at };
}

export function outboxFromRow(r: OutboxRow): OutboxRecord {
  return { id: r.id, receiver: r.receiver, event: r.event, set: r.set_jwt, status: r.status as OutboxStatus, attempts: Number(r.attempts), nextAttemptAt: r.next_attempt_at, lastError: r.last_error, createdAt: r.created_at, updatedAt: r.updated_at };
}

export function outboxValues(o: OutboxRecord): unknown[] {
  return [o.id, o.receiver, o.event, o.set, o.status, o.attempts, o.nextAttemptAt, o.lastError, o.createdAt, o.updatedAt];
}

/** The SQL both backends share, with `?` placeholders; PostgreSQL numbers them. */
export const SQL = {
  useJti: 'INSERT INTO ssf_jtis (issuer, jti, expires_at) VALUES (?, ?, ?) ON CONFLICT (issuer, jti) DO NOTHING',
  pruneJtis: 'DELETE FROM ssf_jtis WHERE expires_at < ?',
  releaseJti: 'DELETE FROM ssf_jtis WHERE issuer = ? AND jti = ?',
  revokeSessions: `INSERT INTO ssf_principals (principal, revoked_before, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (principal) DO UPDATE SET
      revoked_before = CASE WHEN ssf_principals.revoked_before IS NULL OR ssf_principals.revoked_before < excluded.revoked_before THEN excluded.revoked_before ELSE ssf_principals.revoked_before END,
      updated_at = excluded.updated_at`,
  setDisabled: `INSERT INTO ssf_principals (principal, disabled_at, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (principal) DO UPDATE SET disabled_at = excluded.disabled_at, updated_at = excluded.updated_at`,
  setAssurance: `INSERT INTO ssf_principals (principal, assurance, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (principal) DO UPDATE SET assurance = excluded.assurance, updated_at = excluded.updated_at`,
  listPrincipals: 'SELECT * FROM ssf_principals ORDER BY principal',
  putDeviceKey: `INSERT INTO ssf_device_keys (device, jwk, owner, created_by, created_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (device) DO UPDATE SET jwk = excluded.jwk, owner = excluded.owner, created_by = excluded.created_by, created_at = excluded.created_at`,
  getDeviceKey: 'SELECT * FROM ssf_device_keys WHERE device = ?',
  listDeviceKeys: 'SELECT * FROM ssf_device_keys ORDER BY device',
  deleteDeviceKey: 'DELETE FROM ssf_device_keys WHERE device = ?',
  savePosture: `INSERT INTO ssf_device_posture (device, source, facts, observed_at, received_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (device, source) DO UPDATE SET facts = excluded.facts, observed_at = excluded.observed_at, received_at = excluded.received_at
    WHERE ssf_device_posture.observed_at < excluded.observed_at`,
  listPosture: 'SELECT * FROM ssf_device_posture ORDER BY device, source',
  enqueue: 'INSERT INTO ssf_outbox (id, receiver, event, set_jwt, status, attempts, next_attempt_at, last_error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  dueOutbox: "SELECT * FROM ssf_outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at LIMIT ?",
  updateOutbox: 'UPDATE ssf_outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ?',
} as const;

/** `?` → `$1, $2, …` for PostgreSQL. */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
