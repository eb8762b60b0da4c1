/**
 * The decision table in the shared PostgreSQL database. With the cluster's audit log enabled the audit
 * leader writes it, in the transaction that appends each batch to the log (`insertDecisionsWithin`);
 * without one every instance writes the decisions it made (ids are unique, so a batch written twice
 * stores once). The console and the admin API of any instance read the whole cluster's. Indexes are
 * chosen for the console's reads at 1,000,000 rows (`npm run bench:console -- --database-url …`): the
 * time index carries the columns the overview aggregates, so a window is counted from the index alone.
 */
import type { DecisionEvent, WardenEvent } from '../../core/index.js';
import { applyPgMigrations, withTransaction, type PgClient, type PgPool } from '../../store/index.js';
import { assembleOverview, outcomeTotals } from '../decision-stats.js';
import { decisionColumns, queryLimit } from './sqlite.js';
import type { DecisionListQuery, DecisionOverview, DecisionPage, DecisionQuery, DecisionRepository, RecordedDecision, RiskHour } from './types.js';

const MIGRATIONS = [
  {
    version: 1,
    sql: `CREATE TABLE decisions (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, decision_id TEXT,
        time TIMESTAMPTZ NOT NULL, principal TEXT, outcome TEXT NOT NULL, route TEXT NOT NULL, action TEXT NOT NULL,
        resource TEXT NOT NULL, status INTEGER NOT NULL, enforced BOOLEAN NOT NULL, risk DOUBLE PRECISION,
        event JSONB NOT NULL);
      CREATE INDEX decisions_time ON decisions (time) INCLUDE (outcome, route, principal, resource, risk);
      CREATE INDEX decisions_principal_seq ON decisions (principal, seq);
      CREATE INDEX decisions_principal_time ON decisions (principal, time) INCLUDE (outcome, risk);
      CREATE INDEX decisions_decision_id ON decisions (decision_id);
      CREATE TABLE decisions_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), position BIGINT NOT NULL);`,
  },
];

/**
 * One statement per batch, its rows in one JSON document: `$1` is an array of objects with the columns
 * and the event. Measured against twelve parallel arrays through `unnest` (`npm run bench:decisions --
 * --writes-only`, both side by side), about twice the rows per second: an array literal escapes every
 * quote of every event's JSON and is parsed element by element into `jsonb`, while one document is parsed
 * once and the events are already `jsonb` inside it. The rest of a batch's time is the table's five index
 * updates per row and the ON CONFLICT check that makes a retried batch a no-op.
 */
const INSERT = `INSERT INTO decisions (id, decision_id, time, principal, outcome, route, action, resource, status, enforced, risk, event)
  SELECT id, decision_id, time, principal, outcome, route, action, resource, status, enforced, risk, event
  FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (id text, decision_id text, time timestamptz, principal text, outcome text,
                  route text, action text, resource text, status int, enforced boolean, risk float8, event jsonb))
    WITH ORDINALITY AS t(id, decision_id, time, principal, outcome, route, action, resource, status, enforced, risk, event, n)
  ORDER BY n
  ON CONFLICT (id) DO NOTHING`;

const CONSOLE = "route NOT LIKE 'console %'";

interface EventRow {
  seq: string;
  event: DecisionEvent;
}

function page(rows: EventRow[], limit: number): DecisionPage {
  const items = rows.slice(0, limit).map((r) => ({ ...r.event, seq: Number(r.seq) }));
  return rows.length > limit ? { items, next: items.at(-1)!.seq } : { items };
}

