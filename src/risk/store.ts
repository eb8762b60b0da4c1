/**
 * The risk module's persistence, behind two small interfaces so that another backend (PostgreSQL, a
 * broker) replaces the SQLite classes here without touching the engine:
 * - `RiskRepository`: baselines by kind and key, and detections;
 * - `RiskInbox` (inbox.ts): the durable queue of imported events and its single consumer's cursor and lease.
 * SQLite tables (module `risk`).
 */
import Database from 'better-sqlite3';
import { applyMigrations, type Migration, type SqliteDatabase } from '../store/index.js';
import type { Severity } from '../core/events.js';
import type { DetectionQuery, DetectionRecord } from './types.js';

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
];

/** An in-memory database with the store's migration table (simulation, benchmarks, tests). */
export function openMemoryDatabase(): SqliteDatabase {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    module TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (module, version))`);
  return db;
}

export type BaselineKind = 'principal' | 'group' | 'asset' | 'device';

interface DetectionRow {
  id: string;
  time: string;
  detector: string;
  category: string;
  entity_type: string;
  entity_id: string;
  score: number;
  severity: string;
  contribution: number;
  session_id: string | null;
  explanation: string;
  details: string | null;
}

/** Where the engine keeps baselines and detections. */
export interface RiskRepository {
  saveBaselines(rows: { kind: BaselineKind; key: string; data: unknown }[]): void;
  loadBaselines(kind: BaselineKind): Iterable<{ key: string; data: unknown }>;
  /** Stores detections; returns how many could not be stored (never fails the batch). */
  saveDetections(records: readonly DetectionRecord[]): number;
  queryDetections(q: DetectionQuery): DetectionRecord[];
  /** Detections since a time counted by detector, largest first (no record is read whole). */
  countDetections(since: string): { detector: string; count: number }[];
  /** Runs `fn` atomically with the repository's (and the inbox's) writes. */
  transaction<T>(fn: () => T): T;
}

/** The SQLite repository (the embedded default). */
export class RiskStore implements RiskRepository {
  private readonly upsert;
  private readonly insert;

  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, 'risk', RISK_MIGRATIONS);
    this.upsert = db.prepare(
      `INSERT INTO risk_baselines (kind, key, data, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
    );
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO risk_detections (id, time, detector, category, entity_type, entity_id, score, severity, contribution, session_id, explanation, details)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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

  /** Stores detections in one transaction; a row that cannot be stored is skipped and counted, never the batch. */
  saveDetections(records: readonly DetectionRecord[]): number {
    if (records.length === 0) return 0;
    let failed = 0;
    this.db.transaction(() => {
      for (const d of records) {
        try {
          this.insert.run(d.id, d.time, d.detector, d.category, d.entity.type, d.entity.id, d.score, d.severity, d.contribution, d.sessionId ?? null, d.explanation, d.details ? JSON.stringify(d.details) : null);
        } catch {
          failed++; // counted and reported by the caller
        }
      }
    })();
    return failed;
  }

  countDetections(since: string): { detector: string; count: number }[] {
    return (this.db.prepare('SELECT detector, count(*) AS n FROM risk_detections INDEXED BY risk_detections_time WHERE time >= ? GROUP BY detector ORDER BY n DESC, detector').all(since) as { detector: string; n: number }[]).map((r) => ({ detector: r.detector, count: r.n }));
  }

  queryDetections(q: DetectionQuery): DetectionRecord[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const filters: [string, string | undefined][] = [
      ['entity_type = ?', q.entityType],
      ['entity_id = ?', q.entityId],
      ['detector = ?', q.detector],
      ['time >= ?', q.since],
    ];
    for (const [clause, value] of filters) {
      if (!value) continue;
      where.push(clause);
      args.push(value);
    }
    const limit = Math.min(Math.max(1, q.limit ?? 1000), 100_000);
    const sql = `SELECT * FROM risk_detections ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, id LIMIT ${limit}`;
    return (this.db.prepare(sql).all(...args) as DetectionRow[]).map((r) => ({
      id: r.id,
      time: r.time,
      detector: r.detector,
      category: r.category,
      entity: { type: r.entity_type, id: r.entity_id },
      score: r.score,
      severity: r.severity as Severity,
      explanation: r.explanation,
      contribution: r.contribution,
      ...(r.session_id ? { sessionId: r.session_id } : {}),
      ...(r.details ? { details: JSON.parse(r.details) as Record<string, unknown> } : {}),
    }));
  }
}
