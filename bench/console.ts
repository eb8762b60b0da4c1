/**
 * `npm run bench:console`: the console API at scale. Fills a data directory with 1,000,000 decisions
 * (30 days, 200 principals) and 100,000 detections, starts Warden on it (its own process), signs in, and
 * times every console API read the pages make: p50 and p95 over `--runs` calls each, one at a time.
 * Also reports the first page load (the HTML and the assets it names, gzip as served) and the
 * re-decision of a day's recorded traffic under an edit. Target: every read's p95 <= 200 ms.
 *
 * Usage: npm run bench:console -- [--decisions 1000000] [--detections 100000] [--runs 40] [--json]
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DecisionEvent } from '../src/core/events.js';
import { prng } from '../src/core/prng.js';
import { DecisionLog, SqliteDecisionRepository } from '../src/events/index.js';
import { ApiKeyStore, SqliteApiKeyRepository } from '../src/identity/index.js';
import { SqliteDetectionRepository, type DetectionRecord } from '../src/risk/index.js';
import { openDatabase } from '../src/store/index.js';
import { startWarden, tempDir } from '../test/helpers/warden-process.js';

const { values } = parseArgs({ options: { decisions: { type: 'string', default: '1000000' }, detections: { type: 'string', default: '100000' }, runs: { type: 'string', default: '40' }, json: { type: 'boolean', default: false } } });
const DECISIONS = Number(values.decisions);
const DETECTIONS = Number(values.detections);
const RUNS = Number(values.runs);
const DAY = 86_400_000;
const random = prng(15);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const principals = Array.from({ length: 200 }, (_, i) => `u${i}`);
const models = ['chat', 'secure', 'embed', 'vision'];

async function fill(dataDir: string): Promise<{ decisionId: string }> {
  const t0 = performance.now();
  const now = Date.now();
  const db = openDatabase(dataDir, 'warden.db', { synchronous: 'NORMAL' });
  const log = new DecisionLog(new SqliteDecisionRepository(db));
  let sample = '';
  for (let i = 0; i < DECISIONS; i++) {
    const r = random();
    const outcome = r < 0.8 ? 'allow' : r < 0.95 ? 'deny' : 'step_up';
    const principal = pick(principals);
    const decisionId = randomUUID();
    if (i === DECISIONS - 10) sample = decisionId;
    const event: DecisionEvent = {
      type: 'decision', id: randomUUID(), time: new Date(now - 30 * DAY + (i / DECISIONS) * 30 * DAY).toISOString(), requestId: randomUUID(), decisionId,
      principal: { type: 'User', id: principal, groups: ['staff'] }, authMethod: 'apikey', credentialId: `k${principal}`, action: 'invoke', resource: { type: 'Model', id: pick(models) },
      route: 'openai.chat', method: 'POST', path: '/v1/chat/completions', sourceIp: `10.0.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}`, userAgent: 'bench',
      outcome, enforced: true, policyIds: ['models-staff-internal'], status: outcome === 'allow' ? 200 : outcome === 'deny' ? 403 : 401, risk: Math.floor(random() * random() * 100), latencyMs: { total: 3 },
    };
    log.record(event);
  }
  await log.close();
  db.close();
  const riskDb = openDatabase(dataDir);
  const store = new SqliteDetectionRepository(riskDb);
  const detectors = ['risk.impossible_travel', 'risk.brute_force', 'guard.injection', 'guard.dlp', 'risk.volume', 'risk.first_access'];
  for (let start = 0; start < DETECTIONS; start += 5000) {
    const batch: DetectionRecord[] = [];
    for (let i = start; i < Math.min(DETECTIONS, start + 5000); i++) {
      const score = random();
      batch.push({ id: randomUUID(), time: new Date(now - 30 * DAY + (i / DETECTIONS) * 30 * DAY).toISOString(), detector: pick(detectors), category: 'behaviour', entity: { type: 'User', id: pick(principals) }, score, severity: score > 0.9 ? 'critical' : score > 0.7 ? 'high' : 'medium', explanation: 'synthetic detection for the benchmark', contribution: Math.round(score * 30) });
    }
    await store.append(batch);
  }
  riskDb.close();
  console.error(`filled ${DECISIONS} decisions and ${DETECTIONS} detections in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return { decisionId: sample };
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/**
 * The reads the console made before the per-minute rollup and the principal index (aggregates over every
 * decision of the window; one principal's rows sorted by seq), timed in this process against the same
 * table as their replacements, one after the other, so the ratio is measured under the same load.
 */
