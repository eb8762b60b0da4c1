/**
 * sshd's messages, every kind: logins accepted and failed (password, publickey, keyboard-interactive,
 * none), invalid users, PAM failures (new `pam_unix(sshd:auth)` and old `sshd(pam_unix)` style),
 * `message repeated N times`, attempt limits, preauth disconnects, reverse-mapping warnings, sessions.
 *
 * One attempt is often logged several times (an `Invalid user` notice, a PAM failure, then sshd's own
 * `Failed password`). Lines of the same sshd process (host and pid) are correlated so that each attempt
 * becomes one event: a notice or PAM line waits up to two minutes for sshd's own result line; if it
 * comes, the notice is counted as its duplicate, otherwise the notice itself becomes the event (old
 * logs where only PAM writes to the file, clients that disconnect after the user name).
 */
import type { WardenEvent } from '../../../core/index.js';
import { importedAuthentication, importedDecision } from '../event.js';
import type { Tally } from '../tally.js';
import { isoTime, type SyslogHeader } from './header.js';
import { sourceOf, userName, type SourceRef } from './source.js';

const ACCEPTED = /^Accepted (\S+) for (.+?) from (\S+) port \d+(?: ssh2)?(?:: (\S+) (\S+))?/;
const FAILED = /^Failed (\S+) for (invalid user )?(.*?) from (\S+) port \d+/;
const INVALID = /^Invalid user (.*?) from (\S+?)(?: port \d+)?\s*$/;
const REPEATED = /^message repeated (\d{1,6}) times: \[ ?(.*?) ?\]$/;
const PAM_FAILURE = /authentication failure; .*?rhost=(\S*)(?:\s+user=(\S+))?/;
const PAM_SESSION_OPEN = /session opened for user (\S+?)(?:\(uid=\d+\))? by/;
const NOT_ALLOWED = /^User (\S+) from (\S+) not allowed because/;

const SKIP_RULES: [RegExp, string][] = [
  [/^input_userauth_request: invalid user/, 'sshd: invalid-user request (the `Invalid user` line records it)'],
  [/check pass; user unknown/, 'sshd: PAM unknown-user check (folded into the attempt)'],
  [/^PAM \d+ more authentication failures?;/, 'sshd: PAM summary of failures already logged one by one'],
  [/^PAM service\(sshd\) ignoring max retries/, 'sshd: PAM retry-limit notice'],
  [/maximum authentication attempts exceeded|Too many authentication failures/, 'sshd: attempt limit reached (each failure is counted on its own line)'],
  [/^reverse mapping checking getaddrinfo|does not map back to the address|^Address \S+ maps to/, 'sshd: reverse-DNS warning (no authentication attempt)'],
  [/\[preauth\]\s*$|^Did not receive identification string|^Connection (closed|reset) by|^Timeout before authentication|^Bad protocol version|^Unable to negotiate|^(error: )?kex_|^Protocol major versions differ|^banner exchange|^ssh_dispatch_run_fatal|^fatal: /, 'sshd: connection ended before authentication'],
  [/^Received disconnect from|^Disconnected from|^pam_unix\(sshd:session\): session closed|session closed for user/, 'sshd: session or connection closed'],
  [/^Postponed |^Connection from |^Starting session|^subsystem request|^User child is on pid|^Transferred: |^Close session|^Read error from remote host/, 'sshd: connection bookkeeping'],
  [/^Server listening on|^Received signal|^Received SIGHUP|^Exiting on signal|^error: Bind to port|^Server terminated/, 'sshd: daemon start or stop'],
  [/^pam_\w+\(sshd:(account|setcred|session)\)|^pam_\w+\(sshd:auth\): (?!authentication failure)/, 'sshd: other PAM module notice'],
];

interface Pending {
  t: number;
  kind: 'invalid' | 'pam';
  make: () => WardenEvent[];
}

const HORIZON_MS = 120_000;
const MAX_TRACKED = 20_000;

export class SshdParser {
  private readonly pending = new Map<string, Pending[]>();
  /** sshd processes whose login was accepted (their PAM `session opened` line is that login again). */
  private readonly accepted = new Map<string, number>();
  /** Old-style PAM: `check pass; user unknown` precedes the failure line of the same process. */
  private readonly unknownUser = new Map<string, number>();

  constructor(private readonly tally: Tally) {}

