/**
 * Per-minute counts of the decision table, kept as rows are written (same transaction), so the console's
 * overview and compliance figures read a few thousand small rows instead of every decision of the
 * window: a day at 25 decisions a second is 2 million rows, but at most 1,440 minutes of each count.
 *
 * One table, `(kind, minute, key) → n`:
 * - `outcome`: traffic decisions (the console's own calls left out) by outcome
 * - `all`: every decision by outcome (the compliance report counts every route)
 * - `band`: traffic decisions with a risk score, by band (`0` is 0-9 ... `9` is 90-100)
 * - `deny_principal`, `deny_resource`: denied traffic by principal (`Type::id`) and by resource
 *
 * Counts are per started minute (`YYYY-MM-DDTHH:MM`, UTC): a window that starts mid-minute includes
 * that whole minute.
 */
import type { DecisionEvent } from '../core/index.js';
import type { SqliteDatabase } from '../store/index.js';

export type RollupKind = 'outcome' | 'all' | 'band' | 'deny_principal' | 'deny_resource';

/** The migration that creates the table and fills it from the decisions already recorded. */
export const ROLLUP_MIGRATION_SQL = `
  CREATE TABLE decisions_rollup (kind TEXT NOT NULL, minute TEXT NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (kind, minute, key)) WITHOUT ROWID;
  INSERT INTO decisions_rollup SELECT 'all', substr(time, 1, 16), outcome, count(*) FROM decisions GROUP BY 2, 3;
  INSERT INTO decisions_rollup SELECT 'outcome', substr(time, 1, 16), outcome, count(*) FROM decisions WHERE route NOT LIKE 'console %' GROUP BY 2, 3;
  INSERT INTO decisions_rollup SELECT 'band', substr(time, 1, 16), min(9, CAST(json_extract(event, '$.risk') / 10 AS INTEGER)), count(*) FROM decisions
    WHERE route NOT LIKE 'console %' AND json_extract(event, '$.risk') IS NOT NULL GROUP BY 2, 3;
  INSERT INTO decisions_rollup SELECT 'deny_principal', substr(time, 1, 16), principal, count(*) FROM decisions
    WHERE outcome = 'deny' AND principal IS NOT NULL AND route NOT LIKE 'console %' GROUP BY 2, 3;
  INSERT INTO decisions_rollup SELECT 'deny_resource', substr(time, 1, 16), resource, count(*) FROM decisions
    WHERE outcome = 'deny' AND route NOT LIKE 'console %' GROUP BY 2, 3;`;

const isConsoleRoute = (route: string): boolean => route.startsWith('console ');

/** The risk band a score falls in, as the rollup and the overview name it (`0`..`9`). */
const riskBand = (risk: number): number => Math.min(9, Math.max(0, Math.floor(risk / 10)));

export class DecisionRollup {
  private readonly bump;
  private readonly sums;
  private readonly top;

  constructor(db: SqliteDatabase) {
    this.bump = db.prepare(`INSERT INTO decisions_rollup (kind, minute, key, n) VALUES (?, ?, ?, 1) ON CONFLICT (kind, minute, key) DO UPDATE SET n = n + 1`);
    this.sums = db.prepare(`SELECT minute, key, n FROM decisions_rollup WHERE kind = ? AND minute >= ? ORDER BY minute`);
    this.top = db.prepare(`SELECT key, sum(n) AS n FROM decisions_rollup WHERE kind = ? AND minute >= ? GROUP BY key ORDER BY n DESC, key LIMIT ?`);
  }

  /** Counts one newly stored decision; call inside the transaction that stored it. */
  add(e: DecisionEvent, principal: string | null, resource: string): void {
    const minute = e.time.slice(0, 16);
    this.bump.run('all', minute, e.outcome);
    if (isConsoleRoute(e.route)) return;
    this.bump.run('outcome', minute, e.outcome);
    if (typeof e.risk === 'number') this.bump.run('band', minute, String(riskBand(e.risk)));
    if (e.outcome !== 'deny') return;
    if (principal !== null) this.bump.run('deny_principal', minute, principal);
    this.bump.run('deny_resource', minute, resource);
  }

  /** Every count of a kind from the minute of `since` on, oldest minute first. */
  perMinute(kind: RollupKind, since: Date): { minute: string; key: string; n: number }[] {
    return this.sums.all(kind, minuteOf(since)) as { minute: string; key: string; n: number }[];
  }

  /** The `limit` keys of a kind with the largest sum from the minute of `since` on (all keys without a limit). */
  largest(kind: RollupKind, since: Date, limit = -1): { key: string; n: number }[] {
    return this.top.all(kind, minuteOf(since), limit) as { key: string; n: number }[];
  }
}

const minuteOf = (time: Date): string => time.toISOString().slice(0, 16);
