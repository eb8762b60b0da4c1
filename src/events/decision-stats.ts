/**
 * The console overview's shape, assembled from the aggregates each backend computes over the decision
 * table (`store/sqlite.ts`, `store/postgres.ts`): per-minute counts by outcome, the most denied principals
 * and resources, and the risk scores seen. The console's own API calls are left out (they are decisions
 * too, recorded like every request, but not the traffic an analyst watches). Every aggregate is bounded by
 * a time window and served by the time index, so its cost follows the window, not the table's size.
 */
import type { DecisionOverview } from './store/types.js';

export type { DecisionOverview, DecisionListQuery } from './store/types.js';

const OUTCOMES = ['allow', 'deny', 'step_up'] as const;

/** The aggregates one backend computed for a window, as plain rows. */
export interface OverviewRows {
  perMinute: { minute: string; outcome: string; n: number }[];
  topDeniedPrincipals: { principal: string; n: number }[];
  topDeniedResources: { resource: string; n: number }[];
  /** Band 0 for scores 0-9, …, 9 for 90-100. */
  riskBands: { band: number; n: number }[];
}

export function assembleOverview(since: string, rows: OverviewRows): DecisionOverview {
  const minutes = new Map<string, { minute: string; allow: number; deny: number; step_up: number }>();
  const totals = { allow: 0, deny: 0, step_up: 0 };
  for (const row of rows.perMinute) {
    if (!(OUTCOMES as readonly string[]).includes(row.outcome)) continue;
    const outcome = row.outcome as (typeof OUTCOMES)[number];
    const entry = minutes.get(row.minute) ?? { minute: row.minute, allow: 0, deny: 0, step_up: 0 };
    entry[outcome] += row.n;
    totals[outcome] += row.n;
    minutes.set(row.minute, entry);
  }
  const bands = new Map(rows.riskBands.map((r) => [r.band, r.n]));
  return {
    since,
    perMinute: [...minutes.values()],
    totals,
    topDeniedPrincipals: rows.topDeniedPrincipals.map((r) => ({ principal: r.principal, count: r.n })),
    topDeniedResources: rows.topDeniedResources.map((r) => ({ resource: r.resource, count: r.n })),
    riskBands: Array.from({ length: 10 }, (_, i) => ({ band: i === 9 ? '90-100' : `${i * 10}-${i * 10 + 9}`, count: bands.get(i) ?? 0 })),
  };
}

/** Counts by outcome as the totals object (outcomes outside the three are not counted). */
export function outcomeTotals(rows: readonly { outcome: string; n: number }[]): { allow: number; deny: number; step_up: number } {
  const totals = { allow: 0, deny: 0, step_up: 0 };
  for (const row of rows) if (Object.hasOwn(totals, row.outcome)) totals[row.outcome as keyof typeof totals] = row.n;
  return totals;
}
