/**
 * The overview's incident figures, from the response module's incidents: the ones not yet resolved
 * (newest activity first) and, per day, how long detection and containment took (mean seconds of the
 * incidents first detected that day), so a trend is visible, not only the all-time mean `incidents/stats`
 * gives.
 */
import { incidentStats, type Incident } from '../response/index.js';

export interface IncidentDay {
  day: string;
  incidents: number;
  timeToDetectSeconds: number | null;
  timeToContainSeconds: number | null;
}

export interface IncidentOverview {
  open: Incident[];
  openCount: number;
  perDay: IncidentDay[];
}

/**
 * `incidents` any order; `since` bounds the days (by first detection).
 *
 * @example incidentOverview(await repo.listIncidents(), new Date(Date.now() - 30 * 86_400_000))
 */
export function incidentOverview(incidents: readonly Incident[], since: Date, openLimit = 10): IncidentOverview {
  const unresolved = incidents.filter((i) => i.state !== 'resolved').sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));
  const byDay = new Map<string, Incident[]>();
  for (const i of incidents) {
    if (Date.parse(i.firstDetectionAt) < since.getTime()) continue;
    const day = i.firstDetectionAt.slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), i]);
  }
  const perDay = [...byDay]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, group]) => {
      const stats = incidentStats(group);
      return { day, incidents: group.length, timeToDetectSeconds: stats.timeToDetect.meanSeconds, timeToContainSeconds: stats.timeToContain.meanSeconds };
    });
  return { open: unresolved.slice(0, openLimit), openCount: unresolved.length, perDay };
}
