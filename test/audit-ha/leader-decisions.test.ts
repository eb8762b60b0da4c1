/**
 * In a cluster the audit leader writes the decision table in the transaction that appends each batch to
 * the log (issue 12): a decision is in the table exactly when it is in the log. Real PostgreSQL, a fresh
 * schema per test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { auditConfigSchema, createClusterAuditLog, decodeEntry, openPgAuditStore, type AppendHook } from '../../src/audit/index.js';
import type { DecisionEvent } from '../../src/core/events.js';
import { DecisionLog, insertDecisionsWithin, PgDecisionRepository } from '../../src/events/index.js';
import { openPostgres } from '../../src/store/postgres.js';
import { freshSchema, type TestSchema } from '../helpers/postgres.js';
import { adminEvent, count, killLockHolder, loggedEventIds, sharedKeyDir, waitFor } from './helpers.js';

type Keys = ReturnType<typeof sharedKeyDir>;

function clusterConfig(keys: Keys) {
  // `userAgent` sealed too: the log's copy of a decision is then not the published event, the table's is.
  return auditConfigSchema.parse({ signingKeyFile: keys.signingKeyFile, encryption: { kekFile: keys.kekFile, fields: ['prompt', 'userAgent'] }, checkpoint: { everyEntries: 50, everySeconds: 0.2 } });
}

function decision(n: number, over: Record<string, unknown> = {}): DecisionEvent {
  return {
    type: 'decision', id: randomUUID(), time: new Date().toISOString(), requestId: `req-${n}`, decisionId: randomUUID(),
    principal: { type: 'User', id: 'alice' }, action: 'invoke', resource: { type: 'Model', id: 'chat' }, route: 'openai.chat', method: 'POST',
    path: '/v1/chat/completions', sourceIp: '10.0.0.1', userAgent: `agent ${n}`, outcome: 'allow', enforced: true, policyIds: [], status: 200,
    latencyMs: { total: 1 }, risk: 5, ...over,
  } as DecisionEvent;
}

async function withCluster(run: (fresh: TestSchema, keys: Keys) => Promise<void>): Promise<void> {
  const fresh = await freshSchema('wld');
  const keys = sharedKeyDir();
  try {
    // As `openStateStores` does before the audit log starts: the table exists when the leader first writes it.
    await PgDecisionRepository.open(fresh.pool);
    await run(fresh, keys);
  } finally {
    await fresh.close();
    rmSync(keys.dir, { recursive: true, force: true });
  }
}

async function tableIds(fresh: TestSchema): Promise<string[]> {
  const { rows } = await fresh.pool.query<{ id: string }>('SELECT id FROM decisions ORDER BY seq');
  return rows.map((r) => r.id);
}

/** The decision events in the log, in log order. */
async function loggedDecisionIds(fresh: TestSchema): Promise<string[]> {
  const { rows } = await fresh.pool.query<{ entry: Buffer }>('SELECT entry FROM audit_entries ORDER BY idx');
  return rows.map((r) => decodeEntry(r.entry).event).flatMap((e) => (e.type === 'decision' ? [e.id as string] : []));
}

const onAppend: AppendHook = (tx, events) => insertDecisionsWithin(tx, events);

