/**
 * The clustered store: one PostgreSQL database shared by every Warden instance (`WARDEN_DATABASE_URL` or
 * `cluster.databaseUrl`). Plain `pg` with SQL, not a query builder: every module already owns its SQL, so
 * a second dialect file per module is easier to review than a builder layer, and `pg` is the driver every
 * PostgreSQL tool in Node uses. Modules bring their migrations, as with SQLite; this file only connects
 * and applies them, each in its own transaction, serialised across instances by an advisory lock so that
 * two instances starting together never apply one migration twice.
 */
import pg from 'pg';

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

export interface PgMigration {
  /** Strictly increasing within a module, starting at 1. Forward-only: a released migration never changes. */
  version: number;
  /** One or more SQL statements. */
  sql: string;
}

export interface OpenPostgresOptions {
  /** Schema to create (if missing) and use for every connection; tests give each run its own. */
  schema?: string;
  /** Most connections this instance holds. */
  max?: number;
}

/** Only plain identifiers reach `search_path`: the schema name is interpolated into SQL. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Connects a pool to `url`; each connection uses `schema` when given. Fails if the server cannot be reached. */
export async function openPostgres(url: string, options: OpenPostgresOptions = {}): Promise<PgPool> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name \`${schema}\``);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    // Hot-path reads come from memory; a slow database must fail a write quickly, not hold a request.
    connectionTimeoutMillis: 5_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const client = await pool.connect();
  try {
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      module TEXT NOT NULL, version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (module, version))`);
  } catch (error) {
    // Two instances creating the table at once: one wins, the other sees a unique violation; both go on.
    if ((error as { code?: string }).code !== '23505') throw error;
  } finally {
    client.release();
  }
  return pool;
}

/** Advisory-lock key that serialises migrations across instances (an arbitrary constant: "WARDEN-M"). */
const MIGRATION_LOCK = 0x5741_5244_454e_2d4dn;

/** Applies the module's migrations that are not yet applied, each in its own transaction. */
export async function applyPgMigrations(pool: PgPool, module: string, migrations: readonly PgMigration[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
    try {
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations WHERE module = $1', [module]);
      const applied = new Set(rows.map((r) => r.version));
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (applied.has(migration.version)) continue;
        await inTransaction(client, async () => {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (module, version) VALUES ($1, $2)', [module, migration.version]);
        });
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]);
    }
  } finally {
    client.release();
  }
}

/** Runs `work` in a transaction on one client, committing on success and rolling back on any error. */
export async function inTransaction<T>(client: PgClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined); // the original error is the one worth reporting
    throw error;
  }
}

/** Takes a client from the pool for a transaction and always returns it. */
export async function withTransaction<T>(pool: PgPool, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await inTransaction(client, () => work(client));
  } finally {
    client.release();
  }
}
