/**
 * The queryable record of decisions, derived from the audit log: it follows the log from a cursor stored
 * with the rows (one transaction), so after a crash it catches up from where it was and holds every
 * decision the log holds. Without an audit log it subscribes to the bus instead (batched, best effort).
 * The tamper-evident copy of every event is the audit log's job; this table serves queries.
 */
import type { DecisionEvent, WardenEvent } from '../core/events.js';
import { applyMigrations, type SqliteDatabase } from '../store/index.js';
import type { EventBus, Subscription } from './bus.js';
import { DecisionRollup, ROLLUP_MIGRATION_SQL } from './decision-rollup.js';

const MIGRATIONS = [
  {
    version: 1,
    sql: `CREATE TABLE decisions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, time TEXT NOT NULL,
        principal TEXT, outcome TEXT NOT NULL, route TEXT NOT NULL, action TEXT NOT NULL, resource TEXT NOT NULL,
        status INTEGER NOT NULL, enforced INTEGER NOT NULL, event TEXT NOT NULL);
      CREATE INDEX decisions_principal_time ON decisions (principal, time);
      CREATE INDEX decisions_time ON decisions (time);`,
  },
  {
    // The id a client sees (`x-warden-decision-id`, error details) is the event's decisionId.
    version: 2,
    sql: `CREATE INDEX decisions_decision_id ON decisions (json_extract(event, '$.decisionId'));`,
  },
  {
    // Where the table stands in the audit log it is derived from.
    version: 3,
    sql: `CREATE TABLE decisions_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL);`,
  },
  {
    // Per-minute counts for the console's overview (decision-rollup.ts), filled from the rows already here.
    version: 4,
    sql: ROLLUP_MIGRATION_SQL,
  },
  {
    // One principal's newest decisions: its entries are in seq order (seq is the rowid), so a page of
    // them is read backwards from the index instead of sorting all of the principal's rows.
    version: 5,
    sql: `CREATE INDEX decisions_principal ON decisions (principal);`,
  },
];

/** What the table follows: the audit log's reading side (structural, so events does not depend on audit). */
export interface DecisionSource {
  size(): number;
  read(fromIndex: number, limit: number): { index: number; event: WardenEvent }[];
  onAppend(listener: (newSize: number) => void): () => void;
}

const CATCH_UP_BATCH = 2000;

export interface DecisionQuery {
  /** One decision by its id. */
  decisionId?: string;
  principal?: string;
  outcome?: string;
  since?: string;
  until?: string;
  /** Return rows with seq greater than this (pagination cursor). */
  after?: number;
  limit?: number;
}

export interface DecisionPage {
  items: (DecisionEvent & { seq: number })[];
  /** Pass as `after` to get the next page; absent on the last page. */
  next?: number;
}

export class DecisionLog {
  private buffer: DecisionEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private subscription: Subscription | undefined;
  private unfollow: (() => void) | undefined;
  private followed: { source: DecisionSource; onError: (error: unknown) => void } | undefined;
  private following: NodeJS.Timeout | undefined;
  private readonly insert;
  private readonly rollup: DecisionRollup;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly flushIntervalMs = 50,
  ) {
    applyMigrations(db, 'decisions', MIGRATIONS);
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO decisions (id, time, principal, outcome, route, action, resource, status, enforced, event)
       VALUES (@id, @time, @principal, @outcome, @route, @action, @resource, @status, @enforced, @event)`,
    );
    this.rollup = new DecisionRollup(db);
  }

  /** Where the table stands in the audit log: every decision before this position is in it. */
  position(): number {
    const row = this.db.prepare('SELECT position FROM decisions_cursor WHERE id = 1').get() as { position: number } | undefined;
    return row?.position ?? 0;
  }

  /** Catches up with `source` now, then follows it as it grows; a failed catch-up is retried on the next append. */
  follow(source: DecisionSource, onError: (error: unknown) => void): void {
    this.catchUp(source);
    this.followed = { source, onError };
    this.unfollow = source.onAppend(() => {
      this.following ??= setTimeout(() => {
        this.following = undefined;
        this.tryCatchUp();
      }, this.flushIntervalMs);
    });
  }

  private tryCatchUp(): void {
    if (!this.followed) return;
    try {
      this.catchUp(this.followed.source);
    } catch (error) {
      this.followed.onError(error);
    }
  }

  /** Applies every decision between the stored position and the end of `source`; returns how many entries it read. */
  catchUp(source: DecisionSource): number {
    const saveCursor = this.db.prepare('INSERT INTO decisions_cursor (id, position) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET position = excluded.position');
    let position = this.position();
    const start = position;
    while (position < source.size()) {
      const records = source.read(position, CATCH_UP_BATCH);
      if (records.length === 0) break;
      const next = records.at(-1)!.index + 1;
      this.db.transaction(() => {
        for (const r of records) if (r.event.type === 'decision') this.insertEvent(r.event);
        saveCursor.run(next);
      })();
      position = next;
    }
    return position - start;
  }

  subscribeTo(bus: EventBus): void {
    this.subscription = bus.subscribe((event: WardenEvent) => this.record(event as DecisionEvent), { name: 'decision-log', types: ['decision'] });
  }

  record(event: DecisionEvent): void {
    this.buffer.push(event);
    if (this.buffer.length >= 1000) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushIntervalMs);
  }

  /** Brings the table up to date: the log's durable entries when following it, else the buffered events. */
  flush(): void {
    this.tryCatchUp();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.db.transaction(() => {
      for (const e of batch) this.insertEvent(e);
    })();
  }

  private insertEvent(e: DecisionEvent): void {
    const principal = e.principal ? `${e.principal.type}::${e.principal.id}` : null;
    const resource = `${e.resource.type}::${e.resource.id}`;
    const { changes } = this.insert.run({
      id: e.id,
      time: e.time,
      principal,
      outcome: e.outcome,
      route: e.route,
      action: e.action,
      resource,
      status: e.status,
      enforced: e.enforced ? 1 : 0,
      event: JSON.stringify(e),
    });
    // Counted once: a decision seen again (a replayed log entry) is ignored by the insert and here.
    if (changes === 1) this.rollup.add(e, principal, resource);
  }

  /** `principal` matches `Type::id` or a bare id of any type. */
  query(q: DecisionQuery): DecisionPage {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (q.principal) {
      where.push(q.principal.includes('::') ? 'principal = @principal' : "principal LIKE '%::' || @principal");
      params.principal = q.principal;
    }
    const filters: [unknown, string, string][] = [
      [q.decisionId, "json_extract(event, '$.decisionId') = @decisionId", 'decisionId'],
      [q.outcome, 'outcome = @outcome', 'outcome'],
      [q.since, 'time >= @since', 'since'],
      [q.until, 'time < @until', 'until'],
      [q.after, 'seq > @after', 'after'],
    ];
    for (const [value, clause, name] of filters) {
      if (value === undefined || value === '') continue;
      where.push(clause);
      params[name] = value;
    }
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
    const rows = this.db
      .prepare(`SELECT seq, event FROM decisions ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq LIMIT ${limit + 1}`)
      .all(params) as { seq: number; event: string }[];
    const items = rows.slice(0, limit).map((r) => ({ ...(JSON.parse(r.event) as DecisionEvent), seq: r.seq }));
    return rows.length > limit ? { items, next: items.at(-1)!.seq } : { items };
  }

  close(): void {
    this.subscription?.unsubscribe();
    this.unfollow?.();
    if (this.following) clearTimeout(this.following);
    // A clean stop leaves the table level with the log (a crash is caught up at the next start).
    this.flush();
    this.followed = undefined;
  }
}
