/** The risk state repository on the embedded SQLite store (the tables of `RISK_MIGRATIONS`). */
import type { SqliteDatabase } from '../../store/index.js';
import { applyMigrations } from '../../store/index.js';
import { RISK_MIGRATIONS, type BaselineKind } from '../store.js';
import type { BaselineRow, Checkpoint, RiskStateRepository } from './types.js';

export class SqliteRiskStateRepository implements RiskStateRepository {
  private readonly upsert;
  private readonly fence;

  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, 'risk', RISK_MIGRATIONS);
    this.upsert = db.prepare(
      `INSERT INTO risk_baselines (kind, key, data, updated_at, bucket) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at, bucket = excluded.bucket`,
    );
    // One conditional write decides the fence: a lower epoch changes nothing.
    this.fence = db.prepare(
      `INSERT INTO risk_partitions (partition, seq, epoch) VALUES (?, ?, ?)
       ON CONFLICT (partition) DO UPDATE SET seq = MAX(seq, excluded.seq), epoch = excluded.epoch WHERE epoch <= excluded.epoch`,
    );
  }

  async loadBaselines(kind: BaselineKind, bucket?: number): Promise<{ key: string; data: unknown }[]> {
    const rows = (bucket === undefined
      ? this.db.prepare('SELECT key, data FROM risk_baselines WHERE kind = ?').all(kind)
      : this.db.prepare('SELECT key, data FROM risk_baselines WHERE kind = ? AND bucket = ?').all(kind, bucket)) as { key: string; data: string }[];
    return parsed(rows);
  }

  async saveBaselines(rows: readonly BaselineRow[], checkpoint?: Checkpoint): Promise<boolean> {
    const now = new Date().toISOString();
    return this.db.transaction(() => {
      if (checkpoint && this.fence.run(checkpoint.partition, checkpoint.seq, checkpoint.epoch).changes === 0) return false;
      for (const r of rows) this.upsert.run(r.kind, r.key, JSON.stringify(r.data), now, r.bucket ?? null);
      return true;
    })();
  }

  async checkpoint(partition: string): Promise<{ seq: number; epoch: number }> {
    return (this.db.prepare('SELECT seq, epoch FROM risk_partitions WHERE partition = ?').get(partition) as { seq: number; epoch: number } | undefined) ?? { seq: 0, epoch: 0 };
  }
}

/** A corrupt row loses that entity's history, never the load: the entity relearns. */
export function parsed(rows: readonly { key: string; data: string }[]): { key: string; data: unknown }[] {
  const out: { key: string; data: unknown }[] = [];
  for (const row of rows) {
    try {
      out.push({ key: row.key, data: JSON.parse(row.data) as unknown });
    } catch {
      // A corrupt row loses that entity's history, never the load (see above).
      continue;
    }
  }
  return out;
}
