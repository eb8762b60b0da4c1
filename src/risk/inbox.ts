/**
 * The risk inbox: a durable queue of imported events with one consumer at a time. `warden ingest` and
 * `POST /admin/ingest` append to it; whichever engine holds the consumer lease (the running Warden, or
 * the CLI when no Warden runs) processes it, so imported logs and live traffic feed one set of
 * baselines and the state is never forked. The consumer's cursor is saved in the same transaction as
 * the baselines it produced: after a crash both restart from the same point and the events after it
 * are processed again (detections have ids derived from their event, so a replay stores no duplicate).
 *
 * The shape maps onto a JetStream stream with one durable consumer: `append` = publish, the cursor =
 * the consumer's ack floor, the lease = the consumer's single active subscriber.
 *
 * @example
 * const inbox = new SqliteRiskInbox(db);
 * const { first, last } = inbox.append(events, 'warden ingest auth.log');
 * if (inbox.acquire('cli:4242', Date.now(), 15_000)) for (const { seq, event } of inbox.read(inbox.cursor(), 1000)) ...
 */
import type { WardenEvent } from '../core/index.js';
import type { SqliteDatabase } from '../store/index.js';
import { applyMigrations } from '../store/index.js';
import { RISK_MIGRATIONS } from './store.js';

export interface InboxEntry {
  seq: number;
  event: WardenEvent;
}

export interface RiskInbox {
  /** Appends durably, in one transaction; returns the sequence numbers given (empty input: `last < first`). */
  append(events: readonly WardenEvent[], origin: string): { first: number; last: number };
  /** Entries after `after`, oldest first (a row that no longer parses is skipped). */
  read(after: number, limit: number): InboxEntry[];
  /** Highest sequence number still waiting or not yet dropped (0 when the inbox is empty). */
  head(): number;
  /** Last sequence number the consumer has saved as processed. */
  cursor(): number;
  /** Saves the consumer's cursor and drops the entries it covers (call inside the repository transaction that saves the baselines). */
  saveCursor(seq: number): void;
  /** Takes or renews the consumer lease for `holder` until `now + ttlMs`; false while another holder's lease lasts. */
  acquire(holder: string, now: number, ttlMs: number): boolean;
  /** The current holder while its lease lasts. */
  holder(now: number): string | undefined;
  release(holder: string): void;
}

const CONSUMER = 'engine';

export class SqliteRiskInbox implements RiskInbox {
  private readonly insert;
  private readonly select;
  private readonly lease;

  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, 'risk', RISK_MIGRATIONS);
    this.insert = db.prepare('INSERT INTO risk_inbox (received_at, origin, event) VALUES (?, ?, ?)');
    this.select = db.prepare('SELECT seq, event FROM risk_inbox WHERE seq > ? ORDER BY seq LIMIT ?');
    // One statement decides: free, expired or already ours -> ours. SQLite serialises writers.
    this.lease = db.prepare(`UPDATE risk_consumer SET holder = ?, lease_until = ? WHERE name = '${CONSUMER}' AND (holder IS NULL OR holder = ? OR lease_until < ?)`);
  }

  append(events: readonly WardenEvent[], origin: string): { first: number; last: number } {
    const now = new Date().toISOString();
    const o = origin.slice(0, 200);
    return this.db.transaction(() => {
      let first = 0;
      let last = 0;
      for (const e of events) {
        last = Number(this.insert.run(now, o, JSON.stringify(e)).lastInsertRowid);
        if (first === 0) first = last;
      }
      return events.length ? { first, last } : { first: 1, last: 0 };
    })();
  }

  read(after: number, limit: number): InboxEntry[] {
    const out: InboxEntry[] = [];
    for (const row of this.select.all(after, limit) as { seq: number; event: string }[]) {
      let event: WardenEvent;
      try {
        event = JSON.parse(row.event) as WardenEvent;
      } catch {
        continue; // only this process writes rows, as JSON.stringify output: a bad row is disk damage, skipped
      }
      out.push({ seq: row.seq, event });
    }
    return out;
  }

  head(): number {
    return (this.db.prepare("SELECT COALESCE(MAX(seq), 0) AS seq FROM risk_inbox").get() as { seq: number }).seq;
  }

  cursor(): number {
    return (this.db.prepare(`SELECT cursor FROM risk_consumer WHERE name = '${CONSUMER}'`).get() as { cursor: number }).cursor;
  }

  saveCursor(seq: number): void {
    this.db.prepare(`UPDATE risk_consumer SET cursor = MAX(cursor, ?) WHERE name = '${CONSUMER}'`).run(seq);
    // Entries at or below a saved cursor are reflected in saved baselines: nothing will read them again.
    this.db.prepare('DELETE FROM risk_inbox WHERE seq <= ?').run(seq);
  }

  acquire(holder: string, now: number, ttlMs: number): boolean {
    return this.lease.run(holder, now + ttlMs, holder, now).changes === 1;
  }

  holder(now: number): string | undefined {
    const row = this.db.prepare(`SELECT holder, lease_until FROM risk_consumer WHERE name = '${CONSUMER}'`).get() as { holder: string | null; lease_until: number };
    return row.holder !== null && row.lease_until >= now ? row.holder : undefined;
  }

  release(holder: string): void {
    this.db.prepare(`UPDATE risk_consumer SET holder = NULL, lease_until = 0 WHERE name = '${CONSUMER}' AND holder = ?`).run(holder);
  }
}
