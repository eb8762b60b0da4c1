/**
 * Versioned policy bundles in the store. Each distinct bundle is saved once (by digest) and numbered;
 * exactly one version is active. Any process (a running Warden, the CLI) can activate a version; a
 * running Warden notices through `activeVersion()` polling and loads it.
 */
import { parseJsonLossless, stringifyJsonLossless } from '../core/json/index.js';
import { applyMigrations, type SqliteDatabase } from '../store/index.js';
import { bundleDigest, type PolicyBundle } from './bundle.js';

export interface PolicyVersionInfo {
  version: number;
  digest: string;
  createdAt: string;
  createdBy: string;
  active: boolean;
}

const MIGRATIONS = [
  {
    version: 1,
    sql: `CREATE TABLE policy_versions (
        version INTEGER PRIMARY KEY AUTOINCREMENT, digest TEXT NOT NULL UNIQUE, bundle TEXT NOT NULL,
        created_at TEXT NOT NULL, created_by TEXT NOT NULL);
      CREATE TABLE policy_active (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL REFERENCES policy_versions(version),
        activated_at TEXT NOT NULL, activated_by TEXT NOT NULL);`,
  },
];

export class PolicyVersionStore {
  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, 'policy', MIGRATIONS);
  }

  /** Saves a bundle (or finds the identical one) and returns its version number. */
  save(bundle: PolicyBundle, by: string): number {
    const digest = bundleDigest(bundle);
    const existing = this.db.prepare('SELECT version FROM policy_versions WHERE digest = ?').get(digest) as { version: number } | undefined;
    if (existing) return existing.version;
    const result = this.db
      .prepare('INSERT INTO policy_versions (digest, bundle, created_at, created_by) VALUES (?, ?, ?, ?)')
      .run(digest, stringifyJsonLossless(bundle), new Date().toISOString(), by);
    return Number(result.lastInsertRowid);
  }

  activate(version: number, by: string): void {
    const exists = this.db.prepare('SELECT 1 FROM policy_versions WHERE version = ?').get(version);
    if (!exists) throw new Error(`no policy version ${version}`);
    this.db
      .prepare(`INSERT INTO policy_active (id, version, activated_at, activated_by) VALUES (1, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET version = excluded.version, activated_at = excluded.activated_at, activated_by = excluded.activated_by`)
      .run(version, new Date().toISOString(), by);
  }

  activeVersion(): number | undefined {
    return (this.db.prepare('SELECT version FROM policy_active WHERE id = 1').get() as { version: number } | undefined)?.version;
  }

  get(version: number): PolicyBundle | undefined {
    const row = this.db.prepare('SELECT bundle FROM policy_versions WHERE version = ?').get(version) as { bundle: string } | undefined;
    // lossless both ways: a stored Long beyond 2^53 comes back exact
    return row ? (parseJsonLossless(row.bundle) as unknown as PolicyBundle) : undefined;
  }

  list(): PolicyVersionInfo[] {
    const active = this.activeVersion();
    const rows = this.db.prepare('SELECT version, digest, created_at, created_by FROM policy_versions ORDER BY version').all() as {
      version: number;
      digest: string;
      created_at: string;
      created_by: string;
    }[];
    return rows.map((r) => ({ version: r.version, digest: r.digest, createdAt: r.created_at, createdBy: r.created_by, active: r.version === active }));
  }
}
