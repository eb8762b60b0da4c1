/** API keys in the shared PostgreSQL database (the clustered store). */
import { applyPgMigrations, withTransaction, type PgClient, type PgPool } from '../../store/index.js';
import type { ApiKeyRepository, ApiKeyRow, DemoKeyRow } from './types.js';

const MIGRATIONS = [
  {
    version: 1,
    sql: `CREATE TABLE api_keys (
      id TEXT PRIMARY KEY, principal TEXT NOT NULL, name TEXT NOT NULL, hash BYTEA NOT NULL,
      scopes JSONB NOT NULL, created_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ, revoked_at TIMESTAMPTZ,
      last_used_at TIMESTAMPTZ);
      CREATE INDEX api_keys_principal ON api_keys (principal);`,
  },
  { version: 2, sql: `CREATE TABLE demo_api_keys (name TEXT PRIMARY KEY, principal TEXT NOT NULL, key TEXT NOT NULL);` },
];

interface Row {
  id: string;
  principal: string;
  name: string;
  hash: Buffer;
  scopes: string[];
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function fromRow(row: Row): ApiKeyRow {
  return {
    id: row.id,
    principal: row.principal,
    name: row.name,
    hash: row.hash,
    scopes: row.scopes,
    createdAt: row.created_at.toISOString(),
    expiresAt: iso(row.expires_at),
    revokedAt: iso(row.revoked_at),
    lastUsedAt: iso(row.last_used_at),
  };
}

export class PgApiKeyRepository implements ApiKeyRepository {
  private constructor(private readonly pool: PgPool) {}

  static async open(pool: PgPool): Promise<PgApiKeyRepository> {
    await applyPgMigrations(pool, 'identity.apikeys', MIGRATIONS);
    return new PgApiKeyRepository(pool);
  }

  async insert(row: ApiKeyRow): Promise<void> {
    await insert(this.pool, row);
  }

  async get(id: string): Promise<ApiKeyRow | undefined> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM api_keys WHERE id = $1', [id]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  async list(principal?: string): Promise<ApiKeyRow[]> {
    const { rows } = principal === undefined
      ? await this.pool.query<Row>('SELECT * FROM api_keys ORDER BY created_at, id')
      : await this.pool.query<Row>('SELECT * FROM api_keys WHERE principal = $1 ORDER BY created_at, id', [principal]);
    return rows.map(fromRow);
  }

  async revoke(id: string, at: string): Promise<boolean> {
    const result = await this.pool.query('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2', [at, id]);
    return (result.rowCount ?? 0) > 0;
  }

  async recordLastUsed(times: ReadonlyMap<string, string>): Promise<void> {
    if (times.size === 0) return;
    // One statement for the whole batch: the later time wins if another instance wrote one meanwhile.
    await this.pool.query(
      `UPDATE api_keys k SET last_used_at = GREATEST(k.last_used_at, t.at)
       FROM unnest($1::text[], $2::timestamptz[]) AS t(id, at) WHERE k.id = t.id`,
      [[...times.keys()], [...times.values()]],
    );
  }

  /**
   * Keys are only ever added or revoked (revocation is one-way and never deleted), so the number of keys
   * and of revoked keys together change with every change that matters to verification.
   */
  async changeMarker(): Promise<string> {
    const { rows } = await this.pool.query<{ marker: string }>("SELECT count(*) || ':' || count(revoked_at) AS marker FROM api_keys");
    return rows[0]!.marker;
  }

  async demoKey(name: string): Promise<DemoKeyRow | undefined> {
    const { rows } = await this.pool.query<DemoKeyRow>('SELECT name, principal, key FROM demo_api_keys WHERE name = $1', [name]);
    return rows[0];
  }

  async insertDemoKey(demo: DemoKeyRow, row: ApiKeyRow): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await insert(client, row);
      await client.query(
        `INSERT INTO demo_api_keys (name, principal, key) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET principal = excluded.principal, key = excluded.key`,
        [demo.name, demo.principal, demo.key],
      );
    });
  }
}

async function insert(db: PgPool | PgClient, row: ApiKeyRow): Promise<void> {
  await db.query(
    'INSERT INTO api_keys (id, principal, name, hash, scopes, created_at, expires_at, revoked_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
    [row.id, row.principal, row.name, row.hash, JSON.stringify(row.scopes), row.createdAt, row.expiresAt, row.revokedAt, row.lastUsedAt],
  );
}