test('the leader writes the decisions of each batch it appends: the published events, once each, whoever wrote first', async (t) => {
  await withCluster(async (fresh, keys) => {
    const repo = await PgDecisionRepository.open(fresh.pool);
    // Written by an instance's bus before the upgrade: the leader's insert of the same id changes nothing.
    const before = decision(0);
    await repo.append([before]);
    const logs = await Promise.all([0, 1].map(() => createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config: clusterConfig(keys), onAppend })));
    try {
      const decisions = Array.from({ length: 300 }, (_, i) => decision(i + 1));
      const others = Array.from({ length: 100 }, (_, i) => adminEvent(i));
      const all = [before, ...decisions, ...others];
      await Promise.all(all.map((e, i) => logs[i % 2]!.append(e)));
      // Enqueued twice, as an insert retried after its acknowledgement was lost.
      const store = await openPgAuditStore(await openPostgres(fresh.url, { max: 1 }));
      await store.enqueue([decisions[0]!, decisions[1]!]);
      await store.close();
      await waitFor('the inbox to drain', async () => (await count(fresh.pool, 'audit_inbox')) === 0);

      const ids = await tableIds(fresh);
      assert.equal(ids.length, 301, 'one row per decision, none for the other events');
      assert.deepEqual(new Set(ids), new Set([before, ...decisions].map((d) => d.id)));
      assert.deepEqual(new Set(await loggedDecisionIds(fresh)), new Set(ids), 'the table holds what the log holds');
      // What the bus path stores: the decision event as published (the log's copy has `userAgent` sealed).
      const { rows } = await fresh.pool.query<{ event: DecisionEvent }>('SELECT event FROM decisions WHERE id = $1', [decisions[7]!.id]);
      assert.deepEqual(rows[0]!.event, decisions[7]);
      const { rows: entries } = await fresh.pool.query<{ entry: Buffer }>('SELECT entry FROM audit_entries WHERE event_id = $1', [decisions[7]!.id]);
      assert.equal((decodeEntry(entries[0]!.entry).event as unknown as { userAgent: { $enc?: string } }).userAgent.$enc, 'A256GCM');

      // How long an acknowledged decision takes to be listed: the leader's drain (it polls an idle inbox every 50 ms).
      const latencies: number[] = [];
      for (let i = 0; i < 20; i++) {
        const d = decision(1000 + i);
        await logs[i % 2]!.append(d);
        const acked = Date.now();
        await waitFor('the decision to be listed', async () => (await repo.get(d.decisionId)) !== undefined, 10_000);
        latencies.push(Date.now() - acked);
      }
      latencies.sort((a, b) => a - b);
      t.diagnostic(`acknowledged to listed: median ${latencies[10]} ms, max ${latencies.at(-1)} ms (20 decisions)`);
    } finally {
      await Promise.all(logs.map((l) => l.close()));
    }
  });
});

test('a decision answered on an instance that does not lead is listed there at once: a read waits for the leader', async () => {
  await withCluster(async (fresh, keys) => {
    const config = clusterConfig(keys);
    const leader = await createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config, onAppend });
    await waitFor('the first instance to lead', () => leader.isLeader());
    const follower = await createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config, onAppend });
    const decisions = new DecisionLog(await PgDecisionRepository.open(fresh.pool));
    decisions.writtenBy(follower);
    try {
      // Without the wait a read right after the acknowledgement misses the decision (the drain takes tens of ms).
      for (let i = 0; i < 20; i++) {
        const d = decision(i);
        await follower.append(d);
        await decisions.flush();
        assert.equal((await decisions.repo.get(d.decisionId))?.id, d.id, `decision ${i} is listed after flush`);
      }
    } finally {
      await decisions.close();
      await follower.close();
      await leader.close();
    }
  });
});

test('a batch whose commit fails leaves neither its entries nor its decision rows, and goes in whole on the next attempt', async () => {
  await withCluster(async (fresh) => {
    const store = await openPgAuditStore(await openPostgres(fresh.url, { max: 2 }), { onAppend });
    try {
      const d = decision(1);
      await store.enqueue([d]);
      const session = (await store.tryLead())!;
      const [row] = await session.takeInbox(10);
      const entry = { eventId: d.id, entry: Buffer.from('{}'), leafHash: Buffer.alloc(32), event: d };
      // A checkpoint at a size already stored fails the transaction after the decision rows were inserted.
      await fresh.pool.query("INSERT INTO audit_checkpoints (tree_size, note, created_at) VALUES (1, 'x', 'x')");
      const batch = { first: 0, entries: [entry], chunks: [], keys: [], checkpoint: { size: 1, note: 'y', createdAt: 'y' }, consumed: [row!.seq] };
      await assert.rejects(session.commit(batch), /duplicate key/);
      assert.equal(await count(fresh.pool, 'decisions'), 0, 'the decision row is rolled back with the append');
      assert.equal(await count(fresh.pool, 'audit_entries'), 0);
      assert.equal(await count(fresh.pool, 'audit_inbox'), 1, 'the inbox row stays for the next attempt');
      await session.commit({ ...batch, checkpoint: null });
      assert.deepEqual(await tableIds(fresh), [d.id]);
      assert.equal(await count(fresh.pool, 'audit_entries'), 1);
      await session.release();
    } finally {
      await store.close();
    }
  });
});

