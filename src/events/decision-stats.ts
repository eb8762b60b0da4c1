/**
 * Aggregates over the decision table for the console's overview: per-minute counts by outcome, the most
 * denied principals and resources, and the risk scores seen. The console's own API calls are left out
 * (they are decisions too, recorded like every request, but not the traffic an analyst watches). The
 * overview's counts come from the per-minute rollup (decision-rollup.ts), so their cost follows the
 * window's minutes, not its decisions; lists are bounded by an index and a page size.
 */
import type { DecisionEvent } from '../core/events.js';
import type { SqliteDatabase } from '../store/index.js';
import { DecisionRollup } from './decision-rollup.js';

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
  private readonly rollup: DecisionRollup;
  private readonly recentTraffic;
  private readonly principalRisk;

  /** `db` is the connection that holds the `decisions` table (DecisionLog applies its migrations). */
  constructor(private readonly db: SqliteDatabase) {
    this.rollup = new DecisionRollup(db);
    this.recentTraffic = db.prepare(
      `SELECT event FROM decisions INDEXED BY decisions_time WHERE time >= ? AND principal IS NOT NULL AND route NOT LIKE 'console %' AND route NOT LIKE 'admin %' ORDER BY time DESC LIMIT ?`,
    );
    this.principalRisk = db.prepare(
      `SELECT substr(time, 1, 13) AS hour, max(json_extract(event, '$.risk')) AS risk, count(*) AS n, sum(outcome != 'allow') AS refused FROM decisions INDEXED BY decisions_principal_time WHERE principal = ? AND time >= ? GROUP BY hour ORDER BY hour`,
    );
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
    // One principal's rows come from its index, read backwards in seq order (a page of the newest is read
    // without sorting the principal's rows), or from its time index within a window; a time window
    // likewise from the time index; otherwise the table itself newest first.
    const window = q.since !== undefined || q.until !== undefined;
    const index = q.principal ? (window ? 'INDEXED BY decisions_principal_time' : 'INDEXED BY decisions_principal') : q.since ? 'INDEXED BY decisions_time' : '';
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

  /** Decisions by outcome since a time (per started minute), every route included (the compliance report's figure). */
  totals(since: Date): { allow: number; deny: number; step_up: number } {
    const totals = { allow: 0, deny: 0, step_up: 0 };
    for (const row of this.rollup.largest('all', since)) if (row.key in totals) totals[row.key as keyof typeof totals] = row.n;
    return totals;
  }

  /** The overview's figures since a time, read from the per-minute rollup (counts per started minute). */
  overview(since: Date): DecisionOverview {
    const { minutes, totals } = countByOutcome(this.rollup.perMinute('outcome', since));
    const bands = new Map(this.rollup.largest('band', since).map((row) => [Number(row.key), row.n]));
    return {
      since: since.toISOString(),
      perMinute: [...minutes.values()],
      totals,
      topDeniedPrincipals: this.rollup.largest('deny_principal', since, 10).map((r) => ({ principal: r.key, count: r.n })),
      topDeniedResources: this.rollup.largest('deny_resource', since, 10).map((r) => ({ resource: r.key, count: r.n })),
      riskBands: Array.from({ length: 10 }, (_, i) => ({ band: i === 9 ? '90-100' : `${i * 10}-${i * 10 + 9}`, count: bands.get(i) ?? 0 })),
    };
  }
}

type Counts = { allow: number; deny: number; step_up: number };

/** Per-minute rows keyed by outcome folded into one entry per minute and the window's totals. */
function countByOutcome(rows: { minute: string; key: string; n: number }[]): { minutes: Map<string, Counts & { minute: string }>; totals: Counts } {
  const minutes = new Map<string, Counts & { minute: string }>();
  const totals = { allow: 0, deny: 0, step_up: 0 };
  for (const row of rows) {
    if (!(OUTCOMES as readonly string[]).includes(row.key)) continue;
    const outcome = row.key as (typeof OUTCOMES)[number];
    const entry = minutes.get(row.minute) ?? { minute: row.minute, allow: 0, deny: 0, step_up: 0 };
    entry[outcome] += row.n;
    totals[outcome] += row.n;
    minutes.set(row.minute, entry);
  }
  return { minutes, totals };
}
