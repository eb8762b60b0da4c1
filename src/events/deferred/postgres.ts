/** Deferred events in the cluster's PostgreSQL database: any instance relays them. */
import type { WardenEvent } from '../../core/index.js';
import { applyPgMigrations, type PgPool } from '../../store/index.js';
import { DEFERRED_MODULE, PG_MIGRATIONS } from './migrations.js';
import type { DeferredEvent, DeferredEventRepository } from './types.js';

export class PostgresDeferredEvents implements DeferredEventRepository {
  private constructor(private readonly pool: PgPool) {}

  static async open(pool: PgPool): Promise<PostgresDeferredEvents> {
    await applyPgMigrations(pool, DEFERRED_MODULE, PG_MIGRATIONS);
    return new PostgresDeferredEvents(pool);
  }

  async add(events: readonly WardenEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.pool.query('INSERT INTO deferred_events (body) SELECT unnest($1::text[])', [events.map((e) => JSON.stringify(e))]);
  }

  async claim(limit: number, now: Date, leaseMs: number): Promise<DeferredEvent[]> {
    const stale = new Date(now.getTime() - leaseMs).toISOString();
    // SKIP LOCKED: instances claiming at the same moment take different rows instead of waiting.
    const { rows } = await this.pool.query<{ seq: string; body: string }>(
      'UPDATE deferred_events SET claimed_at = $1 WHERE seq IN (SELECT seq FROM deferred_events WHERE claimed_at IS NULL OR claimed_at < $2 ORDER BY seq LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING seq, body',
      [now.toISOString(), stale, limit],
    );
    return rows.map((r) => ({ seq: Number(r.seq), event: JSON.parse(r.body) as WardenEvent })).sort((a, b) => a.seq - b.seq);
  }

  async remove(seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.pool.query('DELETE FROM deferred_events WHERE seq = ANY($1::bigint[])', [[...seqs]]);
  }
}
