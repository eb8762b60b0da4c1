import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseLog, type ParseResult } from '../../src/risk/index.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

type Row = { time: string; type: string; outcome: string; principal?: { id: string }; action?: string; resource?: { type: string; id: string }; target?: { id: string }; sourceIp: string; reason?: string; origin?: { host?: string } };
const rows = (r: ParseResult): Row[] => r.events as never as Row[];
const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);

/** Every record is accounted for exactly once: converted, skipped with a reason, or malformed. */
function accounted(r: ParseResult): void {
  assert.equal(r.records, r.converted + r.skipped + r.errorCount, 'records = converted + skipped + malformed');
  assert.equal(sum(r.skippedByReason), r.skipped);
  assert.equal(sum(r.malformedByReason), r.errorCount);
}

test('syslog auth.log: one event per sshd attempt, duplicates counted with their reason, host actions attributed', () => {
  const r = parseLog(fixture('auth.log'), 'syslog', { year: 2026 });
  accounted(r);
  assert.equal(r.records, 57);
  assert.deepEqual(r.errors.map((e) => [e.line, e.message]), [
    [55, 'new user line without a name'],
    [56, 'not a syslog line'],
    [57, 'bad timestamp `Mar 33 09:31:10`'],
  ]);
  const ev = rows(r);
  const auth = ev.filter((e) => e.type === 'authentication');
  // oracle: Invalid user + PAM failure + Failed password = one attempt; the name-only probe (pid 1452) is one more.
  assert.deepEqual(auth.filter((e) => e.sourceIp === '185.220.101.4').map((e) => [e.principal?.id, e.reason]), [['oracle', 'unknown_user'], ['(empty)', 'unknown_user']]);
  // root: one Failed line + "message repeated 4 times" = 5 guesses; the PAM summary and the limit lines add none.
  assert.equal(auth.filter((e) => e.principal?.id === 'root' && e.outcome === 'failure').length, 5);
  assert.equal(r.skippedByReason['sshd: PAM summary of failures already logged one by one'], 1);
  assert.equal(r.skippedByReason['sshd: attempt limit reached (each failure is counted on its own line)'], 2);
  assert.equal(auth.find((e) => e.principal?.id === 'bob' && e.outcome === 'failure')?.reason, 'key_rejected');
  assert.equal(auth.find((e) => e.principal?.id === 'carol')?.reason, 'not_allowed');
  assert.equal(auth.find((e) => e.principal?.id === 'admin')?.reason, 'unknown_user', '`Failed none` for an invalid user is a probe');
  const acts = ev.filter((e) => e.type === 'decision' && e.action !== 'ssh:login').map((e) => `${e.principal?.id} ${e.action} ${e.resource?.id}${e.target ? ` -> ${e.target.id}` : ''} ${e.outcome}`);
  assert.deepEqual(acts, [
    'alice host:session web-1 allow',
    'alice host:sudo web-1 -> root allow',
    'alice host:useradd web-1 -> svc-backup allow', // attributed to the sudo that ran useradd
    'alice host:sudo web-1 -> root allow',
    'alice host:group_add web-1/sudo -> svc-backup allow',
    'alice host:sudo web-1 -> root allow',
    'alice host:passwd web-1 -> svc-backup allow',
    'alice host:sudoers_edit web-1 allow',
    'bob host:sudo web-1 -> root deny',
    'bob host:sudo web-1 -> root deny',
    'alice host:su web-1 -> root allow',
    'bob host:su web-1 -> root deny',
    'root host:groupadd web-1/deploy allow', // no sudo before it: root
    'root host:passwd web-1 -> deploy-bot allow',
    'root host:userdel web-1 -> olduser allow',
    'svc-backup host:session web-1 allow',
  ]);
  assert.equal(r.skippedByReason['other program: kernel'], 1);
  assert.equal(r.skippedByReason['cron: scheduled job (not a person acting)'], 2);
});

