/**
 * The integrity registry's tables, for both backends (forward-only: a released migration never changes).
 * The SQLite migration is the one data directories already carry (module `integrity`); the PostgreSQL
 * schema is the same tables with native booleans, times and an identity column.
 */
import type { Migration, PgMigration } from '../../store/index.js';

export const INTEGRITY_MODULE = 'integrity';

/** The PostgreSQL channel on which committed asset writes are announced (payload: the schema). */
export const INTEGRITY_CHANNEL = 'warden_integrity_assets';

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
CREATE TABLE integrity_assets (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('model', 'dataset')),
  name TEXT NOT NULL,
  location TEXT NOT NULL,
  owner TEXT NOT NULL,
  sensitivity TEXT NOT NULL,
  expected_signer TEXT,
  signer_public_key TEXT,
  serialization TEXT NOT NULL,
  verified_digest TEXT,
  manifest TEXT,
  verified INTEGER NOT NULL DEFAULT 0,
  signer TEXT NOT NULL DEFAULT '',
  last_verified INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'unverified',
  status_detail TEXT,
  tampered_digest TEXT,
  suspect INTEGER NOT NULL DEFAULT 0,
  suspect_reason TEXT,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE integrity_changes (
  id TEXT PRIMARY KEY,
  asset_id TEXT NOT NULL REFERENCES integrity_assets(id) ON DELETE CASCADE,
  requested_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  expected_digest TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'applied', 'expired')),
  decided_by TEXT,
  decision_note TEXT,
  created_at TEXT NOT NULL,
  decided_at TEXT,
  applied_at TEXT,
  applied_digest TEXT
);
CREATE INDEX integrity_changes_asset ON integrity_changes(asset_id, status);
CREATE TABLE integrity_lineage (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  upstream_id TEXT NOT NULL REFERENCES integrity_assets(id) ON DELETE CASCADE,
  downstream_id TEXT NOT NULL REFERENCES integrity_assets(id) ON DELETE CASCADE,
  run_id TEXT,
  upstream_digest TEXT,
  downstream_digest TEXT,
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
CREATE INDEX integrity_lineage_up ON integrity_lineage(upstream_id);
CREATE INDEX integrity_lineage_down ON integrity_lineage(downstream_id);
`,
  },
];

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    sql: `
CREATE TABLE integrity_assets (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('model', 'dataset')),
  name TEXT NOT NULL,
  location TEXT NOT NULL,
  owner TEXT NOT NULL,
  sensitivity TEXT NOT NULL,
  expected_signer TEXT,
  signer_public_key TEXT,
  serialization TEXT NOT NULL,
  verified_digest TEXT,
  manifest TEXT,
  verified BOOLEAN NOT NULL DEFAULT false,
  signer TEXT NOT NULL DEFAULT '',
  last_verified BIGINT NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'unverified',
  status_detail TEXT,
  tampered_digest TEXT,
  suspect BOOLEAN NOT NULL DEFAULT false,
  suspect_reason TEXT,
  created_by TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE integrity_changes (
  id TEXT PRIMARY KEY,
  asset_id TEXT NOT NULL REFERENCES integrity_assets(id) ON DELETE CASCADE,
  requested_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  expected_digest TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'applied', 'expired')),
  decided_by TEXT,
  decision_note TEXT,
  created_at TIMESTAMPTZ NOT NULL,
  decided_at TIMESTAMPTZ,
  applied_at TIMESTAMPTZ,
  applied_digest TEXT,
  -- the two-person rule as a constraint too: no code path can record a requester deciding their own change
  CHECK (decided_by IS NULL OR decided_by <> requested_by)
);
CREATE INDEX integrity_changes_asset ON integrity_changes (asset_id, status);
CREATE INDEX integrity_changes_status ON integrity_changes (status, decided_at);
CREATE TABLE integrity_lineage (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  upstream_id TEXT NOT NULL REFERENCES integrity_assets(id) ON DELETE CASCADE,
  downstream_id TEXT NOT NULL REFERENCES integrity_assets(id) ON DELETE CASCADE,
  run_id TEXT,
  upstream_digest TEXT,
  downstream_digest TEXT,
  recorded_by TEXT NOT NULL,
  recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX integrity_lineage_up ON integrity_lineage (upstream_id);
CREATE INDEX integrity_lineage_down ON integrity_lineage (downstream_id);
`,
  },
  {
    // Every committed write to the assets, by an instance or by the CLI, tells the listening instances
    // (PgIntegrityRepository.watchAssets) to reload the attributes Cedar reads. A trigger rather than a
    // NOTIFY in each write: no writer (an older CLI included) can forget it. PostgreSQL delivers it only
    // on commit, so a listener's reload always sees the change. The payload is the schema: channels are
    // per database, and schemas sharing one (tests) must not wake each other.
    version: 2,
    sql: `
CREATE FUNCTION integrity_assets_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('warden_integrity_assets', current_schema());
  RETURN NULL;
END $$;
CREATE TRIGGER integrity_assets_changed AFTER INSERT OR UPDATE OR DELETE ON integrity_assets
  FOR EACH STATEMENT EXECUTE FUNCTION integrity_assets_changed();
`,
  },
];
