/** The Shared Signals module's tables, for SQLite and PostgreSQL (versioned, forward-only). */
import type { Migration, PgMigration } from '../../store/index.js';

export const SIGNALS_MODULE = 'signals';

// The same DDL on both backends: times are ISO-8601 text (they sort as times), JSON is text.
const V1 = `
  CREATE TABLE ssf_jtis (
    issuer TEXT NOT NULL, jti TEXT NOT NULL, expires_at TEXT NOT NULL, PRIMARY KEY (issuer, jti));
  CREATE INDEX ssf_jtis_expiry ON ssf_jtis (expires_at);
  CREATE TABLE ssf_principals (
    principal TEXT PRIMARY KEY, revoked_before TEXT, disabled_at TEXT, assurance TEXT, updated_at TEXT NOT NULL);
  CREATE TABLE ssf_device_keys (
    device TEXT PRIMARY KEY, jwk TEXT NOT NULL, owner TEXT, created_by TEXT NOT NULL, created_at TEXT NOT NULL);
  CREATE TABLE ssf_device_posture (
    device TEXT NOT NULL, source TEXT NOT NULL, facts TEXT NOT NULL, observed_at TEXT NOT NULL,
    received_at TEXT NOT NULL, PRIMARY KEY (device, source));
  CREATE TABLE ssf_outbox (
    id TEXT PRIMARY KEY, receiver TEXT NOT NULL, event TEXT NOT NULL, set_jwt TEXT NOT NULL, status TEXT NOT NULL,
    attempts INTEGER NOT NULL, next_attempt_at TEXT NOT NULL, last_error TEXT, created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL);
  CREATE INDEX ssf_outbox_due ON ssf_outbox (status, next_attempt_at);`;

export const SQLITE_MIGRATIONS: Migration[] = [{ version: 1, sql: V1 }];
export const PG_MIGRATIONS: PgMigration[] = [{ version: 1, sql: V1 }];
