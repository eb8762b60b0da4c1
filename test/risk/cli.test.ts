import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/run.js';

function io(cwd: string): { io: Parameters<typeof runCli>[1]; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (f: (s: string) => void): Writable => new Writable({ write(chunk, _enc, cb) { f(String(chunk)); cb(); } });
  return { io: { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), env: {}, cwd }, out: () => out, err: () => err };
}

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

test('warden ingest imports a file into the data directory and reports malformed lines; detections list prints JSON lines', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-risk-cli-'));
  try {
    const a = io(dir);
    assert.equal(await runCli(['ingest', '--format', 'sshd', fixture('sshd.log'), '--year', '2026', '--data-dir', join(dir, 'data')], a.io), 0, a.err());
    assert.match(a.out(), /9 records: 5 became 7 events, 3 counted by reason, 1 malformed\n/);
    assert.match(a.out(), /\n +1 +sshd: invalid-user notice \(its failed attempt is recorded\)\n/);
    assert.match(a.out(), /\n +1 +cron: scheduled job \(not a person acting\)\n/);
    assert.match(a.out(), /processed here \(no Warden running\): 7 events, 0 detections/);
    assert.match(a.err(), /sshd\.log:8: not a syslog line/);

    const b = io(dir);
    assert.equal(await runCli(['ingest', '--format', 'okta', fixture('okta.jsonl'), '--data-dir', join(dir, 'data'), '--json'], b.io), 0, b.err());
    const summary = JSON.parse(b.out()) as { records: number; malformed: number; errors: { line: number }[] };
    assert.equal(summary.records, 6);
    assert.deepEqual(summary.errors.map((e) => e.line), [5, 6]);

    // A spray makes a detection to list.
    const spray = join(dir, 'spray.log');
    const lines = Array.from({ length: 10 }, (_, i) => `2026-11-02T07:0${i}:00Z bastion sshd[9]: Failed password for user${i} from 5.255.255.5 port 22 ssh2`);
    (await import('node:fs')).writeFileSync(spray, lines.join('\n'));
    const c = io(dir);
    assert.equal(await runCli(['ingest', '--format', 'sshd', spray, '--data-dir', join(dir, 'data')], c.io), 0, c.err());
    const d = io(dir);
    assert.equal(await runCli(['detections', 'list', '--json', '--data-dir', join(dir, 'data')], d.io), 0, d.err());
    const rows = d.out().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const row = rows.find((r) => r.type === 'risk.password_spray');
    assert.ok(row, d.out());
    for (const key of ['entity', 'type', 'score', 'time', 'explanation']) assert.ok(key in row, key);

    const e = io(dir);
    assert.equal(await runCli(['ingest', '--format', 'nginx', spray, '--data-dir', join(dir, 'data')], e.io), 2);
    const f = io(dir);
    assert.equal(await runCli(['ingest', '--format', 'sshd', join(dir, 'missing.log'), '--data-dir', join(dir, 'data')], f.io), 1);
    assert.match(f.err(), /cannot read .*ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('warden simulate --out writes the events as JSON lines and the attack labels beside them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-risk-sim-'));
  try {
    const a = io(dir);
    assert.equal(await runCli(['simulate', '--days', '16', '--users-per-team', '5', '--out', 'events.jsonl'], a.io), 0, a.err());
    const fs = await import('node:fs');
    const lines = fs.readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n');
    assert.ok(lines.length > 1000);
    assert.ok(['decision', 'authentication', 'detection'].includes((JSON.parse(lines[0]!) as { type: string }).type));
    const labels = JSON.parse(fs.readFileSync(join(dir, 'events.jsonl.labels.json'), 'utf8')) as { scenario: string }[];
    assert.equal(labels.length, 9, 'seven scenarios and two host-log ones (a dormant account needs 27 days)');
    const b = io(dir);
    assert.equal(await runCli(['simulate', '--days', '3'], b.io), 2, 'too short to learn and attack');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('warden ingest with a cluster database and no NATS stores what it finds in that database, where every instance and `warden detections list` read', async () => {
  const { freshSchema } = await import('../helpers/postgres.js');
  const fresh = await freshSchema('ingestdb');
  const dir = mkdtempSync(join(tmpdir(), 'warden-risk-cli-db-'));
  try {
    const spray = join(dir, 'spray.log');
    const lines = Array.from({ length: 10 }, (_, i) => `2026-11-02T07:0${i}:00Z bastion sshd[9]: Failed password for user${i} from 5.255.255.5 port 22 ssh2`);
    (await import('node:fs')).writeFileSync(spray, lines.join('\n'));
    const a = io(dir);
    a.io.env = { WARDEN_DATABASE_URL: fresh.url };
    assert.equal(await runCli(['ingest', '--format', 'sshd', spray, '--data-dir', join(dir, 'data')], a.io), 0, a.err());
    const listed = io(dir);
    listed.io.env = { WARDEN_DATABASE_URL: fresh.url };
    assert.equal(await runCli(['detections', 'list', '--json', '--data-dir', join(dir, 'other')], listed.io), 0, listed.err());
    assert.ok(listed.out().split('\n').some((l) => l.includes('"risk.password_spray"')), listed.out());
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await fresh.close();
  }
});

test('warden ingest in a cluster with NATS unreachable exits 1, says nothing was published, and writes no local state', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-risk-cli-nats-'));
  try {
    const file = join(dir, 'auth.log');
    (await import('node:fs')).writeFileSync(file, 'Nov  2 07:01:44 bastion-1 sshd[20243]: Accepted password for alice from 10.1.1.1 port 40130 ssh2\n');
    const a = io(dir);
    a.io.env = { WARDEN_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', WARDEN_NATS_URL: 'nats://127.0.0.1:1' };
    assert.equal(await runCli(['ingest', '--format', 'sshd', file, '--data-dir', join(dir, 'data')], a.io), 1, a.out());
    assert.match(a.err(), /cannot reach NATS at nats:\/\/127\.0\.0\.1:1 .*nothing was published/);
    assert.equal((await import('node:fs')).existsSync(join(dir, 'data', 'warden.db')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
