/** Deferred events in the data directory's SQLite database. */
import type { WardenEvent } from '../../core/index.js';
import { applyMigrations, type SqliteDatabase } from '../../store/index.js';
import { DEFERRED_MODULE, SQLITE_MIGRATIONS } from './migrations.js';
import type { DeferredEvent, DeferredEventRepository } from './types.js';

export class SqliteDeferredEvents implements DeferredEventRepository {
  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, DEFERRED_MODULE, SQLITE_MIGRATIONS);
  }

  async add(events: readonly WardenEvent[]): Promise<void> {
    const insert = this.db.prepare('INSERT INTO deferred_events (body) VALUES (?)');
    this.db.transaction(() => {
      for (const e of events) insert.run(JSON.stringify(e));
    })();
  }

  async claim(limit: number, now: Date, leaseMs: number): Promise<DeferredEvent[]> {
    const stale = new Date(now.getTime() - leaseMs).toISOString();
    const rows = this.db
      .prepare('UPDATE deferred_events SET claimed_at = ? WHERE seq IN (SELECT seq FROM deferred_events WHERE claimed_at IS NULL OR claimed_at < ? ORDER BY seq LIMIT ?) RETURNING seq, body')
      .all(now.toISOString(), stale, limit) as { seq: number; body: string }[];
    return rows.sort((a, b) => a.seq - b.seq).map((r) => ({ seq: r.seq, event: JSON.parse(r.body) as WardenEvent }));
  }

  async remove(seqs: readonly number[]): Promise<void> {
    const del = this.db.prepare('DELETE FROM deferred_events WHERE seq = ?');
    this.db.transaction(() => {
      for (const seq of seqs) del.run(seq);
    })();
  }
}
