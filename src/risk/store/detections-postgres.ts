/**
 * Risk detections in the shared PostgreSQL database: every instance's engine writes what it found, and
 * the admin API, the console and the CLI of any instance list the cluster's detections.
 */
import { applyPgMigrations, type PgPool } from '../../store/index.js';
import type { DetectionQuery, DetectionRecord } from '../types.js';
import { detectionFromRow, detectionLimit, type DetectionRepository, type DetectionRow } from './detections.js';

const MIGRATIONS = [
  {
    version: 1,
    sql: `CREATE TABLE risk_detections (
        id TEXT PRIMARY KEY, time TIMESTAMPTZ NOT NULL, detector TEXT NOT NULL, category TEXT NOT NULL,
        entity_type TEXT NOT NULL, entity_id TEXT NOT NULL, score DOUBLE PRECISION NOT NULL, severity TEXT NOT NULL,
        contribution DOUBLE PRECISION NOT NULL, session_id TEXT, explanation TEXT NOT NULL, details JSONB);
      CREATE INDEX risk_detections_entity ON risk_detections (entity_type, entity_id, time);
      CREATE INDEX risk_detections_time ON risk_detections (time);`,
  },
];

const COLUMNS = 'id, time, detector, category, entity_type, entity_id, score, severity, contribution, session_id, explanation, details';
const INSERT = `INSERT INTO risk_detections (${COLUMNS})
  SELECT ${COLUMNS} FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[],
                               $8::text[], $9::float8[], $10::text[], $11::text[], $12::jsonb[]) AS t(${COLUMNS})
  ON CONFLICT (id) DO NOTHING`;

type Row = Omit<DetectionRow, 'time' | 'details'> & { time: Date; details: Record<string, unknown> | null };

function fromRow(r: Row): DetectionRecord {
  return detectionFromRow({ ...r, time: r.time.toISOString() });
}

function columnsOf(records: readonly DetectionRecord[]): unknown[][] {
  const columns: unknown[][] = Array.from({ length: 12 }, () => []);
  for (const d of records) {
    const values = [d.id, d.time, d.detector, d.category, d.entity.type, d.entity.id, d.score, d.severity, d.contribution, d.sessionId ?? null, d.explanation, d.details ? JSON.stringify(d.details) : null];
    values.forEach((v, i) => columns[i]!.push(v));
  }
  return columns;
}

export class PgDetectionRepository implements DetectionRepository {
  private constructor(private readonly pool: PgPool) {}

  static async open(pool: PgPool): Promise<PgDetectionRepository> {
    await applyPgMigrations(pool, 'risk.detections', MIGRATIONS);
    return new PgDetectionRepository(pool);
  }

  /**
   * One statement for the batch; if PostgreSQL refuses a row (a bad time, a value out of range), the rows
   * are written one by one so that only the bad ones are lost and counted. A database that is away rejects.
   */
  async append(records: readonly DetectionRecord[]): Promise<number> {
    if (records.length === 0) return 0;
    try {
      await this.pool.query(INSERT, columnsOf(records));
      return 0;
    } catch (error) {
      if (!isDataError(error)) throw error;
    }
    let failed = 0;
    for (const record of records) {
      try {
        await this.pool.query(INSERT, columnsOf([record]));
      } catch (error) {
        if (!isDataError(error)) throw error;
        failed++;
      }
    }
    return failed;
  }

  async countByDetector(since: string): Promise<{ detector: string; count: number }[]> {
    const { rows } = await this.pool.query<{ detector: string; n: string }>('SELECT detector, count(*) AS n FROM risk_detections WHERE time >= $1 GROUP BY detector ORDER BY n DESC, detector', [since]);
    return rows.map((r) => ({ detector: r.detector, count: Number(r.n) }));
  }

  async list(q: DetectionQuery): Promise<DetectionRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const filters: [string, string | undefined][] = [
      ['entity_type', q.entityType],
      ['entity_id', q.entityId],
      ['detector', q.detector],
      ['time', q.since],
    ];
    for (const [column, value] of filters) {
      if (!value) continue;
      params.push(value);
      where.push(`${column} ${column === 'time' ? '>=' : '='} $${params.length}`);
    }
    const { rows } = await this.pool.query<Row>(`SELECT * FROM risk_detections ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, id LIMIT ${detectionLimit(q.limit)}`, params);
    return rows.map(fromRow);
  }

  async get(id: string): Promise<DetectionRecord | undefined> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM risk_detections WHERE id = $1', [id]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }
}

/** SQLSTATE class 22 (data exception) or 23 (integrity violation): the row is at fault, not the database. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}
