/**
 * The decision table in the embedded SQLite database: the statements that lived in `DecisionLog` and
 * `DecisionStats`, behind the repository interface. Open it on its own connection with
 * `synchronous: 'NORMAL'` (see `openDatabase`): the audit log holds the durable copy of every decision.
 */
import type { DecisionEvent } from '../../core/index.js';
import { applyMigrations, type SqliteDatabase } from '../../store/index.js';
import { assembleOverview, outcomeTotals } from '../decision-stats.js';
import { DecisionRollup, ROLLUP_MIGRATION_SQL } from '../decision-rollup.js';
import type { DecisionListQuery, DecisionOverview, DecisionPage, DecisionQuery, DecisionRepository, RecordedDecision, RiskHour } from './types.js';

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

/** The columns a decision is filtered on, beside the event itself. */
export function decisionColumns(e: DecisionEvent): { id: string; time: string; principal: string | null; outcome: string; route: string; action: string; resource: string; status: number; enforced: boolean } {
  return {
    id: e.id,
    time: e.time,
    principal: e.principal ? `${e.principal.type}::${e.principal.id}` : null,
    outcome: e.outcome,
    route: e.route,
    action: e.action,
    resource: `${e.resource.type}::${e.resource.id}`,
    status: e.status,
    enforced: e.enforced,
  };
}

/** The newest-first list's page size is the caller's; the oldest-first query's is bounded here. */
export function queryLimit(limit: number | undefined): number {
  return Math.min(Math.max(limit ?? 100, 1), 1000);
}

function page(rows: { seq: number; event: string }[], limit: number): DecisionPage {
  const items = rows.slice(0, limit).map((r) => ({ ...(JSON.parse(r.event) as DecisionEvent), seq: r.seq }));
  return rows.length > limit ? { items, next: items.at(-1)!.seq } : { items };
}

