/** Policy versions in the shared PostgreSQL database (the clustered store). */
import { parseJsonLossless, stringifyJsonLossless } from '../../core/index.js';
import { applyPgMigrations, type PgPool } from '../../store/index.js';
import { bundleDigest, type PolicyBundle } from '../bundle.js';
import { NoSuchPolicyVersion, type PolicyRepository, type PolicyVersionInfo } from './types.js';

const MIGRATIONS = [
  {
    version: 1,
    // The bundle is TEXT, not JSONB: JSONB would round integers beyond 2^53 and reorder keys, and the
    // bundle must come back exactly as saved (lossless JSON, like SQLite).
    sql: `CREATE TABLE policy_versions (
        version INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY, digest TEXT NOT NULL UNIQUE, bundle TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL, created_by TEXT NOT NULL);
      CREATE TABLE policy_active (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL REFERENCES policy_versions(version),
        activated_at TIMESTAMPTZ NOT NULL, activated_by TEXT NOT NULL);`,
  },
];

const FOREIGN_KEY_VIOLATION = '23503';

interface VersionRow {
  version: number;
  digest: string;
  created_at: Date;
  created_by: string;
}

export class PgPolicyRepository implements PolicyRepository {
  private constructor(private readonly pool: PgPool) {}

  static async open(pool: PgPool): Promise<PgPolicyRepository> {
    await applyPgMigrations(pool, 'policy', MIGRATIONS);
    return new PgPolicyRepository(pool);
  }

  async save(bundle: PolicyBundle, by: string): Promise<number> {
    const digest = bundleDigest(bundle);
    // Look first: an INSERT that conflicts would still use up a number from the identity sequence.
    const known = await this.versionOf(digest);
    if (known !== undefined) return known;
    // ON CONFLICT DO NOTHING then SELECT: two instances saving the same bundle at once get one version.
    await this.pool.query('INSERT INTO policy_versions (digest, bundle, created_at, created_by) VALUES ($1, $2, now(), $3) ON CONFLICT (digest) DO NOTHING', [
      digest,
      stringifyJsonLossless(bundle),
      by,
    ]);
    return (await this.versionOf(digest))!;
  }

  private async versionOf(digest: string): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ version: number }>('SELECT version FROM policy_versions WHERE digest = $1', [digest]);
    return rows[0]?.version;
  }

  async activate(version: number, by: string): Promise<void> {
    try {
      // One statement: concurrent activations serialise on the single row; the last committed wins.
      await this.pool.query(
        `INSERT INTO policy_active (id, version, activated_at, activated_by) VALUES (1, $1, now(), $2)
         ON CONFLICT (id) DO UPDATE SET version = excluded.version, activated_at = excluded.activated_at, activated_by = excluded.activated_by`,
        [version, by],
      );
    } catch (error) {
      if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION) throw new NoSuchPolicyVersion(version);
      throw error;
    }
  }

  async activeVersion(): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ version: number }>('SELECT version FROM policy_active WHERE id = 1');
    return rows[0]?.version;
  }

  async get(version: number): Promise<PolicyBundle | undefined> {
    const { rows } = await this.pool.query<{ bundle: string }>('SELECT bundle FROM policy_versions WHERE version = $1', [version]);
    return rows[0] ? (parseJsonLossless(rows[0].bundle) as unknown as PolicyBundle) : undefined;
  }

  async list(): Promise<PolicyVersionInfo[]> {
    const { rows } = await this.pool.query<VersionRow & { active: boolean }>(
      `SELECT v.version, v.digest, v.created_at, v.created_by, (a.version IS NOT NULL) AS active
       FROM policy_versions v LEFT JOIN policy_active a ON a.version = v.version ORDER BY v.version`,
    );
    return rows.map((r) => ({ version: r.version, digest: r.digest, createdAt: r.created_at.toISOString(), createdBy: r.created_by, active: r.active }));
  }
}
