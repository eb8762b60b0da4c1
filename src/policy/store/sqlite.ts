/** Policy versions in the embedded SQLite database: today's SQL behind the repository interface. */
import { parseJsonLossless, stringifyJsonLossless } from '../../core/index.js';
import { applyMigrations, type SqliteDatabase } from '../../store/index.js';
import { bundleDigest, type PolicyBundle } from '../bundle.js';
import { NoSuchPolicyVersion, type PolicyRepository, type PolicyVersionInfo } from './types.js';

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

interface VersionRow {
  version: number;
  digest: string;
  created_at: string;
  created_by: string;
}

export class SqlitePolicyRepository implements PolicyRepository {
  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, 'policy', MIGRATIONS);
  }

  async save(bundle: PolicyBundle, by: string): Promise<number> {
    const digest = bundleDigest(bundle);
    // Look, then insert, under the write lock (IMMEDIATE): a concurrent writer of the same bundle gets the
    // same version, and a refused insert never uses up a number (INSERT OR IGNORE would, with AUTOINCREMENT).
    const saveOnce = this.db.transaction((): number => {
      const existing = this.db.prepare('SELECT version FROM policy_versions WHERE digest = ?').get(digest) as { version: number } | undefined;
      if (existing) return existing.version;
      const result = this.db
        .prepare('INSERT INTO policy_versions (digest, bundle, created_at, created_by) VALUES (?, ?, ?, ?)')
        .run(digest, stringifyJsonLossless(bundle), new Date().toISOString(), by);
      return Number(result.lastInsertRowid);
    });
    return saveOnce.immediate();
  }

  async activate(version: number, by: string): Promise<void> {
    if (!this.db.prepare('SELECT 1 FROM policy_versions WHERE version = ?').get(version)) throw new NoSuchPolicyVersion(version);
    this.db
      .prepare(`INSERT INTO policy_active (id, version, activated_at, activated_by) VALUES (1, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET version = excluded.version, activated_at = excluded.activated_at, activated_by = excluded.activated_by`)
      .run(version, new Date().toISOString(), by);
  }

  async activeVersion(): Promise<number | undefined> {
    return (this.db.prepare('SELECT version FROM policy_active WHERE id = 1').get() as { version: number } | undefined)?.version;
  }

  async get(version: number): Promise<PolicyBundle | undefined> {
    const row = this.db.prepare('SELECT bundle FROM policy_versions WHERE version = ?').get(version) as { bundle: string } | undefined;
    // lossless both ways: a stored Long beyond 2^53 comes back exact
    return row ? (parseJsonLossless(row.bundle) as unknown as PolicyBundle) : undefined;
  }

  async list(): Promise<PolicyVersionInfo[]> {
    const active = await this.activeVersion();
    const rows = this.db.prepare('SELECT version, digest, created_at, created_by FROM policy_versions ORDER BY version').all() as VersionRow[];
    return rows.map((r) => ({ version: r.version, digest: r.digest, createdAt: r.created_at, createdBy: r.created_by, active: r.version === active }));
  }
}
