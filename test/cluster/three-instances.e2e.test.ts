/**
 * Issue 12's evidence, end to end: three `warden start` processes on one fresh PostgreSQL schema, a private
 * nats-server (JetStream, its own port and store) and Redis (a key prefix of their own), behind a
 * round-robin balancer, in front of a real HTTP upstream. One cluster serves every case, in order, because
 * start-ups dominate the time on a shared machine; the last two cases each kill an instance for good:
 *
 * 1. a key created through one instance's admin API works on all (the CLI writing PostgreSQL directly is
 *    test/e2e/cluster-store.test.ts; here the admin key is put there before any instance runs);
 * 2. a revocation on one is refused by the others within 1 s (measured, reported);
 * 3. a rate limit holds across instances (N allowed in total, not N per instance);
 * 4. NATS stopped for 10 s during traffic and restarted: nothing lost, `warden audit verify` passes;
 * 5. kill -9 of a follower mid-traffic: every answered request's decision is in the audit log;
 * 6. the audit leader killed mid-traffic: another takes over, no gap, no duplicate, the log verifies.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { demoConfig } from '../../src/config/demo.js';
import { decodeEntry } from '../../src/audit/index.js';
import { auditVerifyCommand } from '../../src/cli/commands/audit-verify.js';
import { EVENT_STREAM, eventSubject } from '../../src/events/nats/stream.js';
import { ApiKeyStore, PgApiKeyRepository } from '../../src/identity/index.js';
import { count, sharedKeyDir, waitFor } from '../audit-ha/helpers.js';
import { startBalancer, type Balancer } from '../helpers/balancer.js';
import { startTraffic } from '../helpers/chat-traffic.js';
import { startPrivateNats, type PrivateNats } from '../helpers/nats-server.js';
import { freshSchema, type TestSchema } from '../helpers/postgres.js';
import { startTestUpstream, type TestUpstream } from '../helpers/upstream.js';
import { startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

const LEADS = 'this instance leads the audit log';
const UPSTREAM_SECRET = 'three-instances-upstream-secret';
/** The cluster-wide limit of case 3: requests to `demo-limited`, all callers together. */
const LIMIT = 12;

interface Instance {
  warden: WardenProcess;
  alive: boolean;
}

let fresh: TestSchema;
let nats: PrivateNats;
let upstream: TestUpstream;
let balancer: Balancer;
let keys: ReturnType<typeof sharedKeyDir>;
let work: string;
let redisPrefix: string;
let env: NodeJS.ProcessEnv;
const instances: Instance[] = [];
/** carol's admin key, written to PostgreSQL before any instance ran. */
let adminKey: string;
/** alice's key, made through case 1 and used for the traffic of the later cases. */
let aliceKey: string;

const live = (): Instance[] => instances.filter((i) => i.alive);

function authorized(key: string, init: RequestInit = {}): RequestInit {
  return { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } };
}

async function status(url: string, key: string): Promise<number> {
  const res = await fetch(`${url}/v1/models`, authorized(key));
  await res.arrayBuffer();
  return res.status;
}

async function createKey(through: Instance, principal: string): Promise<{ key: string; id: string }> {
  const res = await fetch(`${through.warden.url}/admin/keys`, authorized(adminKey, { method: 'POST', body: JSON.stringify({ principal, scopes: ['*'] }) }));
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as { key: string; id: string };
}

interface Readiness {
  cluster?: { nats: string; outboxPending: number };
}

async function readiness(instance: Instance): Promise<Readiness> {
  return (await (await fetch(`${instance.warden.url}/readyz`)).json()) as Readiness;
}

/**
 * Waits for the leader to have appended the whole inbox, then checks the log: every answered request's
 * decision is in it exactly once, no decision twice, and the entries are numbered without a gap.
 */
