/**
 * Issue 12, what reaches a principal's risk owner besides live traffic, with two `warden start` processes
 * on a private nats-server and one PostgreSQL schema:
 * - `warden ingest` run as a CLI process with the cluster's environment publishes onto the partitioned
 *   stream: the owners' saved baselines count each imported event once, also after the same file is
 *   imported a second time;
 * - `POST /admin/ingest` on an instance that does not own the principal reaches its owner;
 * - an incident resolved as a false positive on a non-owner clears the principal's score on every
 *   instance (the owner applies the forgive and announces the lower score through the shared state).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Kvm, type KV } from '@nats-io/kv';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { DetectionEvent } from '../../src/core/events.js';
import { Baseline } from '../../src/risk/baseline/principal.js';
import { createRiskEngine, parseLog } from '../../src/risk/index.js';
import { fnv1a, RISK_STREAM } from '../../src/risk/partition/buckets.js';
import { OWNERS_BUCKET } from '../../src/risk/partition/leases.js';
import { PARTITION_DEFAULTS } from '../../src/risk/partition/owner.js';
import { PgRiskStateRepository } from '../../src/risk/store/postgres.js';
import { PostgresResponseRepository } from '../../src/response/index.js';
import { IncidentTracker } from '../../src/response/incidents.js';
import { subjectOf } from '../../src/response/matcher.js';
import { STATE_BUCKET } from '../../src/cluster/nats-shared-state.js';
import { openDatabase } from '../../src/store/index.js';
import { sharedKeyDir } from '../audit-ha/helpers.js';
import { startPrivateNats, type PrivateNats } from '../helpers/nats-server.js';
import { eventually, type EventuallyOptions } from '../helpers/eventually.js';
import { freshSchema, type TestSchema } from '../helpers/postgres.js';
import { runCli, startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

const BUCKETS = PARTITION_DEFAULTS.buckets;
const wait = (): EventuallyOptions => ({ timeoutMs: 60_000, intervalMs: 200, context: () => instances.map((i) => i.output().slice(-2000)).join('\n') });

let nats: PrivateNats;
let fresh: TestSchema;
let nc: NatsConnection;
let owners: KV;
let repo: PgRiskStateRepository;
let env: NodeJS.ProcessEnv;
let adminKey: string;
/** `first` took every bucket before `second` started: it gave up the upper half, which `second` took. */
let first: WardenProcess;
let second: WardenProcess;
let secondId: string;
const instances: WardenProcess[] = [];

async function ownerOf(bucket: number): Promise<string> {
  const entry = await owners.get(`bucket.${bucket}`);
  return entry ? (JSON.parse(entry.string()) as { owner: string }).owner : '';
}

async function ownerCounts(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let bucket = 0; bucket < BUCKETS; bucket++) {
    const owner = await ownerOf(bucket);
    if (owner) counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  return counts;
}

/** A user whose bucket the second instance owns. */
async function userOwnedBySecond(prefix: string): Promise<string> {
  for (let i = 0; ; i++) if ((await ownerOf(fnv1a(`User:${prefix}${i}`) % BUCKETS)) === secondId) return `${prefix}${i}`;
}

async function savedEvents(key: string): Promise<number | undefined> {
  const row = (await repo.loadBaselines('principal', fnv1a(key) % BUCKETS)).find((r) => r.key === key);
  return row ? Baseline.fromJSON(row.data).events : undefined;
}

/** What one engine that learns the whole file counts per principal: each event once. */
function expectedCounts(text: string, keys: string[]): Map<string, number> {
  const engine = createRiskEngine({ db: openDatabase(tempDir()), config: { persistIntervalSeconds: 0 } });
  for (const event of parseLog(text, 'sshd', { year: 2026 }).events) engine.process(event);
  const counts = new Map(engine.exportPrincipals(keys).map((r) => [r.key, Baseline.fromJSON(r.data).events]));
  engine.close();
  return counts;
}

