/** What every detector receives besides the activity: configuration, geo and learning state. */
import type { RiskConfig } from '../config.js';
import type { GeoLocator } from '../geo.js';

export interface DetectorContext {
  config: RiskConfig;
  geo: GeoLocator | null;
  learningMs: number;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Hour of the week in UTC, 0 = Sunday 00:00. */
export function hourOfWeek(t: number): number {
  return (Math.floor(t / HOUR_MS) + 96) % 168; // 1970-01-01 was a Thursday (4 days * 24 h)
}

export function fmtDays(ms: number): string {
  const days = ms / DAY_MS;
  return days >= 1 ? `${Math.round(days)} days` : `${Math.max(1, Math.round(ms / HOUR_MS))} hours`;
}
