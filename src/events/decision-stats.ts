/**
 * Aggregates over the decision table for the console's overview: per-minute counts by outcome, the most
 * denied principals and resources, and the risk scores seen. The console's own API calls are left out
 * (they are decisions too, recorded like every request, but not the traffic an analyst watches). Every query is bounded by a time window and
 * served by the `decisions_time` index, so its cost follows the window, not the table's size.
 */
import type { DecisionEvent } from '../core/events.js';
import type { SqliteDatabase } from '../store/index.js';

export interface DecisionOverview {
  since: string;
  perMinute: { minute: string; allow: number; deny: number; step_up: number }[];
  totals: { allow: number; deny: number; step_up: number };
  topDeniedPrincipals: { principal: string; count: number }[];
  topDeniedResources: { resource: string; count: number }[];
  /** Decisions by risk score band (0-9, 10-19, ... 90-100). */
  riskBands: { band: string; count: number }[];
}

export interface DecisionListQuery {
  principal?: string | undefined;
  outcome?: string | undefined;
  resource?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  before?: number | undefined;
  limit: number;
  /** The console's own API calls are left out unless asked for. */
  includeConsole?: boolean | undefined;
}

const OUTCOMES = ['allow', 'deny', 'step_up'] as const;

export class DecisionStats {
  private readonly perMinute;
  private readonly topPrincipals;
  private readonly topResources;
  private readonly risk;
  private readonly recentTraffic;
  private readonly principalRisk;
  private readonly outcomes;

  /** `db` is the connection that holds the `decisions` table (DecisionLog applies its migrations). */
  constructor(private readonly db: SqliteDatabase) {
    this.perMinute = db.prepare(`SELECT substr(time, 1, 16) AS minute, outcome, count(*) AS n FROM decisions INDEXED BY decisions_time WHERE time >= ? AND route NOT LIKE 'console %' GROUP BY minute, outcome ORDER BY minute`);
    this.topPrincipals = db.prepare(`SELECT principal, count(*) AS n FROM decisions INDEXED BY decisions_time WHERE time >= ? AND outcome = 'deny' AND principal IS NOT NULL AND route NOT LIKE 'console %' GROUP BY principal ORDER BY n DESC LIMIT 10`);
    this.topResources = db.prepare(`SELECT resource, count(*) AS n FROM decisions INDEXED BY decisions_time WHERE time >= ? AND outcome = 'deny' AND route NOT LIKE 'console %' GROUP BY resource ORDER BY n DESC LIMIT 10`);
    this.recentTraffic = db.prepare(
      `SELECT event FROM decisions INDEXED BY decisions_time WHERE time >= ? AND principal IS NOT NULL AND route NOT LIKE 'console %' AND route NOT LIKE 'admin %' ORDER BY time DESC LIMIT ?`,
    );
    this.principalRisk = db.prepare(
      `SELECT substr(time, 1, 13) AS hour, max(json_extract(event, '$.risk')) AS risk, count(*) AS n, sum(outcome != 'allow') AS refused FROM decisions INDEXED BY decisions_principal_time WHERE principal = ? AND time >= ? GROUP BY hour ORDER BY hour`,
    );
    this.outcomes = db.prepare(`SELECT outcome, count(*) AS n FROM decisions INDEXED BY decisions_time WHERE time >= ? GROUP BY outcome`);
    this.risk = db.prepare(`SELECT min(9, CAST(json_extract(event, '$.risk') / 10 AS INTEGER)) AS band, count(*) AS n FROM decisions INDEXED BY decisions_time WHERE time >= ? AND route NOT LIKE 'console %' AND json_extract(event, '$.risk') IS NOT NULL GROUP BY band`);
  }

  /**
   * One page of decisions, newest first (the console lists the latest; the admin API pages oldest first).
   * `before` is the last page's smallest `seq`. `principal` is `Type::id`.
   */
  list(q: DecisionListQuery): { items: (DecisionEvent & { seq: number })[]; next?: number } {
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
    // One principal's rows come from its index (whose entries carry seq), not from a walk of the whole
    // table newest first looking for them; a time window likewise from the time index.
    const index = q.principal ? 'INDEXED BY decisions_principal_time' : q.since ? 'INDEXED BY decisions_time' : '';
    const rows = this.db
      .prepare(`SELECT seq, event FROM decisions ${index} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${q.limit + 1}`)
      .all(params) as { seq: number; event: string }[];
    const items = rows.slice(0, q.limit).map((r) => ({ ...(JSON.parse(r.event) as DecisionEvent), seq: r.seq }));
    return rows.length > q.limit ? { items, next: items.at(-1)!.seq } : { items };
  }

  /** The newest recorded decisions of traffic (not admin or console calls) since a time, newest first. */
  recent(since: Date, limit: number): DecisionEvent[] {
    return (this.recentTraffic.all(since.toISOString(), limit) as { event: string }[]).map((r) => JSON.parse(r.event) as DecisionEvent);
  }

  /** A principal's hourly peak risk score and refusals since a time (`principal` is `Type::id`). */
  riskOverTime(principal: string, since: Date): { hour: string; risk: number | null; decisions: number; refused: number }[] {
    return (this.principalRisk.all(principal, since.toISOString()) as { hour: string; risk: number | null; n: number; refused: number }[]).map((r) => ({ hour: r.hour, risk: r.risk, decisions: r.n, refused: r.refused }));
  }

  /** Decisions by outcome since a time, every route included (the compliance report's figure). */
  totals(since: Date): { allow: number; deny: number; step_up: number } {
    const totals = { allow: 0, deny: 0, step_up: 0 };
    for (const row of this.outcomes.all(since.toISOString()) as { outcome: string; n: number }[]) if (row.outcome in totals) totals[row.outcome as keyof typeof totals] = row.n;
    return totals;
  }

  overview(since: Date): DecisionOverview {
    const from = since.toISOString();
    const minutes = new Map<string, { minute: string; allow: number; deny: number; step_up: number }>();
    const totals = { allow: 0, deny: 0, step_up: 0 };
    for (const row of this.perMinute.all(from) as { minute: string; outcome: string; n: number }[]) {
      if (!(OUTCOMES as readonly string[]).includes(row.outcome)) continue;
      const outcome = row.outcome as (typeof OUTCOMES)[number];
      const entry = minutes.get(row.minute) ?? { minute: row.minute, allow: 0, deny: 0, step_up: 0 };
      entry[outcome] += row.n;
      totals[outcome] += row.n;
      minutes.set(row.minute, entry);
    }
    const bands = new Map((this.risk.all(from) as { band: number; n: number }[]).map((r) => [r.band, r.n]));
    return {
      since: from,
      perMinute: [...minutes.values()],
      totals,
      topDeniedPrincipals: (this.topPrincipals.all(from) as { principal: string; n: number }[]).map((r) => ({ principal: r.principal, count: r.n })),
      topDeniedResources: (this.topResources.all(from) as { resource: string; n: number }[]).map((r) => ({ resource: r.resource, count: r.n })),
      riskBands: Array.from({ length: 10 }, (_, i) => ({ band: i === 9 ? '90-100' : `${i * 10}-${i * 10 + 9}`, count: bands.get(i) ?? 0 })),
    };
  }
}
