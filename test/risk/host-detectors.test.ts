import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RiskEvent, WardenEvent } from '../../src/core/events.js';
import { InProcessBus } from '../../src/events/index.js';
import { parseLog, rankSources, type DetectionRecord } from '../../src/risk/index.js';
import { access, DAY, HOUR, normalWeeks, signIn, T0, testEngine, type TestEngine } from './helpers.js';

function feed(te: TestEngine, events: readonly WardenEvent[]): DetectionRecord[] {
  const out: DetectionRecord[] = [];
  for (const e of events) {
    te.clock.now = Date.parse(e.time);
    out.push(...te.engine.process(e));
  }
  return out;
}

/** A syslog timestamp `Mar  3 09:01:10` for epoch ms `t` (the tests parse with year 2026). */
function stamp(t: number): string {
  const d = new Date(t);
  const mon = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  return `${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)}`;
}

function syslog(lines: [number, string][]): WardenEvent[] {
  const r = parseLog(lines.map(([t, l]) => `${stamp(t)} web-1 ${l}`).join('\n'), 'syslog', { year: 2026 });
  assert.equal(r.errorCount, 0);
  return r.events;
}

const failed = (t: number, user: string, ip: string, pid = 4000): [number, string] => [t, `sshd[${pid}]: Failed password for ${user} from ${ip} port 4${pid} ssh2`];
const accepted = (t: number, user: string, ip: string): [number, string] => [t, `sshd[5000]: Accepted password for ${user} from ${ip} port 50000 ssh2`];