function sshdLines(users: string[], perUser: number): string {
  const lines: string[] = [];
  for (let i = 0; i < perUser; i++) {
    for (const [u, user] of users.entries()) lines.push(`Nov  2 07:${String(10 + u).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} bastion-1 sshd[${2000 + i}]: Accepted password for ${user} from 10.1.${u}.${i % 250} port ${40000 + i} ssh2`);
  }
  // An identical line twice is two logins: both count.
  lines.push(lines[0]!);
  return `${lines.join('\n')}\n`;
}

before(async () => {
  nats = await startPrivateNats();
  fresh = await freshSchema('ingest');
  const keys = sharedKeyDir();
  const config = {
    principals: [{ id: 'carol', groups: ['security'], roles: ['admin'] }],
    audit: { signingKeyFile: keys.signingKeyFile, encryption: { kekFile: keys.kekFile } },
    // No periodic sweep: a lowered score is announced by the forgive itself, not by a timer 60 s later.
    risk: { persistIntervalSeconds: 0, weights: { other: 90 } },
  };
  env = { WARDEN_DATABASE_URL: fresh.url, WARDEN_NATS_URL: nats.url };
  nc = await connect({ servers: nats.url });
  first = await startWarden(config, { logLevel: 'warn', env });
  instances.push(first);
  owners = await eventually('the owners bucket exists', () => new Kvm(nc).open(OWNERS_BUCKET).catch(() => undefined), wait());
  await eventually('the first instance owns every bucket', async () => [...(await ownerCounts()).values()].join() === String(BUCKETS), wait());
  const firstId = [...(await ownerCounts()).keys()][0]!;
  // The admin key is made by the CLI (it needs only the database) while the second instance starts.
  const [created, started] = await Promise.all([runCli(['keys', 'create', '--principal', 'carol', '--data-dir', tempDir()], { WARDEN_DATABASE_URL: fresh.url }), startWarden(config, { logLevel: 'warn', env })]);
  second = started;
  instances.push(second);
  await eventually('both instances own their share', async () => {
    const counts = await ownerCounts();
    return counts.size === 2 && [...counts.values()].every((n) => n === BUCKETS / 2) && counts.get(firstId) === BUCKETS / 2;
  }, wait());
  secondId = [...(await ownerCounts()).keys()].find((id) => id !== firstId)!;
  repo = await PgRiskStateRepository.open(fresh.pool);
  assert.equal(created.code, 0, created.stderr);
  adminKey = created.stdout.trim().split('\n').at(-1)!;
  for (const instance of instances) {
    await eventually(`${instance.url} accepts the admin key`, async () => (await fetch(`${instance.url}/admin/detections?limit=1`, { headers: { authorization: `Bearer ${adminKey}` } })).status === 200, wait());
  }
});

after(async () => {
  for (const instance of instances) await instance.stop();
  await nc?.close();
  await nats?.stop();
  await fresh?.close();
});

test('warden ingest with the cluster environment reaches the owners once, also when the same file is imported twice', async () => {
  const users = ['ingest-a', 'ingest-b', 'ingest-c', 'ingest-d'];
  const text = sshdLines(users, 50);
  const dir = tempDir();
  const file = join(dir, 'auth.log');
  writeFileSync(file, text);
  const keys = users.map((u) => `User:${u}`);
  const expected = expectedCounts(text, keys);
  assert.ok([...expected.values()].every((n) => n >= 100));
  const args = ['ingest', '--format', 'sshd', file, '--year', '2026', '--wait', '--timeout', '60', '--json', '--data-dir', join(dir, 'data')];

  const once = await runCli(args, env);
  assert.equal(once.code, 0, once.stderr);
  const report = JSON.parse(once.stdout) as { stream: { published: number; duplicates: number }; processed: boolean; publishMs: number; waitMs: number };
  const events = parseLog(text, 'sshd', { year: 2026 }).events.length;
  assert.deepEqual([report.stream.published, report.stream.duplicates, report.processed], [events, 0, true]);
  // --wait returned once every owner's checkpoint passed the events: the saved baselines hold them all.
  for (const key of keys) assert.equal(await savedEvents(key), expected.get(key), key);
  // Nothing went to a local database: the command opened none.
  assert.equal(existsSync(join(dir, 'data', 'warden.db')), false);
  console.log(`ingest: ${events} events published in ${report.publishMs} ms, every owner's checkpoint past them after ${report.waitMs} ms`);

  const stored = (await (await jetstreamManager(nc)).streams.info(RISK_STREAM)).state.messages;
  const twice = await runCli(args, env);
  assert.equal(twice.code, 0, twice.stderr);
  const again = JSON.parse(twice.stdout) as { stream: { published: number; duplicates: number }; processed: boolean };
  assert.deepEqual([again.stream.published, again.stream.duplicates, again.processed], [0, events, true]);
  assert.equal((await (await jetstreamManager(nc)).streams.info(RISK_STREAM)).state.messages, stored);
  for (const key of keys) assert.equal(await savedEvents(key), expected.get(key), key);
});