/** Builds a WHERE clause with numbered parameters. */
class Where {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];

  add(value: unknown, clause: (p: string) => string): void {
    if (value === undefined || value === '') return;
    this.params.push(value);
    this.clauses.push(clause(`$${this.params.length}`));
  }

  sql(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

export class PgDecisionRepository implements DecisionRepository {
  private constructor(private readonly pool: PgPool) {}

  static async open(pool: PgPool): Promise<PgDecisionRepository> {
    await applyPgMigrations(pool, 'decisions', MIGRATIONS);
    return new PgDecisionRepository(pool);
  }

  async append(events: readonly DecisionEvent[]): Promise<void> {
    if (events.length > 0) await insert(this.pool, events);
  }

  async appendFromLog(events: readonly DecisionEvent[], position: number): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      if (events.length > 0) await insert(client, events);
      await client.query('INSERT INTO decisions_cursor (id, position) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET position = excluded.position', [position]);
    });
  }

  async position(): Promise<number> {
    const { rows } = await this.pool.query<{ position: string }>('SELECT position FROM decisions_cursor WHERE id = 1');
    return rows[0] ? Number(rows[0].position) : 0;
  }

  async lastSeq(): Promise<number> {
    const { rows } = await this.pool.query<{ seq: string }>('SELECT COALESCE(max(seq), 0) AS seq FROM decisions');
    return Number(rows[0]!.seq);
  }

  async query(q: DecisionQuery): Promise<DecisionPage> {
    const where = new Where();
    if (q.principal) {
      // A bare id matches that id of any type: compared exactly, so `_` or `%` in an id are not wildcards.
      const bare = !q.principal.includes('::');
      where.add(q.principal, (p) => (bare ? `right(principal, char_length(${p}) + 2) = '::' || ${p}` : `principal = ${p}`));
    }
    where.add(q.decisionId, (p) => `decision_id = ${p}`);
    where.add(q.outcome, (p) => `outcome = ${p}`);
    where.add(q.since, (p) => `time >= ${p}`);
    where.add(q.until, (p) => `time < ${p}`);
    where.add(q.after, (p) => `seq > ${p}`);
    const limit = queryLimit(q.limit);
    const { rows } = await this.pool.query<EventRow>(`SELECT seq, event FROM decisions ${where.sql()} ORDER BY seq LIMIT ${limit + 1}`, where.params);
    return page(rows, limit);
  }

  async get(decisionId: string): Promise<RecordedDecision | undefined> {
    return (await this.query({ decisionId, limit: 1 })).items[0];
  }

  async list(q: DecisionListQuery): Promise<DecisionPage> {
    const where = new Where();
    where.add(q.principal, (p) => `principal = ${p}`);
    where.add(q.outcome, (p) => `outcome = ${p}`);
    where.add(q.resource, (p) => `resource = ${p}`);
    where.add(q.since, (p) => `time >= ${p}`);
    where.add(q.until, (p) => `time < ${p}`);
    where.add(q.before, (p) => `seq < ${p}`);
    if (!q.includeConsole) where.clauses.push(CONSOLE);
    const limit = Math.max(1, Math.trunc(q.limit));
    const { rows } = await this.pool.query<EventRow>(`SELECT seq, event FROM decisions ${where.sql()} ORDER BY seq DESC LIMIT ${limit + 1}`, where.params);
    return page(rows, limit);
  }

  async recent(since: Date, limit: number): Promise<DecisionEvent[]> {
    const { rows } = await this.pool.query<{ event: DecisionEvent }>(
      `SELECT event FROM decisions WHERE time >= $1 AND principal IS NOT NULL AND ${CONSOLE} AND route NOT LIKE 'admin %' ORDER BY time DESC LIMIT $2`,
      [since.toISOString(), limit],
    );
    return rows.map((r) => r.event);
  }

  async riskOverTime(principal: string, since: Date): Promise<RiskHour[]> {
    const { rows } = await this.pool.query<{ hour: string; risk: number | null; n: string; refused: string }>(
      `SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24') AS hour, max(risk) AS risk, count(*) AS n,
              count(*) FILTER (WHERE outcome <> 'allow') AS refused
       FROM decisions WHERE principal = $1 AND time >= $2 GROUP BY hour ORDER BY hour`,
      [principal, since.toISOString()],
    );
    return rows.map((r) => ({ hour: r.hour, risk: r.risk, decisions: Number(r.n), refused: Number(r.refused) }));
  }

  async totals(since: Date): Promise<{ allow: number; deny: number; step_up: number }> {
    const { rows } = await this.pool.query<{ outcome: string; n: string }>('SELECT outcome, count(*) AS n FROM decisions WHERE time >= $1 GROUP BY outcome', [since.toISOString()]);
    return outcomeTotals(rows.map((r) => ({ outcome: r.outcome, n: Number(r.n) })));
  }

  async overview(since: Date): Promise<DecisionOverview> {
    const from = since.toISOString();
    const count = <T extends { n: string }>(rows: T[]): (Omit<T, 'n'> & { n: number })[] => rows.map((r) => ({ ...r, n: Number(r.n) }));
    const [perMinute, principals, resources, bands] = await Promise.all([
      this.pool.query<{ minute: string; outcome: string; n: string }>(
        `SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') AS minute, outcome, count(*) AS n
         FROM decisions WHERE time >= $1 AND ${CONSOLE} GROUP BY minute, outcome ORDER BY minute`,
        [from],
      ),
      this.pool.query<{ principal: string; n: string }>(
        `SELECT principal, count(*) AS n FROM decisions WHERE time >= $1 AND outcome = 'deny' AND principal IS NOT NULL AND ${CONSOLE}
         GROUP BY principal ORDER BY n DESC, principal LIMIT 10`,
        [from],
      ),
      this.pool.query<{ resource: string; n: string }>(
        `SELECT resource, count(*) AS n FROM decisions WHERE time >= $1 AND outcome = 'deny' AND ${CONSOLE}
         GROUP BY resource ORDER BY n DESC, resource LIMIT 10`,
        [from],
      ),
      this.pool.query<{ band: number; n: string }>(
        `SELECT least(9, floor(risk / 10))::int AS band, count(*) AS n FROM decisions
         WHERE time >= $1 AND ${CONSOLE} AND risk IS NOT NULL GROUP BY band`,
        [from],
      ),
    ]);
    return assembleOverview(from, {
      perMinute: count(perMinute.rows),
      topDeniedPrincipals: count(principals.rows),
      topDeniedResources: count(resources.rows),
      riskBands: count(bands.rows),
    });
  }
}