async function rollupSideBySide(dataDir: string): Promise<{ read: string; scanP95: number; nowP95: number; ratio: number }[]> {
  const db = openDatabase(dataDir, 'warden.db', { synchronous: 'NORMAL' });
  const stats = new SqliteDecisionRepository(db);
  const scan = (sql: string) => db.prepare(sql);
  const since = (): string => new Date(Date.now() - DAY).toISOString();
  const old = {
    perMinute: scan(`SELECT substr(time, 1, 16) AS minute, outcome, count(*) AS n FROM decisions INDEXED BY decisions_time WHERE time >= ? AND route NOT LIKE 'console %' GROUP BY minute, outcome ORDER BY minute`),
    principals: scan(`SELECT principal, count(*) AS n FROM decisions INDEXED BY decisions_time WHERE time >= ? AND outcome = 'deny' AND principal IS NOT NULL AND route NOT LIKE 'console %' GROUP BY principal ORDER BY n DESC LIMIT 10`),
    resources: scan(`SELECT resource, count(*) AS n FROM decisions INDEXED BY decisions_time WHERE time >= ? AND outcome = 'deny' AND route NOT LIKE 'console %' GROUP BY resource ORDER BY n DESC LIMIT 10`),
    risk: scan(`SELECT min(9, CAST(json_extract(event, '$.risk') / 10 AS INTEGER)) AS band, count(*) AS n FROM decisions INDEXED BY decisions_time WHERE time >= ? AND route NOT LIKE 'console %' AND json_extract(event, '$.risk') IS NOT NULL GROUP BY band`),
    totals: scan(`SELECT outcome, count(*) AS n FROM decisions INDEXED BY decisions_time WHERE time >= ? GROUP BY outcome`),
    principalPage: scan(`SELECT seq, event FROM decisions INDEXED BY decisions_principal_time WHERE principal = ? AND route NOT LIKE 'console %' ORDER BY seq DESC LIMIT 51`),
  };
  const reads: [string, () => unknown, () => Promise<unknown>][] = [
    ['overview, last 24 h', () => [old.perMinute, old.principals, old.resources, old.risk].map((q) => q.all(since())), () => stats.overview(new Date(Date.now() - DAY))],
    ['decisions 24 h by outcome (compliance)', () => old.totals.all(since()), () => stats.totals(new Date(Date.now() - DAY))],
    ['decisions of one principal, newest 50', () => old.principalPage.all('User::u7').map((r) => JSON.parse((r as { event: string }).event)), () => stats.list({ principal: 'User::u7', limit: 50 })],
  ];
  const p95 = async (run: () => unknown): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < RUNS + 3; i++) {
      const t = performance.now();
      await run();
      if (i >= 3) times.push(performance.now() - t);
    }
    return quantile(times.sort((a, b) => a - b), 0.95);
  };
  const rows: { read: string; scanP95: number; nowP95: number; ratio: number }[] = [];
  for (const [read, before, now] of reads) {
    const scanP95 = await p95(before);
    const nowP95 = await p95(now);
    rows.push({ read, scanP95, nowP95, ratio: scanP95 / nowP95 });
  }
  db.close();
  return rows;
}

