/**
 * Export cursors in the cluster's PostgreSQL database. The lease on a sink is a session-level advisory
 * lock held on a dedicated connection, like the audit leader's: it dies with the connection, so a killed
 * exporter hands the sink over, and the holder writes its cursor on that same connection, so an exporter
 * that lost the lock cannot move the cursor of the one that took over.
 */
import { applyPgMigrations, type PgClient, type PgPool } from '../../store/index.js';
import { MAX_ERROR_CHARS, type CursorRow, type DeadLetter, type ExportCursorRepository, type SinkLease } from './types.js';

const MIGRATIONS = [
  {
    version: 1,
    sql: `CREATE TABLE export_cursors (
      sink TEXT PRIMARY KEY, position BIGINT NOT NULL, delivered BIGINT NOT NULL DEFAULT 0,
      updated_at TIMESTAMPTZ NOT NULL);
      CREATE TABLE export_dead_letters (
      sink TEXT NOT NULL, position BIGINT NOT NULL, leaf_hash TEXT NOT NULL, error TEXT NOT NULL,
      at TIMESTAMPTZ NOT NULL, PRIMARY KEY (sink, position));`,
  },
];

/**
 * One 64-bit advisory lock key per schema and sink (the single-bigint key space does not overlap the
 * audit leader's two-integer one), so clusters in different schemas and different sinks never contend.
 */
const LOCK_KEY = `hashtextextended('warden-export/' || current_schema() || '/' || $1, 0)`;

interface Row {
  sink: string;
  position: string;
  delivered: string;
  updated_at: Date;
}

const fromRow = (r: Row): CursorRow => ({ sink: r.sink, position: Number(r.position), delivered: Number(r.delivered), updatedAt: r.updated_at.toISOString() });

class PgSinkLease implements SinkLease {
  private lost = false;
  private released = false;

  constructor(
    readonly sink: string,
    private readonly client: PgClient,
  ) {
    client.on('error', () => {
      this.lost = true;
    });
  }

  get alive(): boolean {
    return !this.lost && !this.released;
  }

  private check(): void {
    if (!this.alive) throw new Error(`the export lease on \`${this.sink}\` was lost`);
  }

  async setCursor(position: number, delivered: number): Promise<void> {
    this.check();
    await this.client.query(
      `INSERT INTO export_cursors (sink, position, delivered, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (sink) DO UPDATE SET position = excluded.position, delivered = excluded.delivered, updated_at = excluded.updated_at`,
      [this.sink, position, delivered],
    );
  }

  async addDeadLetter(letter: Omit<DeadLetter, 'sink' | 'at'>): Promise<void> {
    this.check();
    await this.client.query(
      `INSERT INTO export_dead_letters (sink, position, leaf_hash, error, at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (sink, position) DO UPDATE SET leaf_hash = excluded.leaf_hash, error = excluded.error, at = excluded.at`,
      [this.sink, letter.position, letter.leafHash, letter.error.slice(0, MAX_ERROR_CHARS)],
    );
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    // Destroying the connection ends the session and with it the lock, even when the connection is broken.
    this.client.release(true);
  }
}

export class PgExportCursorRepository implements ExportCursorRepository {
  private constructor(private readonly pool: PgPool) {}

  static async open(pool: PgPool): Promise<PgExportCursorRepository> {
    await applyPgMigrations(pool, 'export', MIGRATIONS);
    return new PgExportCursorRepository(pool);
  }

  async cursor(sink: string): Promise<CursorRow | undefined> {
    const { rows } = await this.pool.query<Row>('SELECT sink, position, delivered, updated_at FROM export_cursors WHERE sink = $1', [sink]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  async cursors(): Promise<CursorRow[]> {
    const { rows } = await this.pool.query<Row>('SELECT sink, position, delivered, updated_at FROM export_cursors ORDER BY sink');
    return rows.map(fromRow);
  }

  async deadLetters(sink: string, limit = 100): Promise<DeadLetter[]> {
    const { rows } = await this.pool.query<{ sink: string; position: string; leaf_hash: string; error: string; at: Date }>(
      'SELECT sink, position, leaf_hash, error, at FROM export_dead_letters WHERE sink = $1 ORDER BY position LIMIT $2',
      [sink, limit],
    );
    return rows.map((r) => ({ sink: r.sink, position: Number(r.position), leafHash: r.leaf_hash, error: r.error, at: r.at.toISOString() }));
  }

  async deadLetterCount(sink: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM export_dead_letters WHERE sink = $1', [sink]);
    return Number(rows[0]!.n);
  }

  async tryLease(sink: string): Promise<SinkLease | null> {
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS locked`, [sink]);
      if (rows[0]?.locked) return new PgSinkLease(sink, client);
    } catch (error) {
      client.release(true);
      throw error;
    }
    client.release();
    return null;
  }
}
