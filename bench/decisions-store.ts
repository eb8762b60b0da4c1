/**
 * `npm run bench:decisions`: the decision table's reads that the console and the admin API make, on SQLite
 * and on PostgreSQL side by side, with the same rows in each (default 1,000,000 decisions over 30 days,
 * 200 principals). Times each repository call directly (p50 and p95 over `--runs` calls, one at a time),
 * so the figures are the database's, not HTTP's. The console itself is not served on a cluster database
 * yet (docs/console.md), which is why `bench:console` cannot be pointed at PostgreSQL.
 *
 * `--writes-only` measures instead the PostgreSQL write rate of the repository's batch statement against
 * the statement it replaced (twelve parallel arrays through `unnest`), side by side in one run: two fresh
 * tables, the same events, batches alternating between them.
 *
 * Usage: npm run bench:decisions -- [--decisions 1000000] [--runs 30] [--database-url postgres://…] [--json]
 *        npm run bench:decisions -- --writes-only [--decisions 100000]
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { DecisionEvent } from '../src/core/events.js';
import { prng } from '../src/core/prng.js';
import { PgDecisionRepository, SqliteDecisionRepository, type DecisionRepository } from '../src/events/index.js';
import { decisionColumns } from '../src/events/store/sqlite.js';
import { openDatabase } from '../src/store/index.js';
import { freshSchema, type TestSchema } from '../test/helpers/postgres.js';
import { tempDir } from '../test/helpers/warden-process.js';

const { values } = parseArgs({ options: { decisions: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '30' }, 'database-url': { type: 'string' }, json: { type: 'boolean', default: false }, 'writes-only': { type: 'boolean', default: false } } });
if (values['database-url']) process.env.WARDEN_TEST_DATABASE_URL = values['database-url'];
const DECISIONS = Number(values.decisions);
const RUNS = Number(values.runs);
const DAY = 86_400_000;
const BATCH = 5000;
const principals = Array.from({ length: 200 }, (_, i) => `u${i}`);
const models = ['chat', 'secure', 'embed', 'vision'];

/** The same decisions for every backend: a seeded generator. */
function decisionMaker(): (i: number) => DecisionEvent {
  const random = prng(15);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const now = Date.now();
  return (i) => {
    const r = random();
    const outcome = r < 0.8 ? 'allow' : r < 0.95 ? 'deny' : 'step_up';
    const principal = pick(principals);
    return {
      type: 'decision', id: randomUUID(), time: new Date(now - 30 * DAY + (i / DECISIONS) * 30 * DAY).toISOString(), requestId: randomUUID(), decisionId: `${i.toString(16).padStart(8, '0')}-bench`,
      principal: { type: 'User', id: principal, groups: ['staff'] }, authMethod: 'apikey', credentialId: `k${principal}`, action: 'invoke', resource: { type: 'Model', id: pick(models) },
      route: 'openai.chat', method: 'POST', path: '/v1/chat/completions', sourceIp: `10.0.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}`, userAgent: 'bench',
      outcome, enforced: true, policyIds: ['models-staff-internal'], status: outcome === 'allow' ? 200 : outcome === 'deny' ? 403 : 401, risk: Math.floor(random() * random() * 100), latencyMs: { total: 3 },
    };
  };
}

/** Fills `repo` in batches; returns a decision id near the end. */
async function fill(repo: DecisionRepository): Promise<{ decisionId: string; seconds: number }> {
  const make = decisionMaker();
  const t0 = performance.now();
  let batch: DecisionEvent[] = [];
  for (let i = 0; i < DECISIONS; i++) {
    batch.push(make(i));
    if (batch.length === BATCH) {
      await repo.append(batch);
      batch = [];
    }
  }
  await repo.append(batch);
  return { decisionId: `${(DECISIONS - 10).toString(16).padStart(8, '0')}-bench`, seconds: (performance.now() - t0) / 1000 };
}

/** The batch statement before the single JSON document (commit 7a9278b): the reference of `--writes-only`. */
const UNNEST_INSERT = `INSERT INTO decisions (id, decision_id, time, principal, outcome, route, action, resource, status, enforced, risk, event)
  SELECT id, decision_id, time, principal, outcome, route, action, resource, status, enforced, risk, event
  FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
              $9::int[], $10::boolean[], $11::float8[], $12::jsonb[])
    WITH ORDINALITY AS t(id, decision_id, time, principal, outcome, route, action, resource, status, enforced, risk, event, n)
  ORDER BY n
  ON CONFLICT (id) DO NOTHING`;

async function unnestAppend(pool: TestSchema['pool'], events: readonly DecisionEvent[]): Promise<void> {
  const columns: unknown[][] = Array.from({ length: 12 }, () => []);
  for (const e of events) {
    const c = decisionColumns(e);
    const values = [c.id, e.decisionId ?? null, new Date(c.time).toISOString(), c.principal, c.outcome, c.route, c.action, c.resource, c.status, c.enforced, typeof e.risk === 'number' ? e.risk : null, JSON.stringify(e)];
    values.forEach((v, i) => columns[i]!.push(v));
  }
  await pool.query(UNNEST_INSERT, columns);
}