async function main(): Promise<void> {
  const dir = tempDir('warden-console-bench-');
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const { decisionId } = await fill(dataDir);
  const sideBySide = await rollupSideBySide(dataDir);
  const keyDb = openDatabase(dataDir);
  const key = (await (await ApiKeyStore.open(new SqliteApiKeyRepository(keyDb))).create({ principal: 'root', name: 'bench' })).key;
  keyDb.close();
  const warden = await startWarden({ principals: [{ id: 'root', roles: ['admin'] }, ...principals.map((id) => ({ id, groups: ['staff'] }))], models: [] }, { dir, logLevel: 'warn' });
  try {
    const signIn = await fetch(`${warden.url}/ui/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: warden.url }, body: JSON.stringify({ apiKey: key }) });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    const reads = [
      '/overview?minutes=60',
      '/overview?minutes=1440',
      '/decisions?limit=50',
      '/decisions?principal=User::u7&limit=50',
      '/decisions?outcome=deny&limit=50',
      `/decisions/${decisionId}/explain`,
      '/principals',
      '/principals/User/u7/risk-history?days=7',
      '/admin/detections?limit=200',
      '/admin/risk/User/u7',
      '/admin/keys?principal=u7',
      '/admin/policies',
      '/admin/audit/entries?limit=1',
      '/audit/verification',
      '/compliance',
      '/incidents/overview?days=30',
      '/admin/incidents?limit=200',
    ];
    const rows: { path: string; p50: number; p95: number; bytes: number }[] = [];
    for (const path of reads) {
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < RUNS + 3; i++) {
        const t = performance.now();
        const res = await fetch(`${warden.url}/ui/api${path}`, { headers: { cookie } });
        bytes = (await res.arrayBuffer()).byteLength;
        if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
        if (i >= 3) times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      rows.push({ path, p50: quantile(times, 0.5), p95: quantile(times, 0.95), bytes });
    }
    const t = performance.now();
    const replay = await fetch(`${warden.url}/ui/api/policies/replay`, {
      method: 'POST',
      headers: { cookie, origin: warden.url, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ files: { 'a.cedar': 'permit (principal in Warden::Group::"staff", action, resource is Warden::Model);' }, days: 1, limit: 2000 }),
    });
    const replayMs = performance.now() - t;
    const replayBody = (await replay.json()) as { considered: number; changed: number };
    // First load: the HTML and the script and stylesheet it names, gzip as Warden serves them.
    const html = await (await fetch(`${warden.url}/ui/`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/ui\/[^"]+)"/g)].map((m) => m[1]!);
    let firstLoad = Buffer.byteLength(html);
    for (const a of assets) {
      const res = await fetch(`${warden.url}${a}`, { headers: { 'accept-encoding': 'gzip' }, decompress: false } as RequestInit);
      firstLoad += Number(res.headers.get('content-length') ?? (await res.arrayBuffer()).byteLength);
    }
    const result = { decisions: DECISIONS, detections: DETECTIONS, runs: RUNS, reads: rows, replay: { ms: replayMs, ...replayBody }, firstLoadGzipBytes: firstLoad, sideBySide, worstP95: Math.max(...rows.map((r) => r.p95)) };
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else {
      console.log(`console API with ${DECISIONS.toLocaleString()} decisions and ${DETECTIONS.toLocaleString()} detections (${RUNS} calls each)`);
      console.log('| endpoint | p50 ms | p95 ms | bytes |\n| --- | ---: | ---: | ---: |');
      for (const r of rows) console.log(`| ${r.path} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.bytes} |`);
      console.log(`re-decision of ${replayBody.considered} recorded decisions: ${replayMs.toFixed(0)} ms (${replayBody.changed} would change)`);
      console.log(`first page load: ${(firstLoad / 1024).toFixed(1)} KiB gzip (${assets.length + 1} files)`);
      console.log(`worst p95: ${result.worstP95.toFixed(1)} ms (target <= 200 ms)`);
      console.log('\nin process, same table, one after the other: the scans the console made before, and the rollup and index now');
      console.log('| read | scan p95 ms | now p95 ms | ratio |\n| --- | ---: | ---: | ---: |');
      for (const r of sideBySide) console.log(`| ${r.read} | ${r.scanP95.toFixed(1)} | ${r.nowP95.toFixed(1)} | ${r.ratio.toFixed(1)}x |`);
    }
  } finally {
    await warden.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