  handle(h: SyslogHeader): void {
    this.expire(h.t);
    const key = `${h.host}|${h.pid ?? ''}`;
    const time = isoTime(h.t);
    let message = h.message;
    let times = 1;
    const repeated = REPEATED.exec(message);
    if (repeated) {
      times = Number(repeated[1]);
      message = repeated[2]!;
      if (!FAILED.test(message)) {
        this.tally.skip('sshd: repeated message that records no attempt');
        return;
      }
    }
    const accepted = ACCEPTED.exec(message);
    if (accepted) {
      const [, method, user, from, , fingerprint] = accepted as unknown as [string, string, string, string, string?, string?];
      this.settle(key, 'accepted');
      remember(this.accepted, key, h.t);
      this.tally.convert(login(time, h.host, userName(user), sourceOf(from), method, fingerprint));
      return;
    }
    const failed = FAILED.exec(message);
    if (failed) {
      const [, method, invalid, user, from] = failed as unknown as [string, string, string | undefined, string, string];
      if (!repeated) this.settle(key, 'failed');
      if (method === 'none' && !invalid) {
        this.tally.skip('sshd: `none` method probe for an existing user (no credential tried)');
        return;
      }
      const reason = invalid ? 'unknown_user' : method === 'publickey' || method === 'hostbased' ? 'key_rejected' : 'invalid_credentials';
      const events: WardenEvent[] = [];
      for (let i = 0; i < times; i++) events.push(failure(time, userName(user), sourceOf(from), reason));
      this.tally.convert(events);
      return;
    }
    const invalid = INVALID.exec(message);
    if (invalid) {
      const user = userName(invalid[1]!);
      const source = sourceOf(invalid[2]);
      this.defer(key, { t: h.t, kind: 'invalid', make: () => [failure(time, user, source, 'unknown_user')] });
      return;
    }
    const pam = PAM_FAILURE.exec(message);
    if (pam && (h.module === 'pam_unix' || message.startsWith('pam_'))) {
      const source = sourceOf(pam[1]);
      const unknown = this.unknownUser.has(key);
      const user = pam[2] ? userName(pam[2]) : undefined;
      this.defer(key, { t: h.t, kind: 'pam', make: () => [failure(time, user, source, unknown || !user ? 'unknown_user' : 'invalid_credentials')] });
      return;
    }
    if (/check pass; user unknown/.test(message)) remember(this.unknownUser, key, h.t);
    const session = PAM_SESSION_OPEN.exec(message);
    if (session && (h.module !== undefined || message.startsWith('pam_'))) {
      const seen = this.accepted.get(key);
      if (seen !== undefined && h.t - seen <= HORIZON_MS) {
        this.tally.skip('sshd: PAM session of an accepted login (the `Accepted` line records it)');
        return;
      }
      // Old logs where only PAM writes here: the session is the only trace of a successful login.
      this.tally.convert(login(time, h.host, userName(session[1]!), undefined, 'pam', undefined));
      return;
    }
    const notAllowed = NOT_ALLOWED.exec(message);
    if (notAllowed) {
      this.tally.convert([failure(time, userName(notAllowed[1]!), sourceOf(notAllowed[2]), 'not_allowed')]);
      return;
    }
    for (const [pattern, reason] of SKIP_RULES) {
      if (pattern.test(message)) {
        this.tally.skip(reason);
        return;
      }
    }
    this.tally.skip('sshd: message not recognised');
  }

  /** Emits what is still waiting (end of input). */
  finish(): void {
    this.expire(Infinity);
  }

  private defer(key: string, p: Pending): void {
    let list = this.pending.get(key);
    if (!list) {
      if (this.pending.size >= MAX_TRACKED) this.expire(Infinity);
      this.pending.set(key, (list = []));
    }
    list.push(p);
  }

  /** sshd's own result line arrived: the notices that wait for it are duplicates of it. */
  private settle(key: string, result: 'accepted' | 'failed'): void {
    const list = this.pending.get(key);
    if (!list) return;
    this.pending.delete(key);
    for (const p of list) {
      if (p.kind === 'invalid') this.tally.skip('sshd: invalid-user notice (its failed attempt is recorded)');
      else this.tally.skip(result === 'failed' ? 'sshd: PAM failure (sshd\'s own `Failed` line records it)' : 'sshd: PAM failure before an accepted login (a retry within the same connection)');
    }
  }

  private expire(now: number): void {
    for (const [key, list] of this.pending) {
      if (now - list[0]!.t <= HORIZON_MS) break; // the map is in arrival order: the rest is younger
      this.pending.delete(key);
      // An invalid-user notice and a PAM failure of one process are one attempt.
      const pam = list.find((p) => p.kind === 'pam');
      for (const p of list) {
        if (pam && p !== pam) this.tally.skip('sshd: invalid-user notice (its PAM failure is recorded)');
        else this.tally.convert(p.make());
      }
    }
  }
}

function remember(map: Map<string, number>, key: string, t: number): void {
  if (map.size >= MAX_TRACKED) map.delete(map.keys().next().value as string);
  map.delete(key);
  map.set(key, t);
}

function login(time: string, host: string, user: string, source: SourceRef | undefined, method: string, fingerprint: string | undefined): WardenEvent[] {
  const principal = { type: 'User', id: user };
  return [
    importedAuthentication({
      time,
      source: 'sshd',
      outcome: 'success',
      principal,
      sourceIp: source?.ip ?? '',
      ...(fingerprint ? { credentialId: fingerprint } : {}),
      mfa: method.includes('keyboard-interactive') && method.includes('publickey'),
      origin: { system: 'sshd', ...(source?.host ? { host: source.host } : {}) },
    }),
    importedDecision({ system: 'sshd', time, principal, action: 'ssh:login', resource: { type: 'Host', id: host }, sourceIp: source?.ip ?? '', allowed: true, credentialId: fingerprint }),
  ];
}

function failure(time: string, user: string | undefined, source: SourceRef | undefined, reason: string): WardenEvent {
  return importedAuthentication({
    time,
    source: 'sshd',
    outcome: 'failure',
    ...(user ? { principal: { type: 'User', id: user } } : {}),
    sourceIp: source?.ip ?? '',
    reason,
    origin: { system: 'sshd', ...(source?.host ? { host: source.host } : {}) },
  });
}