async function assertLoggedOnce(answered: string[]): Promise<number> {
  await waitFor('the audit inbox to drain', async () => (await count(fresh.pool, 'audit_inbox')) === 0, 60_000);
  const { rows } = await fresh.pool.query<{ idx: string; entry: Buffer }>('SELECT idx, entry FROM audit_entries ORDER BY idx');
  rows.forEach((row, i) => assert.equal(Number(row.idx), i, `entry ${i} is numbered ${row.idx}: a gap in the log`));
  const decisions = new Map<string, number>();
  const eventIds = new Set<string>();
  for (const row of rows) {
    const event = decodeEntry(row.entry).event;
    const id = event.id as string;
    assert.ok(!eventIds.has(id), `event ${id} is in the log twice`);
    eventIds.add(id);
    if (event.type === 'decision') decisions.set(event.requestId as string, (decisions.get(event.requestId as string) ?? 0) + 1);
  }
  assert.deepEqual(answered.filter((id) => decisions.get(id) !== 1), [], 'every answered request has its decision in the log exactly once');
  assert.deepEqual([...decisions].filter(([, n]) => n !== 1), [], 'no request has two decisions');
  return rows.length;
}

/**
 * `warden audit verify` as an auditor runs it (only the database URL and the log's public key), in this
 * process: a CLI process start-up costs 20-35 s on the loaded machine, and the same command as its own
 * process against a cluster log is test/audit-ha/cluster.e2e.test.ts. Returns its summary line.
 */
async function assertVerifies(): Promise<string> {
  let stdout = '';
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => ((stdout += chunk.toString()), done()) });
  const code = await auditVerifyCommand.run(['--data-dir', keys.dir, '--key', keys.publicKeyFile], { stdout: sink, stderr: sink, env: { ...process.env, ...env }, cwd: process.cwd() });
  assert.equal(code, 0, stdout);
  return /^OK: .*$/m.exec(stdout)![0];
}

/** The request ids of every decision event in the JetStream stream, with how often each is there. */
async function decisionsInStream(): Promise<Map<string, number>> {
  const nc = await connect({ servers: nats.url });
  try {
    const last = (await (await jetstreamManager(nc)).streams.info(EVENT_STREAM)).state.last_seq;
    const seen = new Map<string, number>();
    // An ordered consumer reads the whole stream from the start; it ends at the last message stored now.
    const messages = await (await jetstream(nc).consumers.get(EVENT_STREAM)).consume();
    for await (const message of messages) {
      if (message.subject === eventSubject('decision')) {
        const requestId = (message.json() as { requestId: string }).requestId;
        seen.set(requestId, (seen.get(requestId) ?? 0) + 1);
      }
      if (message.seq >= last) break;
    }
    await messages.close();
    return seen;
  } finally {
    await nc.close();
  }
}

// The bounds are for failure only: three start-ups at once under tsx took 80-155 s on the shared 2-core
// machine (load average 20-30).
before(async () => {
  work = tempDir('warden-three-');
  keys = sharedKeyDir();
  redisPrefix = `warden-test:${randomBytes(5).toString('hex')}:`;
  [fresh, nats, upstream] = await Promise.all([freshSchema('w3'), startPrivateNats(), startTestUpstream(UPSTREAM_SECRET)]);
  env = { WARDEN_DATABASE_URL: fresh.url, WARDEN_NATS_URL: nats.url, WARDEN_REDIS_URL: 'redis://127.0.0.1:6379' };
  writeFileSync(join(work, 'upstream.key'), UPSTREAM_SECRET);
  const config = {
    principals: demoConfig.principals,
    upstreams: [{ name: 'main', baseUrl: `${upstream.url}/v1`, apiKey: `file:${join(work, 'upstream.key')}` }],
    models: [
      { id: 'demo-chat', upstream: 'main', sensitivity: 'internal' },
      { id: 'demo-limited', upstream: 'main', upstreamModel: 'demo-chat', sensitivity: 'internal' },
    ],
    // A loaded machine answers Redis slower than the default 250 ms now and then; a limit refused for that is not the point here.
    limits: { keyPrefix: redisPrefix, redisTimeoutMs: 2000, rules: [{ name: 'cluster-wide', per: [], match: { models: ['demo-limited'] }, requests: LIMIT, window: '1h' }] },
    // What the cases are about, without the guard's model and the risk engine's step-ups under load.
    guard: { enabled: false },
    risk: { enabled: false },
    audit: { signingKeyFile: keys.signingKeyFile, encryption: { kekFile: keys.kekFile }, checkpoint: { everySeconds: 0.5 } },
  };
  adminKey = (await (await ApiKeyStore.open(await PgApiKeyRepository.open(fresh.pool))).create({ principal: 'carol', name: 'admin' })).key;
  const startedAt = Date.now();
  // The three instances start together: their migrations and the first policy version race on purpose.
  await Promise.all([0, 1, 2].map(async () => instances.push({ warden: await startWarden(config, { env, startTimeoutMs: 270_000 }), alive: true })));
  balancer = await startBalancer(instances.map((i) => i.warden.url));
  await waitFor('one instance to lead the audit log', () => instances.some((i) => i.warden.output().includes(LEADS)));
  console.log(`three instances started in ${Date.now() - startedAt} ms`);
}, { timeout: 300_000 });