test('POST /admin/ingest on an instance that does not own the principal reaches its owner', async () => {
  const user = await userOwnedBySecond('posted-');
  const text = sshdLines([user], 20);
  const expected = expectedCounts(text, [`User:${user}`]).get(`User:${user}`)!;
  const res = await fetch(`${first.url}/admin/ingest?format=sshd`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'text/plain' }, body: text });
  const body = (await res.json()) as { stream: { published: number } };
  assert.equal(res.status, 202, JSON.stringify(body));
  assert.equal(body.stream.published, parseLog(text, 'sshd').events.length);
  await eventually(`the owner saved ${user}'s ${expected} events`, async () => (await savedEvents(`User:${user}`)) === expected, wait());
});

test('an incident resolved as a false positive on a non-owner clears the score on every instance', async () => {
  const user = await userOwnedBySecond('forgiven-');
  const principal = { type: 'User', id: user };
  const detection: DetectionEvent = { type: 'detection', id: randomUUID(), time: new Date().toISOString(), detector: 'integrity.tamper', category: 'integrity', entity: principal, score: 1, severity: 'critical', explanation: 'test evidence' };
  // As an instance's bus would: onto the event stream, from which the router takes it to the owner.
  await jetstream(nc).publish('warden.events.detection', JSON.stringify(detection), { msgID: detection.id });
  const state = await new Kvm(nc).open(STATE_BUCKET);
  const shared = async (): Promise<number | undefined> => {
    const entry = await state.get(`risk-snapshot.${Buffer.from(`User:${user}`).toString('base64url')}`);
    return entry?.operation === 'PUT' ? (JSON.parse(entry.string()) as { value: { score: number } }).value.score : undefined;
  };
  const scoreOn = async (instance: WardenProcess): Promise<number> => {
    const res = await fetch(`${instance.url}/admin/risk/User/${user}`, { headers: { authorization: `Bearer ${adminKey}` } });
    return ((await res.json()) as { score: number }).score;
  };
  await eventually('the owner raised the score and shared it', async () => ((await shared()) ?? 0) >= 80, wait());
  for (const instance of instances) assert.ok((await scoreOn(instance)) >= 80);
  // The owner stored the detection in the cluster's database: the instance that does not own the principal lists it too.
  const listed = async (): Promise<boolean> => {
    const res = await fetch(`${first.url}/admin/detections?entityId=${user}`, { headers: { authorization: `Bearer ${adminKey}` } });
    return ((await res.json()) as { detections: { id: string }[] }).detections.some((d) => d.id === detection.id);
  };
  await eventually('the non-owner lists the detection', listed, wait());

  // The incident the detection would open, recorded in the shared store; resolved on the instance that does not own the principal.
  const incident = await new IncidentTracker({ repo: await PostgresResponseRepository.open(fresh.pool), windowSeconds: 3600 }).record(subjectOf(detection)!);
  const res = await fetch(`${first.url}/admin/incidents/${incident.id}/resolve`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ resolution: 'false_positive' }) });
  assert.equal(res.status, 200, await res.text());
  await eventually('the lower score is shared', async () => (await shared()) === 0, { ...wait(), timeoutMs: 20_000 });
  for (const instance of instances) await eventually(`${instance.url} sees the score cleared`, async () => (await scoreOn(instance)) === 0, { ...wait(), timeoutMs: 10_000 });
});
