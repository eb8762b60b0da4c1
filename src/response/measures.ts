/**
 * The measures of issue 13: mean and p90 time to detect (first event → first detection), acknowledge,
 * contain (first detection → first containing action) and resolve; incidents per week by type; the
 * share resolved as false positive. Computed from the incidents, so the CLI and `/metrics` agree.
 */
import type { Incident } from './types.js';

export interface Duration {
  count: number;
  meanSeconds: number | null;
  p90Seconds: number | null;
}

export interface IncidentStats {
  incidents: number;
  open: number;
  timeToDetect: Duration;
  timeToAcknowledge: Duration;
  timeToContain: Duration;
  timeToResolve: Duration;
  /** ISO week start (Monday, UTC) → incident type → count. */
  perWeek: Record<string, Record<string, number>>;
  resolved: number;
  falsePositiveShare: number | null;
}

export function incidentStats(incidents: readonly Incident[]): IncidentStats {
  const between = (from: (i: Incident) => string | undefined, to: (i: Incident) => string | undefined): Duration =>
    summarise(incidents.flatMap((i) => {
      const a = from(i);
      const b = to(i);
      return a && b ? [Math.max(0, (Date.parse(b) - Date.parse(a)) / 1000)] : [];
    }));
  const perWeek: Record<string, Record<string, number>> = {};
  for (const i of incidents) {
    const week = weekStart(i.createdAt);
    const row = (perWeek[week] ??= {});
    row[i.type] = (row[i.type] ?? 0) + 1;
  }
  const resolved = incidents.filter((i) => i.state === 'resolved');
  return {
    incidents: incidents.length,
    open: incidents.length - resolved.length,
    timeToDetect: between((i) => i.firstEventAt, (i) => i.firstDetectionAt),
    timeToAcknowledge: between((i) => i.firstDetectionAt, (i) => i.acknowledgedAt),
    timeToContain: between((i) => i.firstDetectionAt, (i) => i.containedAt),
    timeToResolve: between((i) => i.firstDetectionAt, (i) => i.resolvedAt),
    perWeek,
    resolved: resolved.length,
    falsePositiveShare: resolved.length ? resolved.filter((i) => i.resolution === 'false_positive').length / resolved.length : null,
  };
}

function summarise(values: number[]): Duration {
  if (values.length === 0) return { count: 0, meanSeconds: null, p90Seconds: null };
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
  // Nearest rank: the smallest value with at least 90% of the values at or below it.
  const p90 = sorted[Math.max(0, Math.ceil(0.9 * sorted.length) - 1)]!;
  return { count: sorted.length, meanSeconds: round(mean), p90Seconds: round(p90) };
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** The Monday (UTC) of the week of `iso`, as `YYYY-MM-DD`. */
export function weekStart(iso: string): string {
  const d = new Date(iso);
  const day = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day)).toISOString().slice(0, 10);
}
