/**
 * The risk state repository on the cluster's PostgreSQL: every instance loads a partition's baselines
 * from here when it takes the partition and saves them here, fenced by its lease epoch.
 */
import { applyPgMigrations, withTransaction, type PgMigration, type PgPool } from '../../store/index.js';
import type { BaselineKind } from '../store.js';
import { parsed } from './sqlite.js';
import type { BaselineRow, Checkpoint, RiskStateRepository } from './types.js';

export const RISK_PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE risk_baselines (
        kind TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL, updated_at TIMESTAMPTZ NOT NULL, bucket INTEGER,
        PRIMARY KEY (kind, key));
      CREATE INDEX risk_baselines_bucket ON risk_baselines (kind, bucket);
      CREATE TABLE risk_partitions (partition TEXT PRIMARY KEY, seq BIGINT NOT NULL, epoch BIGINT NOT NULL);`,
  },
];

export class PgRiskStateRepository implements RiskStateRepository {
  private constructor(private readonly pool: PgPool) {}

  static async open(pool: PgPool): Promise<PgRiskStateRepository> {
    await applyPgMigrations(pool, 'risk', RISK_PG_MIGRATIONS);
    return new PgRiskStateRepository(pool);
  }

  async loadBaselines(kind: BaselineKind, bucket?: number): Promise<{ key: string; data: unknown }[]> {
    const { rows } = bucket === undefined
      ? await this.pool.query<{ key: string; data: string }>('SELECT key, data FROM risk_baselines WHERE kind = $1', [kind])
      : await this.pool.query<{ key: string; data: string }>('SELECT key, data FROM risk_baselines WHERE kind = $1 AND bucket = $2', [kind, bucket]);
    return parsed(rows);
  }

  async saveBaselines(rows: readonly BaselineRow[], checkpoint?: Checkpoint): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      if (checkpoint) {
        // The row lock taken here serialises two owners' saves of one partition; a lower epoch changes nothing.
        const fenced = await client.query(
          `INSERT INTO risk_partitions (partition, seq, epoch) VALUES ($1, $2, $3)
           ON CONFLICT (partition) DO UPDATE SET seq = GREATEST(risk_partitions.seq, EXCLUDED.seq), epoch = EXCLUDED.epoch
           WHERE risk_partitions.epoch <= EXCLUDED.epoch`,
          [checkpoint.partition, checkpoint.seq, checkpoint.epoch],
        );
        if (fenced.rowCount !== 1) return false;
      }
      const now = new Date().toISOString();
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500);
        const values: unknown[] = [];
        const tuples = chunk.map((r) => {
          values.push(r.kind, r.key, JSON.stringify(r.data), now, r.bucket ?? null);
          const n = values.length;
          return `($${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
        });
        await client.query(
          `INSERT INTO risk_baselines (kind, key, data, updated_at, bucket) VALUES ${tuples.join(', ')}
           ON CONFLICT (kind, key) DO UPDATE SET data = EXCLUDED.data, updated_at = EXCLUDED.updated_at, bucket = EXCLUDED.bucket`,
          values,
        );
      }
      return true;
    });
  }

  async checkpoint(partition: string): Promise<{ seq: number; epoch: number }> {
    const { rows } = await this.pool.query<{ seq: string; epoch: string }>('SELECT seq, epoch FROM risk_partitions WHERE partition = $1', [partition]);
    return rows[0] ? { seq: Number(rows[0].seq), epoch: Number(rows[0].epoch) } : { seq: 0, epoch: 0 };
  }
}