/** The write rate of the old and the new batch statement, batches alternating between two fresh tables. */
async function compareWrites(): Promise<void> {
  const [oldSchema, newSchema] = [await freshSchema('bench'), await freshSchema('bench')];
  try {
    await PgDecisionRepository.open(oldSchema.pool);
    const repo = await PgDecisionRepository.open(newSchema.pool);
    const make = decisionMaker();
    const seconds = { unnest: 0, json: 0 };
    for (let i = 0; i < DECISIONS; i += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, DECISIONS - i) }, (_, j) => make(i + j));
      // Both get the same batch (its events' ids are new to each table); which goes first alternates.
      const runs: [keyof typeof seconds, () => Promise<void>][] = [['unnest', () => unnestAppend(oldSchema.pool, batch)], ['json', () => repo.append(batch)]];
      if ((i / BATCH) % 2 === 1) runs.reverse();
      for (const [name, run] of runs) {
        const t = performance.now();
        await run();
        seconds[name] += (performance.now() - t) / 1000;
      }
    }
    const result = { decisions: DECISIONS, batch: BATCH, perSecond: { unnest: DECISIONS / seconds.unnest, json: DECISIONS / seconds.json } };
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else console.log(`PostgreSQL batched writes, ${DECISIONS.toLocaleString()} decisions each, ${BATCH} a batch: twelve arrays through unnest ${result.perSecond.unnest.toFixed(0)}/s, one JSON document ${result.perSecond.json.toFixed(0)}/s (${(result.perSecond.json / result.perSecond.unnest).toFixed(2)}x)`);
  } finally {
    await oldSchema.close();
    await newSchema.close();
  }
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function time(call: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < RUNS + 3; i++) {
    const t = performance.now();
    await call();
    if (i >= 3) times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p95: quantile(times, 0.95) };
}

function reads(repo: DecisionRepository, decisionId: string): [string, () => Promise<unknown>][] {
  const ago = (ms: number): Date => new Date(Date.now() - ms);
  return [
    ['overview, last 60 min', () => repo.overview(ago(3600_000))],
    ['overview, last 24 h', () => repo.overview(ago(DAY))],
    ['list newest 50', () => repo.list({ limit: 50 })],
    ['list newest 50 of one principal', () => repo.list({ limit: 50, principal: 'User::u7' })],
    ['list newest 50 denied', () => repo.list({ limit: 50, outcome: 'deny' })],
    ['get by decision id', () => repo.get(decisionId)],
    ['risk over 7 days of one principal', () => repo.riskOverTime('User::u7', ago(7 * DAY))],
    ['totals, last 24 h', () => repo.totals(ago(DAY))],
    ['recent 2000 of the last day (replay)', () => repo.recent(ago(DAY), 2000)],
    ['admin query oldest 100 of one principal', () => repo.query({ principal: 'User::u7', limit: 100 })],
  ];
}

async function main(): Promise<void> {
  const dir = tempDir('warden-decisions-bench-');
  const db = openDatabase(dir, 'warden.db', { synchronous: 'NORMAL' });
  const schema = await freshSchema('bench');
  try {
    const sqlite = new SqliteDecisionRepository(db);
    const pg = await PgDecisionRepository.open(schema.pool);
    const filledSqlite = await fill(sqlite);
    console.error(`sqlite: ${DECISIONS} decisions written in ${filledSqlite.seconds.toFixed(0)} s`);
    const filledPg = await fill(pg);
    // What autovacuum does on its own after a bulk load: statistics and the visibility map (index-only scans).
    await schema.pool.query('VACUUM (ANALYZE) decisions');
    console.error(`postgres: ${DECISIONS} decisions written in ${filledPg.seconds.toFixed(0)} s`);
    const rows: { read: string; sqlite: { p50: number; p95: number }; postgres: { p50: number; p95: number } }[] = [];
    const sqliteReads = reads(sqlite, filledSqlite.decisionId);
    const pgReads = reads(pg, filledPg.decisionId);
    for (let i = 0; i < sqliteReads.length; i++) rows.push({ read: sqliteReads[i]![0], sqlite: await time(sqliteReads[i]![1]), postgres: await time(pgReads[i]![1]) });
    const result = { decisions: DECISIONS, runs: RUNS, writeRate: { sqlite: DECISIONS / filledSqlite.seconds, postgres: DECISIONS / filledPg.seconds }, reads: rows };
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else {
      console.log(`decision table reads with ${DECISIONS.toLocaleString()} decisions (${RUNS} calls each)`);
      console.log('| read | SQLite p50 ms | SQLite p95 ms | PostgreSQL p50 ms | PostgreSQL p95 ms |\n| --- | ---: | ---: | ---: | ---: |');
      for (const r of rows) console.log(`| ${r.read} | ${r.sqlite.p50.toFixed(1)} | ${r.sqlite.p95.toFixed(1)} | ${r.postgres.p50.toFixed(1)} | ${r.postgres.p95.toFixed(1)} |`);
      console.log(`batched writes (${BATCH} a batch): SQLite ${result.writeRate.sqlite.toFixed(0)}/s, PostgreSQL ${result.writeRate.postgres.toFixed(0)}/s`);
    }
  } finally {
    db.close();
    await schema.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await (values['writes-only'] ? compareWrites() : main());