test('syslog, old RHEL style: PAM lines alone become attempts (host names kept as the source), sessions become logins', () => {
  const r = parseLog(fixture('messages-rhel4.log'), 'syslog', { year: 2005 });
  accounted(r);
  assert.equal(r.records, 12);
  assert.equal(r.errorCount, 0, '`syslogd 1.4.1:` and `-- root[2421]:` are syslog too');
  const ev = rows(r);
  const fails = ev.filter((e) => e.outcome === 'failure');
  assert.deepEqual(fails.map((e) => [e.principal?.id, e.sourceIp, e.origin?.host, e.reason]), [
    [undefined, '218.188.2.4', undefined, 'unknown_user'],
    [undefined, '218.188.2.4', undefined, 'unknown_user'],
    ['root', '', '220-135-151-1.hinet-ip.hinet.net', 'invalid_credentials'],
  ]);
  assert.ok(ev.some((e) => e.type === 'authentication' && e.outcome === 'success' && e.principal?.id === 'test'));
  assert.ok(ev.some((e) => e.type === 'authentication' && e.outcome === 'success' && e.principal?.id === 'root' && e.time === '2005-07-07T08:06:15.000Z'));
  assert.ok(ev.some((e) => e.action === 'host:su' && e.principal?.id === 'root' && e.target?.id === 'cyrus'));
  assert.equal(r.skippedByReason['other program: ftpd'], 1);
});

test('auditd: logins, sudo, su, account and group changes, sudoers watch; the rest counted by record type', () => {
  const r = parseLog(fixture('audit.log'), 'auditd');
  accounted(r);
  assert.equal(r.records, 22);
  assert.deepEqual(r.errors, [{ line: 21, message: 'not an audit record (`type=... msg=audit(...)`)' }]);
  const ev = rows(r);
  const logins = ev.filter((e) => e.type === 'authentication').map((e) => [e.principal?.id, e.outcome, e.sourceIp, e.reason]);
  assert.deepEqual(logins, [
    ['root', 'failure', '45.95.147.10', 'invalid_credentials'],
    [undefined, 'failure', '185.220.101.4', 'unknown_user'], // acct is hex for "(invalid user)"
    ['alice', 'success', '81.2.69.142', undefined],
    ['alice', 'success', '81.2.69.142', undefined],
  ]);
  const acts = ev.filter((e) => e.type === 'decision').map((e) => `${e.principal?.id} ${e.action} ${e.resource?.id}${e.target ? ` -> ${e.target.id}` : ''} ${e.outcome}`);
  assert.deepEqual(acts, [
    'alice host:sudo localhost -> root allow',
    'alice host:useradd localhost -> svc allow',
    'alice host:useradd localhost -> svc allow',
    'alice host:group_add localhost/sudo -> svc allow',
    'alice host:passwd localhost -> svc allow',
    'uid:1000 host:sudoers_edit localhost allow',
    'alice host:su localhost -> root allow',
    'bob host:su localhost -> root deny',
    'root host:groupadd localhost/deploy allow',
    'root host:userdel db-1 -> olduser allow',
    'uid:1000 host:sudoers_edit localhost allow',
  ]);
  assert.equal(r.skippedByReason['auditd: /etc/gshadow copy of a group change'], 1);
  assert.equal(r.skippedByReason['auditd: PATH record (not an account, privilege or login record)'], 1);
});

