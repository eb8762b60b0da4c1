/** The step-up module's tables, for SQLite and PostgreSQL (versioned, forward-only). */
import type { Migration, PgMigration } from '../../store/index.js';

export const MFA_MODULE = 'mfa';

/**
 * Pending WebAuthn ceremonies (the challenge between the options and the response), in the store every
 * instance shares, so the two halves of a ceremony may reach different instances behind a balancer.
 * The same SQL on both backends.
 */
const WEBAUTHN_CEREMONIES = `
  CREATE TABLE mfa_webauthn_ceremonies (
    id TEXT PRIMARY KEY, principal TEXT NOT NULL, kind TEXT NOT NULL, challenge TEXT NOT NULL,
    created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
  CREATE INDEX mfa_webauthn_ceremonies_principal ON mfa_webauthn_ceremonies (principal, created_at);
  CREATE INDEX mfa_webauthn_ceremonies_expiry ON mfa_webauthn_ceremonies (expires_at);`;

export const SQLITE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE mfa_factors (
        id TEXT PRIMARY KEY, principal TEXT NOT NULL, kind TEXT NOT NULL, label TEXT NOT NULL,
        created_at TEXT NOT NULL, confirmed_at TEXT,
        kek_id TEXT, sealed BLOB, last_step INTEGER,
        credential_id TEXT UNIQUE, public_key BLOB, counter INTEGER, transports TEXT);
      CREATE INDEX mfa_factors_principal ON mfa_factors (principal);
      CREATE TABLE mfa_recovery_codes (
        principal TEXT NOT NULL, hash TEXT NOT NULL, created_at TEXT NOT NULL, used_at TEXT,
        PRIMARY KEY (principal, hash));
      CREATE TABLE mfa_enrol_links (
        hash TEXT PRIMARY KEY, principal TEXT NOT NULL, created_by TEXT NOT NULL,
        created_at TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT);
      CREATE TABLE mfa_challenges (
        id TEXT PRIMARY KEY, principal TEXT NOT NULL, principal_kind TEXT NOT NULL, api_key_id TEXT,
        created_at TEXT NOT NULL, expires_at TEXT NOT NULL, completed_at TEXT, amr TEXT NOT NULL DEFAULT '[]',
        redeemed_at TEXT);
      CREATE TABLE mfa_elevations (
        api_key_id TEXT NOT NULL, principal TEXT NOT NULL, amr TEXT NOT NULL, auth_time TEXT NOT NULL,
        expires_at TEXT NOT NULL);
      CREATE INDEX mfa_elevations_expiry ON mfa_elevations (expires_at);`,
  },
  // The hash of the secret in a challenge's URL: only the client the 401 went to can attempt it.
  { version: 2, sql: 'ALTER TABLE mfa_challenges ADD COLUMN secret_hash TEXT' },
  { version: 3, sql: WEBAUTHN_CEREMONIES },
];

export const PG_MIGRATIONS: PgMigration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE mfa_factors (
        id TEXT PRIMARY KEY, principal TEXT NOT NULL, kind TEXT NOT NULL, label TEXT NOT NULL,
        created_at TEXT NOT NULL, confirmed_at TEXT,
        kek_id TEXT, sealed BYTEA, last_step BIGINT,
        credential_id TEXT UNIQUE, public_key BYTEA, counter BIGINT, transports TEXT);
      CREATE INDEX mfa_factors_principal ON mfa_factors (principal);
      CREATE TABLE mfa_recovery_codes (
        principal TEXT NOT NULL, hash TEXT NOT NULL, created_at TEXT NOT NULL, used_at TEXT,
        PRIMARY KEY (principal, hash));
      CREATE TABLE mfa_enrol_links (
        hash TEXT PRIMARY KEY, principal TEXT NOT NULL, created_by TEXT NOT NULL,
        created_at TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT);
      CREATE TABLE mfa_challenges (
        id TEXT PRIMARY KEY, principal TEXT NOT NULL, principal_kind TEXT NOT NULL, api_key_id TEXT,
        created_at TEXT NOT NULL, expires_at TEXT NOT NULL, completed_at TEXT, amr TEXT NOT NULL DEFAULT '[]',
        redeemed_at TEXT);
      CREATE TABLE mfa_elevations (
        api_key_id TEXT NOT NULL, principal TEXT NOT NULL, amr TEXT NOT NULL, auth_time TEXT NOT NULL,
        expires_at TEXT NOT NULL);
      CREATE INDEX mfa_elevations_expiry ON mfa_elevations (expires_at);`,
  },
  { version: 2, sql: 'ALTER TABLE mfa_challenges ADD COLUMN secret_hash TEXT' },
  { version: 3, sql: WEBAUTHN_CEREMONIES },
];
