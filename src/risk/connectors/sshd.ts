/**
 * Linux sshd authentication log lines (syslog: BSD `Nov 21 09:01:02 host sshd[123]: ...` or RFC 3339
 * timestamps) -> Warden events. Accepted logins also become a `ssh:login` decision on `Host:<host>`, so
 * host access joins the peer-group baselines. Lines from other programs, and sshd lines that are not
 * authentication results, are skipped; lines that are not syslog at all are errors.
 */
import type { WardenEvent } from '../../core/events.js';
import { importedAuthentication, importedDecision } from './event.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SYSLOG = /^(?:<\d+>)?([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) (\S+) ([\w./-]+)(?:\[\d+\])?: (.*)$/;
const ACCEPTED = /^Accepted (\S+) for (\S+) from (\S+) port \d+(?: ssh2)?(?:: (\S+) (\S+))?/;
const FAILED = /^Failed (\S+) for (invalid user )?(\S+) from (\S+) port \d+/;
const INVALID = /^Invalid user (\S*) from (\S+)/;

export interface SshdOptions {
  /** Year for BSD timestamps, which have none (default: the current year, or the previous one when that would lie in the future). */
  year?: number | undefined;
  now?: number | undefined;
}

function parseTime(ts: string, options: SshdOptions): string {
  if (/^\d{4}/.test(ts)) {
    const t = Date.parse(ts.replace(' ', 'T') + (/(Z|[+-]\d\d:?\d\d)$/.test(ts) ? '' : 'Z'));
    if (!Number.isFinite(t)) throw new Error(`bad timestamp \`${ts}\``);
    return new Date(t).toISOString();
  }
  const month = MONTHS.indexOf(ts.slice(0, 3));
  const day = Number(ts.slice(4, 6).trim());
  const [h, m, s] = ts.slice(7).split(':').map(Number) as [number, number, number];
  const now = options.now ?? Date.now();
  let year = options.year ?? new Date(now).getUTCFullYear();
  let t = Date.UTC(year, month, day, h, m, s);
  if (options.year === undefined && t > now + 86_400_000) t = Date.UTC((year -= 1), month, day, h, m, s);
  if (month < 0 || !Number.isFinite(t)) throw new Error(`bad timestamp \`${ts}\``);
  return new Date(t).toISOString();
}

/** `null` for a syslog line that is not an sshd authentication result. */
export function parseSshdLine(line: string, options: SshdOptions = {}): WardenEvent[] | null {
  const m = SYSLOG.exec(line.trim());
  if (!m) throw new Error('not a syslog line');
  const [, ts, host, program, message] = m as unknown as [string, string, string, string, string];
  if (!program.startsWith('sshd')) return null;
  const time = parseTime(ts, options);
  const accepted = ACCEPTED.exec(message);
  if (accepted) {
    const [, method, user, ip, , fingerprint] = accepted as unknown as [string, string, string, string, string?, string?];
    const principal = { type: 'User', id: user };
    return [
      importedAuthentication({ time, source: 'sshd', outcome: 'success', principal, sourceIp: ip, ...(fingerprint ? { credentialId: fingerprint } : {}), mfa: method.includes('keyboard-interactive') && method.includes('publickey'), origin: { system: 'sshd' } }),
      importedDecision({ system: 'sshd', time, principal, action: 'ssh:login', resource: { type: 'Host', id: host }, sourceIp: ip, allowed: true, credentialId: fingerprint }),
    ];
  }
  const failed = FAILED.exec(message);
  if (failed) {
    const [, , invalid, user, ip] = failed as unknown as [string, string, string | undefined, string, string];
    return [importedAuthentication({ time, source: 'sshd', outcome: 'failure', principal: { type: 'User', id: user }, sourceIp: ip, reason: invalid ? 'unknown_user' : 'invalid_credentials', origin: { system: 'sshd' } })];
  }
  const invalid = INVALID.exec(message);
  if (invalid) {
    const [, user, ip] = invalid as unknown as [string, string, string];
    return [importedAuthentication({ time, source: 'sshd', outcome: 'failure', principal: { type: 'User', id: user || '(empty)' }, sourceIp: ip, reason: 'unknown_user', origin: { system: 'sshd' } })];
  }
  return null;
}
