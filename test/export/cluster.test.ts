/**
 * SIEM export in a cluster: two exporters (two instances) follow the cluster's audit log in PostgreSQL
 * and keep their cursors there. Exactly one delivers the sink (the lease); when its database session dies
 * the other takes over from the stored cursor: every position reaches the real HEC receiver, in order per
 * batch, with no gap (duplicates allowed: at-least-once, de-duplicated by position).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { auditConfigSchema, createClusterAuditLog, type ClusterAuditLog } from '../../src/audit/index.js';
import { PgExportCursorRepository, createExporter, exportConfigSchema, type Exporter } from '../../src/export/index.js';
import { openPostgres, type PgPool } from '../../src/store/postgres.js';
import { freshSchema, TEST_DATABASE_URL } from '../helpers/postgres.js';
import { sharedKeyDir } from '../audit-ha/helpers.js';
import { dedupe, sampleEvents, startHecReceiver, waitFor } from './helpers.js';

const TOKEN = 'cluster-hec-token';

const hecConfig = (url: string) =>
  exportConfigSchema.parse({
    pollIntervalMs: 50,
    sinks: [{ name: 'splunk', type: 'hec', format: 'ocsf', hec: { url, token: 'env:HEC_TOKEN' }, batch: { maxRecords: 25 }, retry: { initialDelayMs: 10, maxDelayMs: 150 } }],
  });

/** Ends the sink's lease connection from outside, as a dead host or a cut network would. */
async function killLeaseHolder(schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    const { rowCount } = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted
         AND objid = (hashtextextended('warden-export/' || $1 || '/splunk', 0) & x'ffffffff'::bigint)::oid`,
      [schema],
    );
    assert.equal(rowCount, 1, 'one lease holder');
  } finally {
    await admin.end();
  }
}

test('two exporters on one cluster: one delivers, the other takes over from the stored cursor when it dies; nothing is lost', async () => {
  const fresh = await freshSchema('wxc');
  const keys = sharedKeyDir();
  const hec = await startHecReceiver(TOKEN);
  const auditConfig = auditConfigSchema.parse({ signingKeyFile: keys.signingKeyFile, encryption: { kekFile: keys.kekFile }, checkpoint: { everySeconds: 0.5 } });
  const logs: ClusterAuditLog[] = [];
  const pools: PgPool[] = [];
  const exporters: Exporter[] = [];
  try {
    const sinkConfig = hecConfig(hec.url);
    for (let i = 0; i < 2; i++) {
      logs.push(await createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config: auditConfig }));
      const pool = await openPostgres(fresh.url, { max: 3 });
      pools.push(pool);
      exporters.push(await createExporter({ reader: logs[i]!, dataDir: keys.dir, cursors: await PgExportCursorRepository.open(pool), config: sinkConfig, env: { HEC_TOKEN: TOKEN } }));
    }
    const [a, b] = exporters as [Exporter, Exporter];
    const [logA, logB] = logs as [ClusterAuditLog, ClusterAuditLog];
    await Promise.all(sampleEvents(0, 150).map((e) => logA.append(e)));
    a.start();
    await waitFor(() => a.status().sinks[0]!.state !== 'starting' && a.status().sinks[0]!.state !== 'standby', 'the first exporter holds the lease');
    b.start();
    const positions = (): number[] => hec.events.map((e) => (e.fields as { warden_log_index: number }).warden_log_index);
    await waitFor(() => a.status().sinks[0]!.committed === 150, 'the first 150 delivered');
    assert.equal(b.status().sinks[0]!.state, 'standby');
    assert.equal(b.status().sinks[0]!.sentRecords, 0, 'the standby sent nothing');

    // The holder's database session dies; its next cursor write fails, and the standby takes the sink.
    await killLeaseHolder(fresh.schema);
    await Promise.all(sampleEvents(150, 150).map((e) => logB.append(e)));
    await waitFor(() => b.status().sinks[0]!.committed === 300 || a.status().sinks[0]!.committed === 300, 'all 300 delivered after the failover');
    await a.stop();
    await Promise.all(sampleEvents(300, 50).map((e) => logB.append(e)));
    await waitFor(() => b.status().sinks[0]!.committed === 350, 'the survivor delivers what comes next');
    assert.ok(b.status().sinks[0]!.sentRecords > 0, 'the standby delivered after taking over');

    const { unique } = dedupe(positions());
    assert.deepEqual(unique, Array.from({ length: 350 }, (_, i) => i), 'every position arrived, no gap');
    const stored = await (await PgExportCursorRepository.open(pools[1]!)).cursor('splunk');
    assert.equal(stored?.position, 350, 'the cursor is in PostgreSQL');
  } finally {
    for (const e of exporters) await e.stop();
    for (const l of logs) await l.close();
    for (const p of pools) await p.end();
    await hec.close();
    await fresh.close();
    rmSync(keys.dir, { recursive: true, force: true });
  }
});