/**
 * Writes the decisions among `events` on `client`, inside the caller's transaction. In a cluster the audit
 * leader calls it while it appends a batch to the log (wired in `src/app/warden.ts`), so the table holds a
 * decision exactly when the log does: both commit or neither. The rows are the plaintext decision events,
 * as the bus path writes them; ON CONFLICT (id) makes a retried batch, or a row the bus path already
 * wrote, a no-op. A database error throws (the append is retried, nothing is lost); a decision that can
 * never be a row (`decisionRowProblem`) is left out and reported to `onSkipped` instead, because retrying
 * it would stall the audit log for good (the log keeps it).
 */
export async function insertDecisionsWithin(client: PgClient, events: readonly WardenEvent[], onSkipped?: (event: DecisionEvent, problem: string) => void): Promise<void> {
  const decisions: DecisionEvent[] = [];
  for (const e of events) {
    if (e.type !== 'decision') continue;
    const problem = decisionRowProblem(e);
    if (problem) onSkipped?.(e, problem);
    else decisions.push(e);
  }
  if (decisions.length > 0) await insert(client, decisions);
}

const isRef = (v: unknown): boolean => typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string' && typeof (v as { id?: unknown }).id === 'string';

/**
 * Why a decision event cannot be a row of this table (a NOT NULL column missing, a value PostgreSQL
 * refuses), or null. The audit inbox accepts any event with a type, an id and a time, so a decision
 * published with a malformed body reaches the leader; this is checked before the insert rather than
 * learnt from a failed transaction.
 */
function decisionRowProblem(e: DecisionEvent): string | null {
  const year = new Date(e.time).getUTCFullYear();
  if (!(year >= 1 && year <= 9999)) return '`time` is not a timestamp';
  if (e.principal != null && !isRef(e.principal)) return '`principal` is not an entity reference';
  if (!isRef(e.resource)) return '`resource` is not an entity reference';
  for (const key of ['outcome', 'route', 'action'] as const) if (typeof e[key] !== 'string') return `\`${key}\` is not a string`;
  if (!Number.isInteger(e.status) || Math.abs(e.status) > 2 ** 31 - 1) return '`status` is not an integer';
  if (typeof e.enforced !== 'boolean') return '`enforced` is not a boolean';
  if (e.decisionId != null && typeof e.decisionId !== 'string') return '`decisionId` is not a string';
  // jsonb refuses the NUL character in strings (text accepts its JSON escape, so the log holds it).
  if (JSON.stringify(e).includes('\\u0000')) return 'a string holds the NUL character';
  return null;
}

async function insert(db: PgPool | PgClient, events: readonly DecisionEvent[]): Promise<void> {
  const rows = events.map((e) => {
    const c = decisionColumns(e);
    // As ISO 8601: the same instant for Warden's own times, and a form PostgreSQL reads for any time JavaScript reads.
    return { id: c.id, decision_id: e.decisionId ?? null, time: new Date(c.time).toISOString(), principal: c.principal, outcome: c.outcome, route: c.route, action: c.action, resource: c.resource, status: c.status, enforced: c.enforced, risk: typeof e.risk === 'number' ? e.risk : null, event: e };
  });
  await db.query(INSERT, [JSON.stringify(rows)]);
}