test('a hook that fails aborts the append: the batch stays in the inbox and nothing is committed', async () => {
  await withCluster(async (fresh, keys) => {
    let fail = true;
    const failing: AppendHook = async (tx, events) => {
      await insertDecisionsWithin(tx, events);
      if (fail) throw new Error('the decision table is unavailable');
    };
    const errors: string[] = [];
    const logger = { info: () => undefined, error: (o: object) => errors.push(String((o as { err?: string }).err)) };
    const log = await createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config: clusterConfig(keys), onAppend: failing, logger });
    try {
      const events = [decision(1), adminEvent(2), decision(3)];
      await Promise.all(events.map((e) => log.append(e)));
      await waitFor('the failure to be reported', () => errors.some((e) => /unavailable/.test(e)));
      assert.equal(await count(fresh.pool, 'audit_entries'), 0);
      assert.equal(await count(fresh.pool, 'decisions'), 0);
      assert.equal(await count(fresh.pool, 'audit_inbox'), 3);
      fail = false;
      await waitFor('the inbox to drain', async () => (await count(fresh.pool, 'audit_inbox')) === 0);
      assert.deepEqual(await loggedEventIds(fresh.pool), events.map((e) => e.id));
      assert.deepEqual(await tableIds(fresh), [events[0]!.id, events[2]!.id]);
    } finally {
      await log.close();
    }
  });
});

test('the leader dies mid-stream: the new leader goes on, and every logged decision is in the table once', async () => {
  await withCluster(async (fresh, keys) => {
    const config = clusterConfig(keys);
    const a = await createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config, onAppend });
    await waitFor('a to lead', () => a.isLeader());
    const b = await createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config, onAppend });
    try {
      const first = Array.from({ length: 400 }, (_, i) => decision(i));
      await Promise.all(first.map((e) => b.append(e)));
      await killLockHolder(fresh.schema);
      const second = Array.from({ length: 400 }, (_, i) => decision(400 + i));
      await Promise.all(second.map((e) => b.append(e)));
      await waitFor('a new leader', () => a.isLeader() || b.isLeader());
      await waitFor('the inbox to drain', async () => (await count(fresh.pool, 'audit_inbox')) === 0);
      const ids = await tableIds(fresh);
      assert.equal(ids.length, 800);
      assert.deepEqual(new Set(ids), new Set([...first, ...second].map((e) => e.id)));
      assert.deepEqual(await loggedDecisionIds(fresh), await loggedEventIds(fresh.pool));
      assert.deepEqual(new Set(await loggedEventIds(fresh.pool)), new Set(ids));
    } finally {
      await a.close();
      await b.close();
    }
  });
});

test('a decision that can never be a row is reported and kept in the log only; the log does not stall', async () => {
  await withCluster(async (fresh, keys) => {
    const skipped: string[] = [];
    const reporting: AppendHook = (tx, events) => insertDecisionsWithin(tx, events, (e, problem) => skipped.push(`${e.requestId}: ${problem}`));
    const log = await createClusterAuditLog({ databaseUrl: fresh.url, dataDir: keys.dir, config: clusterConfig(keys), onAppend: reporting });
    try {
      const good = decision(1);
      const noResource = decision(2, { resource: undefined });
      const nul = decision(3, { path: '/v1/chat\u0000' });
      const badTime = decision(4, { time: 'yesterday' });
      for (const e of [noResource, nul, badTime, good]) await log.append(e);
      await waitFor('the inbox to drain', async () => (await count(fresh.pool, 'audit_inbox')) === 0);
      assert.equal((await loggedEventIds(fresh.pool)).length, 4);
      assert.deepEqual(await tableIds(fresh), [good.id]);
      assert.deepEqual(skipped, ['req-2: `resource` is not an entity reference', 'req-3: a string holds the NUL character', 'req-4: `time` is not a timestamp']);
    } finally {
      await log.close();
    }
  });
});
