/**
 * The risk module's persistence, behind two small interfaces so that another backend (PostgreSQL, a
 * broker) replaces the SQLite classes here without touching the engine:
 * - `RiskRepository`: baselines by kind and key (detections have their own repository: `store/detections.ts`);
 * - `RiskInbox` (inbox.ts): the durable queue of imported events and its single consumer's cursor and lease.
 * SQLite tables (module `risk`).
 */
import Database from 'better-sqlite3';
import { applyMigrations, type Migration, type SqliteDatabase } from '../store/index.js';

export const RISK_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE risk_baselines (
        kind TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL, updated_at TEXT NOT NULL,
        PRIMARY KEY (kind, key));
      CREATE TABLE risk_detections (
        id TEXT PRIMARY KEY, time TEXT NOT NULL, detector TEXT NOT NULL, category TEXT NOT NULL,
        entity_type TEXT NOT NULL, entity_id TEXT NOT NULL, score REAL NOT NULL, severity TEXT NOT NULL,
        contribution REAL NOT NULL, session_id TEXT, explanation TEXT NOT NULL, details TEXT);
      CREATE INDEX risk_detections_entity ON risk_detections (entity_type, entity_id, time);
      CREATE INDEX risk_detections_time ON risk_detections (time);`,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE risk_inbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, received_at TEXT NOT NULL, origin TEXT NOT NULL, event TEXT NOT NULL);
      CREATE TABLE risk_consumer (
        name TEXT PRIMARY KEY, cursor INTEGER NOT NULL, holder TEXT, lease_until INTEGER NOT NULL);
      INSERT INTO risk_consumer (name, cursor, holder, lease_until) VALUES ('engine', 0, NULL, 0);`,
  },
  {
    // Partitioned risk state (store/types.ts): a principal's bucket, and each partition's checkpoint.
    version: 3,
    sql: `
      ALTER TABLE risk_baselines ADD COLUMN bucket INTEGER;
      CREATE INDEX risk_baselines_bucket ON risk_baselines (kind, bucket);
      CREATE TABLE risk_partitions (partition TEXT PRIMARY KEY, seq INTEGER NOT NULL, epoch INTEGER NOT NULL);`,
  },
];

/** An in-memory database with the store's migration table (simulation, benchmarks, tests). */
export function openMemoryDatabase(): SqliteDatabase {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    module TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (module, version))`);
  return db;
}

export type BaselineKind = 'principal' | 'group' | 'asset' | 'device';

/** Where the engine keeps baselines (detections: `store/detections.ts`). */
export interface RiskRepository {
  saveBaselines(rows: { kind: BaselineKind; key: string; data: unknown }[]): void;
  loadBaselines(kind: BaselineKind): Iterable<{ key: string; data: unknown }>;
  /** Runs `fn` atomically with the repository's (and the inbox's) writes. */
  transaction<T>(fn: () => T): T;
}

/** The SQLite repository (the embedded default). */
export class RiskStore implements RiskRepository {
  private readonly upsert;

  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, 'risk', RISK_MIGRATIONS);
    this.upsert = db.prepare(
      `INSERT INTO risk_baselines (kind, key, data, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
    );
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  saveBaselines(rows: { kind: BaselineKind; key: string; data: unknown }[]): void {
    if (rows.length === 0) return;
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const r of rows) this.upsert.run(r.kind, r.key, JSON.stringify(r.data), now);
    })();
  }

  *loadBaselines(kind: BaselineKind): Generator<{ key: string; data: unknown }> {
    for (const row of this.db.prepare('SELECT key, data FROM risk_baselines WHERE kind = ?').iterate(kind) as Iterable<{ key: string; data: string }>) {
      try {
        yield { key: row.key, data: JSON.parse(row.data) as unknown };
      } catch {
        // A corrupt row loses that entity's history, never the start: the entity relearns.
      }
    }
  }
}