export class SqliteDecisionRepository implements DecisionRepository {
  private readonly insert;
  private readonly saveCursor;
  private readonly rollup: DecisionRollup;
  private readonly recentTraffic;
  private readonly principalRisk;

  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, 'decisions', MIGRATIONS);
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO decisions (id, time, principal, outcome, route, action, resource, status, enforced, event)
       VALUES (@id, @time, @principal, @outcome, @route, @action, @resource, @status, @enforced, @event)`,
    );
    this.saveCursor = db.prepare('INSERT INTO decisions_cursor (id, position) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET position = excluded.position');
    this.rollup = new DecisionRollup(db);
    this.recentTraffic = db.prepare(
      `SELECT event FROM decisions INDEXED BY decisions_time WHERE time >= ? AND principal IS NOT NULL AND route NOT LIKE 'console %' AND route NOT LIKE 'admin %' ORDER BY time DESC LIMIT ?`,
    );
    this.principalRisk = db.prepare(
      `SELECT substr(time, 1, 13) AS hour, max(json_extract(event, '$.risk')) AS risk, count(*) AS n, sum(outcome != 'allow') AS refused FROM decisions INDEXED BY decisions_principal_time WHERE principal = ? AND time >= ? GROUP BY hour ORDER BY hour`,
    );
  }

  async append(events: readonly DecisionEvent[]): Promise<void> {
    if (events.length === 0) return;
    this.db.transaction(() => {
      for (const e of events) this.insertEvent(e);
    })();
  }

  async appendFromLog(events: readonly DecisionEvent[], position: number): Promise<void> {
    this.db.transaction(() => {
      for (const e of events) this.insertEvent(e);
      this.saveCursor.run(position);
    })();
  }

  private insertEvent(e: DecisionEvent): void {
    const c = decisionColumns(e);
    const { changes } = this.insert.run({ ...c, enforced: c.enforced ? 1 : 0, event: JSON.stringify(e) });
    // Counted once, in the same transaction as the row (a decision written twice is skipped above).
    if (changes > 0) this.rollup.add(e, c.principal, c.resource);
  }

  async position(): Promise<number> {
    const row = this.db.prepare('SELECT position FROM decisions_cursor WHERE id = 1').get() as { position: number } | undefined;
    return row?.position ?? 0;
  }

  async lastSeq(): Promise<number> {
    return (this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM decisions').get() as { seq: number }).seq;
  }

  async query(q: DecisionQuery): Promise<DecisionPage> {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (q.principal) {
      // A bare id matches that id of any type: compared exactly, so `_` or `%` in an id are not wildcards.
      where.push(q.principal.includes('::') ? 'principal = @principal' : "substr(principal, -length(@principal) - 2) = '::' || @principal");
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
    const limit = queryLimit(q.limit);
    const rows = this.db
      .prepare(`SELECT seq, event FROM decisions ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq LIMIT ${limit + 1}`)
      .all(params) as { seq: number; event: string }[];
    return page(rows, limit);
  }

  async get(decisionId: string): Promise<RecordedDecision | undefined> {
    return (await this.query({ decisionId, limit: 1 })).items[0];
  }

  async list(q: DecisionListQuery): Promise<DecisionPage> {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    const add = (value: unknown, clause: string, name: string): void => {
      if (value === undefined || value === '') return;
      where.push(clause);
      params[name] = value;
    };
    add(q.principal, 'principal = @principal', 'principal');
    add(q.outcome, 'outcome = @outcome', 'outcome');
    add(q.resource, 'resource = @resource', 'resource');
    add(q.since, 'time >= @since', 'since');
    add(q.until, 'time < @until', 'until');
    add(q.before, 'seq < @before', 'before');
    if (!q.includeConsole) where.push("route NOT LIKE 'console %'");
    // One principal's rows come from its index, read backwards in seq order (a page of the newest is read
    // without sorting the principal's rows), or from its time index within a window; a time window
    // likewise from the time index; otherwise the table itself newest first.
    const window = q.since !== undefined || q.until !== undefined;
    const index = q.principal ? (window ? 'INDEXED BY decisions_principal_time' : 'INDEXED BY decisions_principal') : q.since ? 'INDEXED BY decisions_time' : '';
    const rows = this.db
      .prepare(`SELECT seq, event FROM decisions ${index} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${q.limit + 1}`)
      .all(params) as { seq: number; event: string }[];
    return page(rows, q.limit);
  }

  async recent(since: Date, limit: number): Promise<DecisionEvent[]> {
    return (this.recentTraffic.all(since.toISOString(), limit) as { event: string }[]).map((r) => JSON.parse(r.event) as DecisionEvent);
  }

  async riskOverTime(principal: string, since: Date): Promise<RiskHour[]> {
    return (this.principalRisk.all(principal, since.toISOString()) as { hour: string; risk: number | null; n: number; refused: number }[]).map((r) => ({ hour: r.hour, risk: r.risk, decisions: r.n, refused: r.refused }));
  }

  /** Every route counted, per started minute, from the rollup. */
  async totals(since: Date): Promise<{ allow: number; deny: number; step_up: number }> {
    return outcomeTotals(this.rollup.largest('all', since).map((r) => ({ outcome: r.key, n: r.n })));
  }

  /** From the per-minute rollup (counts per started minute), so its cost follows the window's minutes, not its decisions. */
  async overview(since: Date): Promise<DecisionOverview> {
    return assembleOverview(since.toISOString(), {
      perMinute: this.rollup.perMinute('outcome', since).map((r) => ({ minute: r.minute, outcome: r.key, n: r.n })),
      topDeniedPrincipals: this.rollup.largest('deny_principal', since, 10).map((r) => ({ principal: r.key, n: r.n })),
      topDeniedResources: this.rollup.largest('deny_resource', since, 10).map((r) => ({ resource: r.key, n: r.n })),
      riskBands: this.rollup.largest('band', since).map((r) => ({ band: Number(r.key), n: r.n })),
    });
  }
}
