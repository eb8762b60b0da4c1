/** Risk detections in the embedded SQLite database (the `risk_detections` table of module `risk`). */
import { applyMigrations, type SqliteDatabase } from '../../store/index.js';
import { RISK_MIGRATIONS } from '../store.js';
import type { DetectionQuery, DetectionRecord } from '../types.js';
import { detectionFromRow, detectionLimit, type DetectionRepository, type DetectionRow } from './detections.js';

type Row = Omit<DetectionRow, 'details'> & { details: string | null };

function fromRow(r: Row): DetectionRecord {
  return detectionFromRow({ ...r, details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null });
}

export class SqliteDetectionRepository implements DetectionRepository {
  private readonly insert;

  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, 'risk', RISK_MIGRATIONS);
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO risk_detections (id, time, detector, category, entity_type, entity_id, score, severity, contribution, session_id, explanation, details)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /**
   * One transaction; a row that cannot be stored is skipped and counted, never the batch. Synchronous
   * underneath: called inside the engine's `flush` transaction, it commits with the baselines and cursor.
   */
  async append(records: readonly DetectionRecord[]): Promise<number> {
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

  async countByDetector(since: string): Promise<{ detector: string; count: number }[]> {
    return (this.db.prepare('SELECT detector, count(*) AS n FROM risk_detections INDEXED BY risk_detections_time WHERE time >= ? GROUP BY detector ORDER BY n DESC, detector').all(since) as { detector: string; n: number }[]).map((r) => ({ detector: r.detector, count: r.n }));
  }

  async list(q: DetectionQuery): Promise<DetectionRecord[]> {
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
    const sql = `SELECT * FROM risk_detections ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, id LIMIT ${detectionLimit(q.limit)}`;
    return (this.db.prepare(sql).all(...args) as Row[]).map(fromRow);
  }

  async get(id: string): Promise<DetectionRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM risk_detections WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }
}
