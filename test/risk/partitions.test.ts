/**
 * Risk partitioning across instances (issue 12), with a private nats-server, one PostgreSQL schema and
 * three instances as processes (test/risk/partition-worker.ts): one owner per bucket, rebalanced when an
 * instance joins; an owner killed with -9 in the middle of traffic is replaced once its leases expire;
 * and every event reaches its principal's saved baseline exactly once (the baseline's event count equals
 * the number of events sent for that principal, across every handover).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { DecisionEvent } from '../../src/core/events.js';
import { ensureEventStream, eventSubject } from '../../src/events/nats/stream.js';
import { Baseline } from '../../src/risk/baseline/principal.js';
import { RISK_STREAM, bucketOf, riskSubject } from '../../src/risk/partition/buckets.js';
import { OWNERS_BUCKET } from '../../src/risk/partition/leases.js';
import { partitionName } from '../../src/risk/partition/owner.js';
import { PgRiskStateRepository } from '../../src/risk/store/postgres.js';
import { freshSchema } from '../helpers/postgres.js';
import { startPrivateNats } from '../helpers/nats-server.js';
import { ROOT, TSX, tempDir } from '../helpers/warden-process.js';

const BUCKETS = 8;
const PRINCIPALS = Array.from({ length: 24 }, (_, i) => `user-${i}`);

interface Worker {
  name: string;
  owned: number[];
  output: string;
  child: ChildProcess;
}

function startWorker(name: string, env: Record<string, string>): Worker {
  const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'test/risk/partition-worker.ts')], { cwd: ROOT, env: { ...process.env, ...env, INSTANCE: name, DATA_DIR: tempDir() }, stdio: ['ignore', 'pipe', 'pipe'] });
  const worker: Worker = { name, owned: [], output: '', child };
  let pending = '';
  child.stdout!.on('data', (d: Buffer) => {
    worker.output += d.toString();
    pending += d.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line.startsWith('[')) worker.owned = JSON.parse(line) as number[];
  });
  child.stderr!.on('data', (d: Buffer) => (worker.output += d.toString()));
  return worker;
}

async function until(what: string, probe: () => boolean | Promise<boolean>, workers: Worker[] = []): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await probe())) {
    if (Date.now() > deadline) assert.fail(`never happened: ${what}\n${workers.map((w) => `${w.name} ${JSON.stringify(w.owned)}:\n${w.output.slice(-2000)}`).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every bucket owned by exactly one of `workers`, each within its share. */
function partitioned(workers: Worker[]): boolean {
  const all = workers.flatMap((w) => w.owned);
  const share = Math.ceil(BUCKETS / workers.length);
  return all.length === BUCKETS && new Set(all).size === BUCKETS && workers.every((w) => w.owned.length <= share);
}

function decision(principal: string, n: number): DecisionEvent {
  const id = randomUUID();
  return {
    type: 'decision', id, time: new Date(Date.UTC(2026, 11, 1, 9) + n * 1000).toISOString(), requestId: id, decisionId: id,
    principal: { type: 'User', id: principal, groups: ['team'] }, action: 'chat', resource: { type: 'Model', id: 'chat' },
    route: 'r', method: 'POST', path: '/', sourceIp: '10.0.0.1', outcome: 'allow', enforced: true, policyIds: [], status: 200,
    usage: { responseBytes: 100 }, latencyMs: { total: 1 },
  } as DecisionEvent;
}

test('one owner per bucket, rebalance on join, takeover after kill -9, and every event applied once', async () => {
  const nats = await startPrivateNats();
  const fresh = await freshSchema('risk');
  const workers: Worker[] = [];
  let nc: NatsConnection | undefined;
  try {
    nc = await connect({ servers: nats.url });
    await ensureEventStream(nc);
    const js = jetstream(nc);
    const sent = new Map<string, number>();
    let n = 0;
    const traffic = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) {
        const principal = PRINCIPALS[n % PRINCIPALS.length]!;
        const event = decision(principal, n++);
        await js.publish(eventSubject('decision'), JSON.stringify(event), { msgID: event.id });
        sent.set(principal, (sent.get(principal) ?? 0) + 1);
      }
    };
    const env = { NATS_URL: nats.url, DATABASE_URL: fresh.url, BUCKETS: String(BUCKETS) };

    const a = startWorker('a', env);
    workers.push(a);
    await until('a owns every bucket', () => partitioned([a]), workers);
    await traffic(150);

    const b = startWorker('b', env);
    workers.push(b);
    await until('a and b split the buckets', () => partitioned([a, b]) && b.owned.length > 0, workers);
    await traffic(150);

    const c = startWorker('c', env);
    workers.push(c);
    await until('three instances split the buckets', () => partitioned([a, b, c]) && c.owned.length > 0, workers);
    // The leases agree with what each instance says it owns.
    const kv = await new Kvm(nc).open(OWNERS_BUCKET);
    for (const w of [a, b, c]) {
      for (const bucket of w.owned) assert.equal(JSON.parse((await kv.get(`bucket.${bucket}`))!.string()).owner, w.name);
    }

    // c dies in the middle of traffic, without saving or releasing anything.
    const during = traffic(300);
    await until('c applied some of the traffic', async () => (await jetstreamManager(nc!)).streams.info(RISK_STREAM).then((i) => i.state.messages > 350), workers);
    c.child.kill('SIGKILL');
    await during;
    await until('a and b take over c’s buckets once its leases expire', () => partitioned([a, b]), workers);
    await traffic(150);

    // Every routed event is in a saved checkpoint before the instances stop.
    const jsm = await jetstreamManager(nc);
    const repo = await PgRiskStateRepository.open(fresh.pool);
    const lastOf = async (bucket: number): Promise<number> => (await jsm.streams.getMessage(RISK_STREAM, { last_by_subj: riskSubject(bucket) }).catch(() => undefined))?.seq ?? 0;
    await until('every event routed and checkpointed', async () => {
      if ((await jsm.streams.info(RISK_STREAM)).state.messages !== n) return false;
      for (let bucket = 0; bucket < BUCKETS; bucket++) if ((await repo.checkpoint(partitionName(bucket))).seq < (await lastOf(bucket))) return false;
      return true;
    }, workers);
    for (const w of [a, b]) w.child.kill('SIGTERM');
    await until('a and b closed', () => a.output.includes('closed') && b.output.includes('closed'), workers);

    const saved = new Map((await repo.loadBaselines('principal')).map((r) => [r.key, Baseline.fromJSON(r.data).events]));
    for (const [principal, count] of sent) assert.equal(saved.get(`User:${principal}`), count, `${principal}: every event applied exactly once`);
    for (const [principal] of sent) {
      const bucket = bucketOf(decision(principal, 0), BUCKETS);
      assert.deepEqual((await repo.loadBaselines('principal', bucket)).some((r) => r.key === `User:${principal}`), true, 'saved under its bucket');
    }
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await nc?.close();
    await nats.stop();
    await fresh.close();
  }
});