test('brute force then success: the account, the source and the compromise are flagged, the source ranks first', () => {
  const te = testEngine();
  const t = T0 + 10 * DAY;
  const lines: [number, string][] = [];
  for (let i = 0; i < 150; i++) lines.push(failed(t + i * 20_000, 'deploy', '45.95.147.10', 4000 + Math.floor(i / 6)));
  for (let i = 0; i < 3; i++) lines.push(failed(t + i * 60_000, 'root', '198.51.100.7')); // background noise: three guesses
  lines.push(accepted(t + 151 * 20_000, 'deploy', '45.95.147.10'));
  lines.sort((a, b) => a[0] - b[0]);
  const found = feed(te, syslog(lines));
  const by = (d: string): DetectionRecord[] => found.filter((x) => x.detector === d);
  const brute = by('risk.brute_force');
  assert.ok(brute.length >= 1);
  assert.deepEqual(brute[0]!.entity, { type: 'User', id: 'deploy' });
  assert.match(brute[0]!.explanation, /^10 failed passwords for `deploy` within 60 min from 1 source\(s\) \(`45\.95\.147\.10` 10\); this account's own baseline predicts 0\.00 per 60 min \(threshold 10\)$/);
  assert.ok(brute.length >= 4, 'a further finding at each doubling: 10, 20, 40, 80');
  assert.ok(by('risk.source_brute_force').some((d) => d.entity.id === '45.95.147.10'));
  const success = by('risk.success_after_failures')[0];
  assert.ok(success, 'success after a run of failures');
  assert.equal(success.severity, 'high');
  assert.match(success.explanation, /after 150 failed attempts on this account within 1440 min \(150 from the same source\)/);
  const attacker = by('risk.attacker_success')[0];
  assert.ok(attacker);
  assert.equal(attacker.severity, 'critical');
  assert.match(attacker.explanation, /a source flagged for brute force/);
  assert.ok(te.engine.snapshot({ type: 'User', id: 'deploy' }).score >= 80);
  const ranked = rankSources(found);
  assert.equal(ranked[0]!.source, '45.95.147.10');
  assert.equal(ranked.some((r) => r.source === '198.51.100.7'), false, 'three failures are not an attack');
});

test('the account\'s own baseline: a script failing all day raises the bar; a user mistyping twice then succeeding is not a compromise', () => {
  const te = testEngine();
  const lines: [number, string][] = [];
  // backup-bot fails 12 times an hour for two days (a stale password in a cron job) from its own host.
  for (let h = 0; h < 48; h++) for (let i = 0; i < 12; i++) lines.push(failed(T0 + h * HOUR + i * 300_000, 'backup-bot', '10.0.0.5', 6000 + h));
  const first = feed(te, syslog(lines.filter(([t]) => t < T0 + 24 * HOUR)));
  assert.ok(first.some((d) => d.detector === 'risk.brute_force'), 'at first, with no history, 12 an hour is above the floor');
  const later = feed(te, syslog(lines.filter(([t]) => t >= T0 + 24 * HOUR && t < T0 + 48 * HOUR)));
  assert.equal(later.filter((d) => d.detector === 'risk.brute_force' || d.detector === 'risk.source_brute_force').length, 0, 'once learned, its usual rate is not an attack');
  const t = T0 + 3 * DAY;
  const mistype = feed(te, syslog([failed(t, 'alice', '81.2.69.142'), failed(t + 5000, 'alice', '81.2.69.142'), accepted(t + 9000, 'alice', '81.2.69.142')]));
  assert.deepEqual(mistype.map((d) => d.detector), []);
});

test('username enumeration: many names that do not exist from one source; one typo is nothing', () => {
  const te = testEngine();
  const t = T0 + DAY;
  const names = ['oracle', 'test', 'ubuntu', 'pi', 'ftpuser', 'git'];
  const found = feed(te, syslog(names.map((n, i): [number, string] => [t + i * 30_000, `sshd[${7000 + i}]: Failed password for invalid user ${n} from 203.0.113.66 port 5${i} ssh2`])));
  const e = found.find((d) => d.detector === 'risk.user_enumeration');
  assert.ok(e);
  assert.deepEqual(e.entity, { type: 'SourceIp', id: '203.0.113.66' });
  assert.match(e.explanation, /tried 5 user names that do not exist within 60 min/);
  const typo = feed(te, syslog([[t, 'sshd[7100]: Failed password for invalid user alcie from 81.2.69.142 port 1 ssh2']]));
  assert.equal(typo.length, 0);
});

test('insider at night: account created and put in sudo outside the actor\'s pattern, then used; a routine admin is quiet', () => {
  const te = testEngine();
  // Both work 09-17 UTC for two weeks; ops-admin also manages accounts every weekday.
  const history: WardenEvent[] = [...normalWeeks('dev-bob', 2, { groups: ['dev'] }), ...normalWeeks('ops-admin', 2, { groups: ['ops'] })];
  for (let d = 0; d < 10; d++) history.push(...syslog([[T0 + d * DAY + 11 * HOUR, `sudo:    ops-admin : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/usr/sbin/usermod -aG docker temp${d}`], [T0 + d * DAY + 11 * HOUR + 1000, `usermod[900${d}]: add 'temp${d}' to group 'docker'`]]));
  history.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  feed(te, history);
  const night = T0 + 15 * DAY + 2 * HOUR; // 02:00 UTC
  const act = feed(te, syslog([
    [night, 'sudo:    dev-bob : TTY=pts/3 ; PWD=/home/dev-bob ; USER=root ; COMMAND=/usr/sbin/useradd -m helper'],
    [night + 1000, 'useradd[9100]: new user: name=helper, UID=1050, GID=1050, home=/home/helper, shell=/bin/bash, from=/dev/pts/3'],
    [night + 60_000, 'sudo:    dev-bob : TTY=pts/3 ; PWD=/home/dev-bob ; USER=root ; COMMAND=/usr/sbin/usermod -aG sudo helper'],
    [night + 61_000, "usermod[9101]: add 'helper' to group 'sudo'"],
  ]));
  const changes = act.filter((d) => d.detector === 'risk.privilege_change');
  assert.equal(changes.length, 2);
  assert.match(changes[0]!.explanation, /^created account `User:helper`: `dev-bob` has made no account or privilege change before; at 02:00 UTC, an hour holding \d\.\d% of its \d+ events/);
  assert.match(changes[1]!.explanation, /grants administrative power \(`HostGroup:web-1\/sudo`\); to `User:helper`, an account created 1 min earlier by `dev-bob`/);
  assert.equal(changes[1]!.severity, 'critical');
  const use = feed(te, syslog([accepted(night + 30 * 60_000, 'helper', '81.2.69.200')])).find((d) => d.detector === 'risk.new_account_use');
  assert.ok(use);
  assert.match(use.explanation, /first sign-in of `helper` from `81\.2\.69\.200`, 30 min after `dev-bob` created it; since given `HostGroup:web-1\/sudo`; the creation was outside the creator's pattern/);
  const routine = feed(te, syslog([[T0 + 15 * DAY + 11 * HOUR, 'sudo:    ops-admin : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/usr/sbin/usermod -aG docker temp99'], [T0 + 15 * DAY + 11 * HOUR + 1000, "usermod[9200]: add 'temp99' to group 'docker'"]]));
  assert.deepEqual(routine.filter((d) => d.detector === 'risk.privilege_change'), []);
});

test('a dormant account waking after weeks of silence is flagged once; a daily user is not', () => {
  const te = testEngine();
  feed(te, normalWeeks('old-contractor', 2));
  feed(te, normalWeeks('daily', 2));
  for (let d = 14; d < 40; d++) feed(te, [signIn('daily', T0 + d * DAY + 9 * HOUR)]);
  const wake = T0 + 40 * DAY + 10 * HOUR;
  const found = feed(te, [signIn('old-contractor', wake), signIn('daily', wake + 1000), signIn('old-contractor', wake + HOUR)]);
  const d = found.filter((x) => x.detector === 'risk.dormant_account');
  assert.equal(d.length, 1);
  assert.deepEqual(d[0]!.entity, { type: 'User', id: 'old-contractor' });
  assert.match(d[0]!.explanation, /is active again after 29 days without a successful sign-in or action/);
});

test('data volume per device, against the device\'s own baseline (a shared workstation, not one principal)', () => {
  const te = testEngine();
  const events: WardenEvent[] = [];
  for (let d = 0; d < 14; d++) {
    for (let h = 9; h < 17; h++) {
      // Two people share the kiosk; each pulls little, the kiosk's own total is steady.
      events.push(access('ann', T0 + d * DAY + h * HOUR + 60_000, 'read', 'Dataset:d', { device: 'kiosk-7', bytes: 5e6 }));
      events.push(access('cem', T0 + d * DAY + h * HOUR + 120_000, 'read', 'Dataset:d', { device: 'kiosk-7', bytes: 5e6 }));
    }
  }
  feed(te, events);
  const t = T0 + 15 * DAY + 10 * HOUR;
  const burst: WardenEvent[] = [];
  for (let i = 0; i < 40; i++) burst.push(access(i % 2 ? 'ann' : 'cem', t + i * 30_000, 'read', 'Dataset:d', { device: 'kiosk-7', bytes: 60e6 }));
  const found = feed(te, burst).filter((d) => d.detector === 'risk.volume' && d.entity.type === 'Device');
  assert.ok(found.length >= 1, 'the device surge is seen on the device baseline');
  assert.deepEqual(found[0]!.entity, { type: 'Device', id: 'kiosk-7' });
  assert.match(found[0]!.explanation, /bytes this hour vs a typical active hour of \d+ for device `kiosk-7` \(\d+ hours\) and \d+ for a typical device/);
});

test('risk that rose past a threshold publishes a down-crossing event when its evidence ages', async () => {
  const bus = new InProcessBus();
  const risk: RiskEvent[] = [];
  bus.subscribe((e) => void (e.type === 'risk' && risk.push(e)), { name: 't', types: ['risk'] });
  const te = testEngine({}, undefined, bus);
  const t = T0 + DAY;
  const lines: [number, string][] = [];
  for (let i = 0; i < 12; i++) lines.push(failed(t + i * 10_000, 'erin', '45.95.147.10', 8000 + i));
  lines.push(accepted(t + 200_000, 'erin', '45.95.147.10'));
  feed(te, syslog(lines));
  await bus.drain();
  const up = risk.filter((r) => r.principal.id === 'erin' && r.direction === 'up');
  assert.ok(up.length >= 1);
  assert.equal(risk.filter((r) => r.direction === 'down').length, 0);
  // Half-life 240 min: after a day the evidence has aged; any later event (or the timer) lets the engine notice.
  feed(te, [signIn('someone-else', t + DAY)]);
  await bus.drain();
  const down = risk.filter((r) => r.principal.id === 'erin' && r.direction === 'down');
  assert.deepEqual(down.map((r) => r.threshold), [80, 50].filter((th) => up.some((u) => u.threshold! >= th)));
  assert.ok(down.every((r) => r.score < r.threshold! && r.previous >= r.threshold!));
});

test('among noisier attackers, the source that brute-forced an account and got in ranks first', () => {
  const te = testEngine();
  const t = T0 + 2 * DAY;
  const lines: [number, string][] = [];
  // Five sources hammer root (300 guesses each, more than the winner) and cycle names; none gets in.
  for (let s = 0; s < 5; s++) {
    for (let i = 0; i < 300; i++) lines.push(failed(t + s * 600_000 + i * 5_000, 'root', `203.0.113.${10 + s}`, 10_000 + s * 400 + i));
    for (let i = 0; i < 12; i++) lines.push([t + s * 600_000 + i * 7_000, `sshd[${20_000 + s * 20 + i}]: Failed password for invalid user guest${i} from 203.0.113.${10 + s} port 1 ssh2`]);
  }
  // One source guesses 150 passwords for `fztu` within the hour, then logs in, three times over the day.
  for (let i = 0; i < 150; i++) lines.push(failed(t + HOUR + i * 20_000, 'fztu', '119.137.62.142', 30_000 + i));
  for (let k = 0; k < 3; k++) lines.push(accepted(t + 2 * HOUR + k * 3 * HOUR, 'fztu', '119.137.62.142'));
  lines.sort((a, b) => a[0] - b[0]);
  const ranked = rankSources(feed(te, syslog(lines)));
  assert.equal(ranked[0]!.source, '119.137.62.142', JSON.stringify(ranked.slice(0, 3)));
  assert.ok(ranked[0]!.detectors['risk.attacker_success'] !== undefined);
});

test('a source failing steadily for two days is judged against its own rate once it has one', () => {
  const te = testEngine();
  const lines: [number, string][] = [];
  // One failure a minute from a monitoring probe with a stale password, 2,880 in all.
  for (let i = 0; i < 2880; i++) lines.push([T0 + i * 60_000, `sshd[${40_000 + i}]: Failed password for nagios from 10.9.0.4 port 1 ssh2`]);
  const found = feed(te, syslog(lines)).filter((d) => d.detector === 'risk.source_brute_force');
  assert.ok(found.length >= 1, 'with no history, 60 an hour is above the floor');
  const late = found.filter((d) => Date.parse(d.time) >= T0 + 30 * HOUR);
  assert.deepEqual(late, [], 'after a day of the same rate, the same rate is the baseline');
  assert.ok(found.every((d) => (d.details as { failures: number }).failures <= 60), 'the window holds one hour');
});
