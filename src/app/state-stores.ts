/**
 * The one place that chooses the state backend. With a database URL (`WARDEN_DATABASE_URL`, or
 * `cluster.databaseUrl` in the configuration) the shared state lives in PostgreSQL, so that every Warden
 * instance and every CLI command on any machine of the cluster sees the same keys and policies; without
 * one, in the data directory's SQLite database exactly as on a single machine. `warden start` and the CLI
 * both open their repositories here: keys, policy versions, response actions and incidents, step-up
 * factors and challenges, partitioned risk baselines, the integrity registry, the console's sessions.
 */
import type { WardenConfig } from '../config/index.js';
import { clusterDatabaseUrl } from '../cluster/index.js';
import { PgDecisionRepository, SqliteDecisionRepository, type DecisionRepository, PostgresDeferredEvents, SqliteDeferredEvents, type DeferredEventRepository } from '../events/index.js';
import { PgApiKeyRepository, SqliteApiKeyRepository, type ApiKeyRepository } from '../identity/index.js';
import { PgDetectionRepository, SqliteDetectionRepository, type DetectionRepository, PgRiskStateRepository, SqliteRiskStateRepository, type RiskStateRepository } from '../risk/index.js';
import { PgPolicyRepository, SqlitePolicyRepository, type PolicyRepository } from '../policy/index.js';
import { PostgresResponseRepository, SqliteResponseRepository, type ResponseRepository } from '../response/index.js';
import { PostgresMfaRepository, SqliteMfaRepository, type MfaRepository } from '../mfa/index.js';
import { PostgresSignalsRepository, SqliteSignalsRepository, type SignalsRepository } from '../signals/index.js';
import { PostgresAccessRepository, type AccessRepository, SqliteAccessRepository } from '../access/index.js';
import { PgExportCursorRepository, SqliteExportCursorRepository, type ExportCursorRepository } from '../export/index.js';
import { PgIntegrityRepository, SqliteIntegrityRepository, type IntegrityRepository } from '../integrity/index.js';
import { PostgresConsoleSessionRepository, SqliteConsoleSessionRepository, type ConsoleSessionRepository } from '../console/index.js';
import { openMemoryDatabase, type SqliteDatabase, openPostgres } from '../store/index.js';

export interface StateStores {
  backend: 'sqlite' | 'postgres';
  apiKeys: ApiKeyRepository;
  policies: PolicyRepository;
  /** Response actions, incidents and notifications. */
  response: ResponseRepository;
  /** Step-up factors, recovery codes, enrolment links, challenges and API-key elevations. */
  mfa: MfaRepository;
  /** Per-principal risk baselines by partition bucket, and each partition's fenced checkpoint. */
  risk: RiskStateRepository;
  /** Shared Signals: SET replay protection, principal signal state, device keys and posture, the outbox. */
  signals: SignalsRepository;
  /** Just-in-time elevation requests and their history (src/access). */
  access: AccessRepository;
  /** Events a CLI command recorded for the running Warden to put in its audit log (src/events/deferred). */
  deferredEvents: DeferredEventRepository;
  /** SIEM export cursors and the per-sink leases. */
  exportCursors: ExportCursorRepository;
  /** The decision table (derived from the audit log; see `src/events/decision-log.ts`). */
  decisions: DecisionRepository;
  /** What the risk engines found. */
  detections: DetectionRepository;
  /** Registered models and datasets, change requests and their approvals, lineage (src/integrity). */
  integrity: IntegrityRepository;
  /**
   * The web console's sessions. On PostgreSQL, shared by every instance; on SQLite, in a database private
   * to this process (not the data directory's file), so a restart signs every operator out as it always
   * has, and a CLI command opening the same file can neither see nor clear them.
   */
  consoleSessions: ConsoleSessionRepository;
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
      response: new SqliteResponseRepository(db),
      mfa: new SqliteMfaRepository(db),
      risk: new SqliteRiskStateRepository(db),
      signals: new SqliteSignalsRepository(db),
      access: new SqliteAccessRepository(db),
      deferredEvents: new SqliteDeferredEvents(db),
      exportCursors: new SqliteExportCursorRepository(db),
      decisions: new SqliteDecisionRepository(options.decisionsSqlite?.() ?? db),
      detections: new SqliteDetectionRepository(db),
      integrity: new SqliteIntegrityRepository(db),
      consoleSessions: new SqliteConsoleSessionRepository(openMemoryDatabase()),
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
      response: await PostgresResponseRepository.open(pool),
      mfa: await PostgresMfaRepository.open(pool),
      risk: await PgRiskStateRepository.open(pool),
      signals: await PostgresSignalsRepository.open(pool),
      access: await PostgresAccessRepository.open(pool),
      deferredEvents: await PostgresDeferredEvents.open(pool),
      exportCursors: await PgExportCursorRepository.open(pool),
      decisions: await PgDecisionRepository.open(pool),
      detections: await PgDetectionRepository.open(pool),
      integrity: await PgIntegrityRepository.open(pool),
      consoleSessions: await PostgresConsoleSessionRepository.open(pool),
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
