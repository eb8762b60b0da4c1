/** Row shapes shared by both backends and their mapping to records (column names are the same in both). */
import type { CeremonyKind, CeremonyRecord, ChallengeRecord, ElevationRecord, FactorKind, FactorRecord } from './types.js';

export interface FactorRow {
  id: string;
  principal: string;
  kind: string;
  label: string;
  created_at: string;
  confirmed_at: string | null;
  kek_id: string | null;
  sealed: Buffer | null;
  last_step: number | string | null;
  credential_id: string | null;
  public_key: Buffer | null;
  counter: number | string | null;
  transports: string | null;
}

export function factorFromRow(row: FactorRow): FactorRecord {
  const record: FactorRecord = { id: row.id, principal: row.principal, kind: row.kind as FactorKind, label: row.label, createdAt: row.created_at, confirmedAt: row.confirmed_at };
  if (row.kek_id !== null && row.sealed !== null) {
    record.secret = { kekId: row.kek_id, sealed: Buffer.from(row.sealed) };
    record.lastStep = row.last_step === null ? null : Number(row.last_step);
  }
  if (row.credential_id !== null && row.public_key !== null) {
    record.webauthn = { credentialId: row.credential_id, publicKey: Buffer.from(row.public_key), counter: Number(row.counter ?? 0), transports: JSON.parse(row.transports ?? '[]') as string[] };
  }
  return record;
}

/** The values of an INSERT INTO mfa_factors, in column order. */
export function factorValues(f: FactorRecord): unknown[] {
  return [
    f.id,
    f.principal,
    f.kind,
    f.label,
    f.createdAt,
    f.confirmedAt,
    f.secret?.kekId ?? null,
    f.secret?.sealed ?? null,
    f.lastStep ?? null,
    f.webauthn?.credentialId ?? null,
    f.webauthn?.publicKey ?? null,
    f.webauthn?.counter ?? null,
    f.webauthn ? JSON.stringify(f.webauthn.transports) : null,
  ];
}

export interface ChallengeRow {
  id: string;
  principal: string;
  principal_kind: string;
  api_key_id: string | null;
  created_at: string;
  expires_at: string;
  completed_at: string | null;
  amr: string;
  redeemed_at: string | null;
  secret_hash: string | null;
}

export function challengeFromRow(row: ChallengeRow): ChallengeRecord {
  return {
    id: row.id,
    principal: row.principal,
    principalKind: row.principal_kind,
    apiKeyId: row.api_key_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    completedAt: row.completed_at,
    amr: JSON.parse(row.amr) as string[],
    redeemedAt: row.redeemed_at,
    secretHash: row.secret_hash ?? null,
  };
}

export interface ElevationRow {
  api_key_id: string;
  principal: string;
  amr: string;
  auth_time: string;
  expires_at: string;
}

export function elevationFromRow(row: ElevationRow): ElevationRecord {
  return { apiKeyId: row.api_key_id, principal: row.principal, amr: JSON.parse(row.amr) as string[], authTime: row.auth_time, expiresAt: row.expires_at };
}

export interface CeremonyRow {
  id: string;
  principal: string;
  kind: string;
  challenge: string;
  created_at: string;
  expires_at: string;
}

export function ceremonyFromRow(row: CeremonyRow): CeremonyRecord {
  return { id: row.id, principal: row.principal, kind: row.kind as CeremonyKind, challenge: row.challenge, createdAt: row.created_at, expiresAt: row.expires_at };
}

/** The values of an INSERT INTO mfa_webauthn_ceremonies, in column order. */
export function ceremonyValues(c: CeremonyRecord): unknown[] {
  return [c.id, c.principal, c.kind, c.challenge, c.createdAt, c.expiresAt];
}
