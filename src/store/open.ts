/**
 * The one place that chooses the state backend. With a database URL (`WARDEN_DATABASE_URL`, or
 * `cluster.databaseUrl` in the configuration) the shared state lives in PostgreSQL, so that every Warden
 * instance and every CLI command on any machine of the cluster sees the same keys and policies; without
 * one, in the data directory's SQLite database exactly as on a single machine. `warden start` and the CLI
 * both open their repositories here.
 */
import { clusterDatabaseUrl } from '../config/cluster.js';
import type { WardenConfig } from '../config/schema.js';
import { PgApiKeyRepository, SqliteApiKeyRepository, type ApiKeyRepository } from '../identity/index.js';
import { PgPolicyRepository, SqlitePolicyRepository, type PolicyRepository } from '../policy/index.js';
import { PgExportCursorRepository } from '../export/store/postgres.js';
import { SqliteExportCursorRepository } from '../export/store/sqlite.js';
import type { ExportCursorRepository } from '../export/store/types.js';
import type { SqliteDatabase } from './database.js';
import { openPostgres } from './postgres.js';

export interface StateStores {
  backend: 'sqlite' | 'postgres';
  apiKeys: ApiKeyRepository;
  policies: PolicyRepository;
  /** SIEM export cursors and the per-sink leases. */
  exportCursors: ExportCursorRepository;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** Releases what `openStateStores` opened (a PostgreSQL pool; the SQLite handle belongs to the caller). */
  close(): Promise<void>;
}

/** The environment variable wins over the file, so one configuration serves both a laptop and a cluster. */
export function databaseUrlFor(config: Pick<WardenConfig, 'cluster'>, env: NodeJS.ProcessEnv): string | undefined {
  return clusterDatabaseUrl(env) ?? config.cluster.databaseUrl;
}

/**
 * Opens the repositories on PostgreSQL when `databaseUrl` is given (applying pending migrations), else on
 * `sqlite()`, which is called only then, so a clustered CLI command never creates a local database.
 */
export async function openStateStores(options: { databaseUrl: string | undefined; sqlite: () => SqliteDatabase }): Promise<StateStores> {
  if (options.databaseUrl === undefined) {
    const db = options.sqlite();
    return {
      backend: 'sqlite',
      apiKeys: new SqliteApiKeyRepository(db),
      policies: new SqlitePolicyRepository(db),
      exportCursors: new SqliteExportCursorRepository(db),
      ping: async () => {
        db.prepare('SELECT 1').get();
      },
      close: async () => undefined,
    };
  }
  const pool = await openPostgres(options.databaseUrl);
  try {
    return {
      backend: 'postgres',
      apiKeys: await PgApiKeyRepository.open(pool),
      policies: await PgPolicyRepository.open(pool),
      exportCursors: await PgExportCursorRepository.open(pool),
      ping: async () => {
        await pool.query('SELECT 1');
      },
      close: () => pool.end(),
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