test('Windows Security (winlogbeat and EVTX JSON): logons, failures by status, privilege and account events', () => {
  const r = parseLog(fixture('windows-winlogbeat.jsonl'), 'windows');
  accounted(r);
  assert.equal(r.records, 15);
  assert.deepEqual(r.errors.map((e) => [e.line, e.message]), [
    [14, 'missing `winlog.event_id`'],
    [15, 'not valid JSON'],
  ]);
  const ev = rows(r);
  assert.deepEqual(
    ev.map((e) => `${e.type === 'authentication' ? `logon ${e.outcome}` : e.action} ${e.principal?.id}${e.target ? ` -> ${e.target.id}` : ''}${e.reason ? ` (${e.reason})` : ''}${e.resource ? ` @${e.resource.id}` : ''}`),
    [
      'logon success alice',
      'logon failure administrator (invalid_credentials)',
      'logon failure backupadmin (unknown_user)',
      'windows:explicit_credentials alice -> svc-sql @sql01.corp.example.com',
      'windows:special_privileges alice -> alice @dc01.corp.example.com',
      'windows:account_created alice -> svc-backup @dc01.corp.example.com',
      'windows:group_member_added alice -> svc-backup @dc01.corp.example.com/Domain Admins',
      'windows:group_member_added alice -> s-1-5-21-1-2-3-1150 @fs01.corp.example.com/Administrators',
      'windows:account_locked_out bob -> bob @dc01.corp.example.com',
    ],
  );
  assert.equal(r.skippedByReason['windows: 4624 logon of a machine or system account'], 2);
  assert.equal(r.skippedByReason['windows: event 4634 (not a logon, privilege or account event)'], 1);
  const evtx = parseLog(fixture('windows-evtx.json'), 'windows');
  accounted(evtx);
  assert.deepEqual(rows(evtx).map((e) => [e.time, e.outcome, e.principal?.id]), [
    ['2026-03-03T10:00:00.000Z', 'failure', 'alice'],
    ['2026-03-03T10:00:09.000Z', 'success', 'alice'],
  ]);
  assert.deepEqual(evtx.errors, [{ line: 60, message: 'missing `TimeCreated.SystemTime`' }]);
});

test('CloudTrail IAM: users and keys created, admin policy attached, MFA removed, hidden user names on failed logins', () => {
  const r = parseLog(fixture('cloudtrail-iam.json'), 'cloudtrail');
  accounted(r);
  assert.equal(r.records, 8);
  assert.equal(r.errorCount, 1);
  const ev = rows(r);
  assert.deepEqual(
    ev.map((e) => `${e.action ?? `login ${e.outcome}`} ${e.principal?.id ?? '-'}${e.target ? ` -> ${e.target.id}` : ''} ${e.resource ? `${e.resource.type}:${e.resource.id}` : e.reason}`),
    [
      'iam:CreateUser alice -> svc-exfil AwsUser:svc-exfil',
      'iam:AttachUserPolicy alice -> svc-exfil AwsPolicy:arn:aws:iam::aws:policy/AdministratorAccess',
      'iam:CreateAccessKey alice -> svc-exfil AwsUser:svc-exfil',
      'iam:DeactivateMFADevice alice -> bob AwsUser:bob',
      'iam:AddUserToGroup alice -> svc-exfil AwsGroup:Admins',
      'login failure - unknown_user',
      's3:GetObject svc-exfil S3Object:ml-datasets/training/corpus-v3.parquet',
    ],
  );
});

test('an oversized line is malformed, not a regex workload', () => {
  const r = parseLog(`Mar  3 09:00:00 h sshd[1]: Invalid user ${'a from '.repeat(5000)} from 1.2.3.4\nMar  3 09:00:01 h sshd[2]: Connection closed by 1.2.3.4 port 1 [preauth]`, 'syslog', { year: 2026 });
  accounted(r);
  assert.deepEqual(r.errors, [{ line: 1, message: 'line longer than 16384 characters' }]);
  assert.equal(r.skipped, 1);
});

test('a reason echoing log content cannot grow without bound', () => {
  const lines = Array.from({ length: 500 }, (_, i) => `Mar  3 09:00:00 h prog${i}[1]: hello`).join('\n');
  const r = parseLog(lines, 'syslog', { year: 2026 });
  accounted(r);
  assert.equal(Object.keys(r.skippedByReason).length, 201);
  assert.equal(r.skippedByReason['other (too many distinct reasons to list)'], 300);
});
