/**
 * The clustered audit log on a real PostgreSQL: the leader lock is exclusive and dies with its
 * connection, a leader that lost it cannot append, a batch commits whole or not at all, events reach the
 * log exactly once (also when enqueued twice), and verification names tampering and duplicates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { auditConfigSchema, createClusterAuditLog, decodeEntry, openPgAuditStore, signingKeyVerifier, verifyClusterAuditLog, verifyClusterAuditLogAt } from '../../src/audit/index.js';
import { openPostgres } from '../../src/store/postgres.js';
import { freshSchema, type TestSchema } from '../helpers/postgres.js';
import { adminEvent, count, killLockHolder, loggedEventIds, sharedKeyDir, waitFor } from './helpers.js';

function clusterConfig(keys: ReturnType<typeof sharedKeyDir>, overrides: Record<string, unknown> = {}) {
  return auditConfigSchema.parse({ signingKeyFile: keys.signingKeyFile, encryption: { kekFile: keys.kekFile }, checkpoint: { everyEntries: 50, everySeconds: 0.2 }, ...overrides });
}

async function withCluster(run: (fresh: TestSchema, keys: ReturnType<typeof sharedKeyDir>) => Promise<void>): Promise<void> {
  const fresh = await freshSchema('wah');
  const keys = sharedKeyDir();
  try {
    await run(fresh, keys);
  } finally {
    await fresh.close();
    rmSync(keys.dir, { recursive: true, force: true });
  }
}


test('the leader lock is exclusive, and released by the holder or its death', async () => {
  await withCluster(async (fresh) => {
    const a = await openPgAuditStore(await openPostgres(fresh.url, { max: 2 }));
    const b = await openPgAuditStore(await openPostgres(fresh.url, { max: 2 }));
    try {
      const sa = await a.tryLead();
      assert.ok(sa, 'the first instance leads');
      assert.equal(await b.tryLead(), null, 'a second leader is refused while the first holds the lock');
      await sa.release();
      const sb = await b.tryLead();
      assert.ok(sb, 'a released lock is taken');
      await killLockHolder(fresh.schema);
      await waitFor('the lock to be free after its holder died', async () => {
        const s = await a.tryLead();
        if (s) await s.release();
        return s !== null;
      });
      // The dead session is fenced: it cannot append.
      await assert.rejects(sb.commit({ first: 0, entries: [], chunks: [], keys: [], checkpoint: null, consumed: [] }));
      await sb.release();
    } finally {
      await a.close();
      await b.close();
    }
  });
});

test('a batch whose first position is not the stored size commits nothing', async () => {
  await withCluster(async (fresh) => {
    const store = await openPgAuditStore(await openPostgres(fresh.url, { max: 2 }));
    try {
      const event = adminEvent(1);
      await store.enqueue([event]);
      const session = (await store.tryLead())!;
      const [row] = await session.takeInbox(10);
      const entry = { eventId: event.id, entry: Buffer.from('{}'), leafHash: Buffer.alloc(32), event };
      await assert.rejects(session.commit({ first: 5, entries: [entry], chunks: [], keys: [], checkpoint: null, consumed: [row!.seq] }), /expected 5/);
      assert.equal(await count(fresh.pool, 'audit_entries'), 0);
      assert.equal(await count(fresh.pool, 'audit_inbox'), 1, 'the inbox row stays for the next attempt');
      await session.release();
    } finally {
      await store.close();
    }
  });
});

test('events from several instances reach the log exactly once, also when enqueued twice, and the log verifies', async () => {
  await withCluster(async (fresh, keys) => {
    const config = clusterConfig(keys);
    const logs = await Promise.all([0, 1, 2].map(() => createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config })));
    try {
      const events = Array.from({ length: 600 }, (_, i) => adminEvent(i, i % 7 === 0 ? { prompt: `secret ${i}` } : {}));
      await Promise.all(events.map((e, i) => logs[i % 3]!.append(e)));
      // Acknowledged means committed: another connection sees every event, in the inbox or already in the log.
      const { rows: seen } = await fresh.pool.query<{ n: number }>(
        'SELECT count(DISTINCT event_id)::int AS n FROM (SELECT event_id FROM audit_inbox UNION ALL SELECT event_id FROM audit_entries) t WHERE event_id = ANY($1::text[])',
        [events.map((e) => e.id)],
      );
      assert.equal(seen[0]!.n, 600);
      // The same event a second time, as a retried insert would: appended once.
      const store = await openPgAuditStore(await openPostgres(fresh.url, { max: 1 }));
      await store.enqueue([events[0]!, events[1]!]);
      await store.close();
      assert.equal(logs.filter((l) => l.isLeader()).length <= 1, true, 'at most one leader');
      await waitFor('the inbox to drain', async () => (await count(fresh.pool, 'audit_inbox')) === 0);
      const ids = await loggedEventIds(fresh.pool);
      assert.equal(ids.length, 600);
      assert.deepEqual(new Set(ids), new Set(events.map((e) => e.id)));
      // Sensitive fields are sealed in the log.
      const { rows } = await fresh.pool.query<{ entry: Buffer }>('SELECT entry FROM audit_entries');
      assert.ok(rows.every((r) => !r.entry.toString().includes('secret ')));
      assert.ok(rows.some((r) => (decodeEntry(r.entry).event.details as { prompt?: { $enc?: string } }).prompt?.$enc === 'A256GCM'));
    } finally {
      await Promise.all(logs.map((l) => l.close()));
    }
    const verifier = signingKeyVerifier({ dataDir: keys.dir, signingKeyFile: keys.signingKeyFile });
    const report = await verifyClusterAuditLogAt(fresh.url, verifier);
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.entries, 600);
    assert.equal(report.uncoveredEntries, 0, 'closing the leader signed a final checkpoint');
  });
});

test('the leader dies mid-stream: another takes over with neither gap nor duplicate', async () => {
  await withCluster(async (fresh, keys) => {
    const config = clusterConfig(keys);
    const a = await createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config });
    await waitFor('a to lead', () => a.isLeader());
    const b = await createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config });
    try {
      const first = Array.from({ length: 300 }, (_, i) => adminEvent(i));
      await Promise.all(first.map((e) => b.append(e)));
      await killLockHolder(fresh.schema);
      const second = Array.from({ length: 300 }, (_, i) => adminEvent(300 + i));
      await Promise.all(second.map((e) => b.append(e)));
      await waitFor('a new leader', () => a.isLeader() || b.isLeader());
      await waitFor('the inbox to drain', async () => (await count(fresh.pool, 'audit_inbox')) === 0);
      const ids = await loggedEventIds(fresh.pool);
      assert.equal(ids.length, 600);
      assert.deepEqual(new Set(ids), new Set([...first, ...second].map((e) => e.id)));
    } finally {
      await a.close();
      await b.close();
    }
    const report = await verifyClusterAuditLogAt(fresh.url, signingKeyVerifier({ dataDir: keys.dir, signingKeyFile: keys.signingKeyFile }));
    assert.equal(report.ok, true, JSON.stringify(report.problems));
  });
});

test('an instance with another signing key never leads', async () => {
  await withCluster(async (fresh, keys) => {
    const a = await createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config: clusterConfig(keys) });
    await waitFor('a to lead', () => a.isLeader());
    await a.close();
    const otherKey = join(keys.dir, 'other.key');
    writeFileSync(otherKey, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    const errors: string[] = [];
    const logger = { info: () => undefined, error: (o: object) => errors.push(String((o as { err?: string }).err)) };
    const b = await createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config: clusterConfig(keys, { signingKeyFile: otherKey }), logger });
    try {
      await b.append(adminEvent(1));
      await waitFor('the refusal to be logged', () => errors.some((e) => /is not the log's/.test(e)));
      assert.equal(b.isLeader(), false);
      assert.equal(await count(fresh.pool, 'audit_entries'), 0);
    } finally {
      await b.close();
    }
  });
});

test('a cluster instance refuses to start without the shared signing key', async () => {
  await withCluster(async (fresh, keys) => {
    await assert.rejects(
      createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config: clusterConfig(keys, { signingKeyFile: join(keys.dir, 'missing.key') }) }),
      /every instance is given the same Ed25519 key/,
    );
  });
});

test('verification names a modified entry, a duplicated event and a removed tail', async () => {
  await withCluster(async (fresh, keys) => {
    const log = await createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config: clusterConfig(keys) });
    const events = Array.from({ length: 120 }, (_, i) => adminEvent(i));
    await Promise.all(events.map((e) => log.append(e)));
    await waitFor('the inbox to drain', async () => (await count(fresh.pool, 'audit_inbox')) === 0);
    await log.close();
    const verifier = signingKeyVerifier({ dataDir: keys.dir, signingKeyFile: keys.signingKeyFile });
    const rows = await openPgAuditStore(await openPostgres(fresh.url, { max: 1 }));
    try {
      assert.equal((await verifyClusterAuditLog({ rows, verifier })).ok, true);
      await fresh.pool.query("UPDATE audit_entries SET entry = convert_to(replace(convert_from(entry, 'UTF8'), 'test.append', 'test.appenD'), 'UTF8') WHERE idx = 7");
      const modified = await verifyClusterAuditLog({ rows, verifier });
      assert.ok(modified.problems.some((p) => p.kind === 'entry_modified' && p.position === 7));
      // A copy of entry 3 appended at the end (with its index restated and its leaf hash recomputed).
      await fresh.pool.query('DROP INDEX audit_entries_event_id');
      const { rows: [three] } = await fresh.pool.query<{ entry: Buffer; event_id: string }>('SELECT entry, event_id FROM audit_entries WHERE idx = 3');
      const copy = Buffer.from(three!.entry.toString().replace(/"index":3}$/, '"index":120}'));
      const { hashLeaf } = await import('../../src/audit/index.js');
      await fresh.pool.query('INSERT INTO audit_entries (idx, event_id, entry, leaf_hash) VALUES (120, $1, $2, $3)', [three!.event_id, copy, hashLeaf(copy)]);
      const duplicated = await verifyClusterAuditLog({ rows, verifier });
      assert.ok(duplicated.problems.some((p) => p.kind === 'event_duplicated' && p.position === 120), JSON.stringify(duplicated.problems));
      await fresh.pool.query('DELETE FROM audit_entries WHERE idx >= 100');
      const truncated = await verifyClusterAuditLog({ rows, verifier });
      assert.ok(truncated.problems.some((p) => p.kind === 'tail_truncated' && p.position === 100), JSON.stringify(truncated.problems));
    } finally {
      await rows.close();
    }
  });
});

test('an inbox row that is not an event is dropped and logged, and does not stall the log', async () => {
  await withCluster(async (fresh, keys) => {
    const errors: string[] = [];
    const logger = { info: () => undefined, error: (o: object) => errors.push(String((o as { problem?: string }).problem)) };
    const log = await createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config: clusterConfig(keys), logger });
    try {
      await fresh.pool.query(`INSERT INTO audit_inbox (event_id, event) VALUES ('x', 'not json'), ('y', '{"type":"nope","id":"y","time":"t"}')`);
      const good = adminEvent(1);
      await log.append(good);
      await waitFor('the inbox to drain', async () => (await count(fresh.pool, 'audit_inbox')) === 0);
      assert.deepEqual(await loggedEventIds(fresh.pool), [good.id]);
      assert.equal(errors.length, 2, errors.join('; '));
    } finally {
      await log.close();
    }
  });
});

test('an event the log cannot encode is refused to its publisher, never acknowledged', async () => {
  await withCluster(async (fresh, keys) => {
    const log = await createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config: clusterConfig(keys) });
    try {
      // JSON would silently turn NaN into null; the canonical encoding refuses it, as the single-process log does.
      await assert.rejects(log.append(adminEvent(1, { score: Number.NaN })), (e: Error & { code?: string }) => e.code === 'validation_failed');
      await assert.rejects(log.append({ type: 'nope', id: 'x', time: 't' } as never), (e: Error & { code?: string }) => e.code === 'validation_failed');
      assert.equal(await count(fresh.pool, 'audit_inbox') + (await count(fresh.pool, 'audit_entries')), 0);
    } finally {
      await log.close();
    }
  });
});