after(async () => {
  await balancer?.close();
  await Promise.all(instances.map(async (i) => (i.alive ? i.warden.stop() : rmSync(i.warden.dir, { recursive: true, force: true }))));
  await Promise.all([upstream?.close(), nats?.stop(), fresh?.close()]);
  const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
  await redis.connect();
  const stale = await redis.keys(`${redisPrefix}*`);
  if (stale.length) await redis.del(...stale);
  redis.disconnect();
  rmSync(keys.dir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

test('a key created through one instance works on every instance', async (t) => {
  // The CLI's key (PostgreSQL, no instance involved) is honoured everywhere: instances load keys from the store.
  for (const i of instances) await waitFor(`the CLI's admin key on ${i.warden.url}`, async () => (await status(i.warden.url, adminKey)) === 200);
  const created = Date.now();
  const { key } = await createKey(instances[0]!, 'alice');
  aliceKey = key;
  for (const i of instances) await waitFor(`the new key on ${i.warden.url}`, async () => (await status(i.warden.url, key)) === 200);
  t.diagnostic(`a key created on one instance worked on all three after ${Date.now() - created} ms (each instance reloads its key index when the store changed, every second)`);
  for (let n = 0; n < 6; n++) assert.equal(await status(balancer.url, key), 200, 'through the balancer, on every instance in turn');
});

test('a revocation on one instance takes effect on all within 1 s', async (t) => {
  const [one, two, three] = instances as [Instance, Instance, Instance];
  const { key, id } = await createKey(two, 'bob');
  for (const i of instances) await waitFor(`bob's key on ${i.warden.url}`, async () => (await status(i.warden.url, key)) === 200);
  const revoke = await fetch(`${two.warden.url}/admin/keys/${id}`, authorized(adminKey, { method: 'DELETE' }));
  assert.equal(revoke.status, 200, await revoke.text());
  const revokedAt = Date.now();
  // Both others polled at once, each until it refuses (bounded, so a failure ends the case).
  const delays = await Promise.all(
    [one, three].map(async (i) => {
      while ((await status(i.warden.url, key)) !== 401) if (Date.now() - revokedAt > 15_000) return Infinity;
      return Date.now() - revokedAt;
    }),
  );
  t.diagnostic(`revocation refused by the other instances after ${delays.join(' ms and ')} ms (issue 12 asks for under 1 s; polled over HTTP)`);
  assert.equal(await status(two.warden.url, key), 401, 'refused where it was revoked');
  for (const delay of delays) assert.ok(delay < 1000, `the revocation took effect after ${delay} ms`);
});

test('a rate limit holds across instances: N allowed in total, not N per instance', async () => {
  const sent = LIMIT * 3;
  const answers = await Promise.all(
    Array.from({ length: sent }, async (_, n) => {
      const res = await fetch(`${balancer.url}/v1/chat/completions`, authorized(aliceKey, { method: 'POST', headers: { 'x-request-id': `limit-${n}` }, body: JSON.stringify({ model: 'demo-limited', messages: [{ role: 'user', content: 'hi' }] }) }));
      const body = (await res.json()) as { error?: { code: string } };
      return { status: res.status, retryAfter: res.headers.get('retry-after'), code: body.error?.code };
    }),
  );
  const admitted = answers.filter((a) => a.status === 200).length;
  const refused = answers.filter((a) => a.status === 429);
  assert.equal(admitted, LIMIT, `${LIMIT} admitted by three instances together (each saw ${sent / 3} requests)`);
  assert.deepEqual(answers.filter((a) => a.status !== 200 && a.status !== 429), [], 'every other request refused by the limit');
  assert.equal(refused.length, sent - LIMIT);
  for (const r of refused) {
    assert.equal(r.code, 'limit_exceeded');
    assert.ok(Number(r.retryAfter) >= 1, 'Retry-After in seconds');
  }
});

test('NATS stopped for 10 s during traffic and restarted: nothing is lost and the log verifies', async (t) => {
  const traffic = startTraffic({ url: balancer.url, key: aliceKey, prefix: 'nats' });
  await waitFor('traffic before the outage', () => traffic.answered.length >= 30);
  await nats.kill();
  const stoppedAt = Date.now();
  await waitFor('every instance to notice', async () => (await Promise.all(live().map(readiness))).every((r) => r.cluster?.nats !== 'connected'));
  const duringOutage = traffic.answered.length;
  // The outage the issue names: 10 s of traffic without NATS (a duration of the scenario, not a wait for a condition).
  await new Promise((resolve) => setTimeout(resolve, 10_000 - (Date.now() - stoppedAt)));
  const answeredWithoutNats = traffic.answered.length - duringOutage;
  await nats.restart();
  const restartedAt = traffic.answered.length;
  await waitFor('traffic after the restart', () => traffic.answered.length >= restartedAt + 30);
  const answered = await traffic.stop();
  assert.ok(answeredWithoutNats > 0, 'served while NATS was away');
  await waitFor('every outbox to drain', async () => (await Promise.all(live().map(readiness))).every((r) => r.cluster?.nats === 'connected' && r.cluster.outboxPending === 0));
  t.diagnostic(`${answered.length} answered (${answeredWithoutNats} without NATS); outboxes drained`);

  const entries = await assertLoggedOnce(answered);
  const inStream = await decisionsInStream();
  assert.deepEqual(answered.filter((id) => inStream.get(id) !== 1), [], 'every answered decision reached the stream exactly once');
  t.diagnostic(`log of ${entries} entries: warden audit verify says ${await assertVerifies()}`);
});

test('kill -9 of one instance mid-traffic loses no acknowledged decision', async (t) => {
  const follower = live().find((i) => !i.warden.output().includes(LEADS))!;
  const traffic = startTraffic({ url: balancer.url, key: aliceKey, prefix: 'kill' });
  await waitFor('traffic before the kill', () => traffic.answered.length >= 30);
  follower.alive = false;
  follower.warden.kill();
  await follower.warden.exited;
  const atKill = traffic.answered.length;
  balancer.remove(follower.warden.url);
  await waitFor('traffic after the kill', () => traffic.answered.length >= atKill + 30);
  const answered = await traffic.stop();
  t.diagnostic(`${answered.length} answered of ${traffic.sent} sent; the killed instance's cut requests are not counted`);
  await assertLoggedOnce(answered);
});

test('the audit leader killed mid-traffic: another takes over, no gap or duplicate, the log verifies', async (t) => {
  const leader = live().find((i) => i.warden.output().includes(LEADS))!;
  const survivors = live().filter((i) => i !== leader);
  const traffic = startTraffic({ url: balancer.url, key: aliceKey, prefix: 'leader' });
  await waitFor('traffic before the kill', () => traffic.answered.length >= 30);
  leader.alive = false;
  leader.warden.kill();
  const killedAt = Date.now();
  await leader.warden.exited;
  balancer.remove(leader.warden.url);
  await waitFor('a survivor to take the lead', () => survivors.some((i) => i.warden.output().includes(LEADS)));
  t.diagnostic(`the lead was taken over within ${Date.now() - killedAt} ms of the kill (observed through the log output)`);
  const atTakeover = traffic.answered.length;
  await waitFor('traffic after the takeover', () => traffic.answered.length >= atTakeover + 30);
  const answered = await traffic.stop();
  const entries = await assertLoggedOnce(answered);
  t.diagnostic(`log of ${entries} entries after the failover: warden audit verify says ${await assertVerifies()}`);
});
