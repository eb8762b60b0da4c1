/**
 * The local durable outbox: events this instance could not hand to JetStream wait here, in publish order,
 * until NATS is back. It is a file of its own (`outbox.db`, `synchronous = FULL`), so an event written here
 * survives a crash of the process or the machine, and it is local on purpose: it must work exactly when the
 * shared services do not. Rows leave only after JetStream acknowledged them (`removeThrough` after the acks).
 *
 * @example
 * const outbox = new Outbox(openDatabase(dataDir, 'outbox.db'));
 * outbox.append(event);            // committed and fsynced when it returns
 * for (const row of outbox.oldest(100)) { await publish(row.event); outbox.removeThrough(row.seq); }
 */
import { applyMigrations, type SqliteDatabase } from '../../store/index.js';
import type { WardenEvent } from '../../core/index.js';

export interface OutboxRow {
  seq: number;
  event: WardenEvent;
}

const MIGRATIONS = [{ version: 1, sql: 'CREATE TABLE events_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, body TEXT NOT NULL)' }];

export class Outbox {
  private readonly insert;
  private readonly select;
  private readonly delete;
  private readonly countRows;
  private size: number;

  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, 'events.outbox', MIGRATIONS);
    this.insert = db.prepare('INSERT INTO events_outbox (id, body) VALUES (?, ?)');
    this.select = db.prepare('SELECT seq, body FROM events_outbox ORDER BY seq LIMIT ?');
    this.delete = db.prepare('DELETE FROM events_outbox WHERE seq <= ?');
    this.countRows = db.prepare('SELECT COUNT(*) AS n FROM events_outbox');
    this.size = (this.countRows.get() as { n: number }).n;
  }

  /** Commits the event (fsynced: the database is opened with `synchronous = FULL`); returns its position. */
  append(event: WardenEvent): number {
    return this.appendAll([event])[0]!;
  }

  /** Commits the events in one transaction (one fsync), in this order; returns their positions. */
  appendAll(events: readonly WardenEvent[]): number[] {
    const seqs = this.db.transaction(() => events.map((event) => Number(this.insert.run(event.id, JSON.stringify(event)).lastInsertRowid)))();
    this.size += events.length;
    return seqs;
  }

  /** The oldest `limit` events, in the order they were appended. */
  oldest(limit: number): OutboxRow[] {
    return (this.select.all(limit) as { seq: number; body: string }[]).map((r) => ({ seq: r.seq, event: JSON.parse(r.body) as WardenEvent }));
  }

  /** Removes every event up to `seq` (inclusive): JetStream acknowledged them. One commit for the batch. */
  removeThrough(seq: number): void {
    this.size -= this.delete.run(seq).changes;
  }

  /** Events waiting (kept in memory: the hot path asks on every publish). */
  get pending(): number {
    return this.size;
  }

  close(): void {
    this.db.close();
  }
}
