/**
 * The queryable record of decisions: a bus subscriber that stores every decision event in the main store.
 * Writes are batched (one transaction per flush) so recording keeps up with the gateway; `flush()` runs on
 * shutdown. The tamper-evident copy of every event is the audit log's job; this table serves queries.
 */
import type { DecisionEvent, WardenEvent } from '../core/events.js';
import { applyMigrations, type SqliteDatabase } from '../store/index.js';
import type { EventBus, Subscription } from './bus.js';

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
];

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
  private readonly insert;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly flushIntervalMs = 50,
  ) {
    applyMigrations(db, 'decisions', MIGRATIONS);
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO decisions (id, time, principal, outcome, route, action, resource, status, enforced, event)
       VALUES (@id, @time, @principal, @outcome, @route, @action, @resource, @status, @enforced, @event)`,
    );
  }

  subscribeTo(bus: EventBus): void {
    this.subscription = bus.subscribe((event: WardenEvent) => this.record(event as DecisionEvent), { name: 'decision-log', types: ['decision'] });
  }

  record(event: DecisionEvent): void {
    this.buffer.push(event);
    if (this.buffer.length >= 1000) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushIntervalMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.db.transaction(() => {
      for (const e of batch) {
        this.insert.run({
          id: e.id,
          time: e.time,
          principal: e.principal ? `${e.principal.type}::${e.principal.id}` : null,
          outcome: e.outcome,
          route: e.route,
          action: e.action,
          resource: `${e.resource.type}::${e.resource.id}`,
          status: e.status,
          enforced: e.enforced ? 1 : 0,
          event: JSON.stringify(e),
        });
      }
    })();
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
    this.flush();
  }
}
