/**
 * The one place that chooses the state backend. With a database URL (`WARDEN_DATABASE_URL`, or
 * `cluster.databaseUrl` in the configuration) the shared state lives in PostgreSQL, so that every Warden
 * instance and every CLI command on any machine of the cluster sees the same keys and policies; without
 * one, in the data directory's SQLite database exactly as on a single machine. `warden start` and the CLI
 * both open their repositories here.
 */
import { clusterDatabaseUrl } from '../config/cluster.js';
import type { WardenConfig } from '../config/schema.js';
import { PgDecisionRepository, SqliteDecisionRepository, type DecisionRepository } from '../events/index.js';
import { PgApiKeyRepository, SqliteApiKeyRepository, type ApiKeyRepository } from '../identity/index.js';
import { PgDetectionRepository, SqliteDetectionRepository, type DetectionRepository } from '../risk/index.js';
import { PgPolicyRepository, SqlitePolicyRepository, type PolicyRepository } from '../policy/index.js';
import type { SqliteDatabase } from './database.js';
import { openPostgres } from './postgres.js';

export interface StateStores {
  backend: 'sqlite' | 'postgres';
  apiKeys: ApiKeyRepository;
  policies: PolicyRepository;
  /** The decision table (derived from the audit log; see `src/events/decision-log.ts`). */
  decisions: DecisionRepository;
  /** What the risk engines found. */
  detections: DetectionRepository;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** Releases what `openStateStores` opened (a PostgreSQL pool; the SQLite handle belongs to the caller). */
  close(): Promise<void>;
}

/** The environment variable wins over the file, so one configuration serves both a laptop and a cluster. */
export function databaseUrlFor(config: Pick<WardenConfig, 'cluster'>, env: NodeJS.ProcessEnv): string | undefined {
  return clusterDatabaseUrl(env) ?? config.cluster.databaseUrl;
}

export interface OpenStateStoresOptions {
  databaseUrl: string | undefined;
  sqlite: () => SqliteDatabase;
  /**
   * The connection for the decision table on SQLite, when it should not be `sqlite()`'s: `warden start`
   * gives it one without an fsync per batch (the audit log holds the durable copy of every decision).
   */
  decisionsSqlite?: () => SqliteDatabase;
}

/**
 * Opens the repositories on PostgreSQL when `databaseUrl` is given (applying pending migrations), else on
 * `sqlite()`, which is called only then, so a clustered CLI command never creates a local database.
 */
export async function openStateStores(options: OpenStateStoresOptions): Promise<StateStores> {
  if (options.databaseUrl === undefined) {
    const db = options.sqlite();
    return {
      backend: 'sqlite',
      apiKeys: new SqliteApiKeyRepository(db),
      policies: new SqlitePolicyRepository(db),
      decisions: new SqliteDecisionRepository(options.decisionsSqlite?.() ?? db),
      detections: new SqliteDetectionRepository(db),
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
      decisions: await PgDecisionRepository.open(pool),
      detections: await PgDetectionRepository.open(pool),
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
