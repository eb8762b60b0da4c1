/**
 * `npm run bench:audit:cluster`: the same appends, side by side, into the single-process log (audit.db)
 * and the clustered log (PostgreSQL inbox + leader), in one run so that the ratio means something on a
 * shared machine. Figures: acknowledged appends/s (what a request waits for) and, for the cluster, how
 * long the leader takes to have them all in the Merkle log. Knobs: BENCH_AUDIT_N (default 20000),
 * BENCH_AUDIT_WINDOW (appends in flight, default 2000). Needs the PostgreSQL the tests use.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditConfigSchema, createAuditLog, createClusterAuditLog } from '../src/audit/index.js';
import type { WardenEvent } from '../src/core/events.js';
import { freshSchema } from '../test/helpers/postgres.js';

const N = Number(process.env.BENCH_AUDIT_N ?? 20_000);
const WINDOW = Number(process.env.BENCH_AUDIT_WINDOW ?? 2_000);

function event(i: number): WardenEvent {
  return {
    type: 'admin',
    id: randomUUID(),
    time: new Date().toISOString(),
    actor: { type: 'User', id: `user-${i % 500}` },
    operation: 'bench.append',
    outcome: 'success',
    details: { i, route: 'chat', model: 'gpt-4o', status: 200, latencyMs: { total: 422 }, note: 'x'.repeat(400) },
  } as unknown as WardenEvent;
}

/** Appends N events with WINDOW in flight; returns acknowledged appends per second. */
async function appendAll(append: (e: WardenEvent) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < N; i++) {
    const p = append(event(i)).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= WINDOW) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return N / ((performance.now() - started) / 1000);
}

const work = mkdtempSync(join(tmpdir(), 'warden-bench-audit-cluster-'));
const fresh = await freshSchema('wbench');
try {
  const signingKeyFile = join(work, 'audit-signing.key');
  writeFileSync(signingKeyFile, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  const kekFile = join(work, 'audit-kek.key');
  writeFileSync(kekFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
  const config = auditConfigSchema.parse({ signingKeyFile, encryption: { kekFile } });

  const local = await createAuditLog({ dataDir: work, config });
  const localRate = await appendAll((e) => local.append(e));
  await local.close();

  const cluster = await createClusterAuditLog({ databaseUrl: fresh.url, dataDir: work, config });
  const started = performance.now();
  const clusterRate = await appendAll((e) => cluster.append(e));
  for (;;) {
    const { rows } = await fresh.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_entries');
    if (rows[0]!.n >= N) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const drainedRate = N / ((performance.now() - started) / 1000);
  await cluster.close();

  console.log(`entries ${N}, ${WINDOW} in flight`);
  console.log(`single process (audit.db):        ${Math.round(localRate)} acknowledged appends/s`);
  console.log(`cluster (PostgreSQL inbox):       ${Math.round(clusterRate)} acknowledged appends/s (${(clusterRate / localRate).toFixed(2)}x the single process)`);
  console.log(`cluster, all in the Merkle log:   ${Math.round(drainedRate)} entries/s (from the first append to the last entry appended by the leader)`);
} finally {
  await fresh.close();
  rmSync(work, { recursive: true, force: true });
}
