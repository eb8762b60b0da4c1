/**
 * The syslog header: `Nov  2 06:58:12 host prog[pid]: msg` (BSD, no year), RFC 3339 timestamps
 * (`2026-11-02T07:05:09.41+00:00 host prog[pid]: msg`), an optional `<PRI>`, and program names such as
 * `sshd(pam_unix)` written by older PAM, `syslogd 1.4.1: restart.` and login's `-- root[2421]: ROOT LOGIN ON tty2`.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SYSLOG =
  /^(?:<\d{1,3}>)?([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) (\S+) +(?:-- )?([\w./-]{1,64})(?:\(([\w.-]{1,32})\))?(?:\[(\d{1,10})\])?(?: [\d.]{1,16})?: ?(.*)$/;

export interface SyslogOptions {
  /** Year for BSD timestamps, which have none (default: the current year, or the previous one when that would lie in the future). */
  year?: number | undefined;
  now?: number | undefined;
}

export interface SyslogHeader {
  t: number;
  host: string;
  /** Program name without the pid, e.g. `sshd`, `useradd`, `systemd-logind`. */
  program: string;
  /** The parenthesised module of old PAM lines: `pam_unix` in `sshd(pam_unix)[123]`. */
  module: string | undefined;
  pid: string | undefined;
  message: string;
}

function parseTime(ts: string, options: SyslogOptions): number {
  if (/^\d{4}/.test(ts)) {
    const t = Date.parse(ts.replace(' ', 'T') + (/(Z|[+-]\d\d:?\d\d)$/.test(ts) ? '' : 'Z'));
    if (!Number.isFinite(t)) throw new Error(`bad timestamp \`${ts}\``);
    return t;
  }
  const month = MONTHS.indexOf(ts.slice(0, 3));
  const day = Number(ts.slice(4, 6).trim());
  const [h, m, s] = ts.slice(7).split(':').map(Number) as [number, number, number];
  if (month < 0 || day < 1 || day > 31 || h > 23 || m > 59 || s > 60) throw new Error(`bad timestamp \`${ts}\``);
  const now = options.now ?? Date.now();
  const year = options.year ?? new Date(now).getUTCFullYear();
  let t = Date.UTC(year, month, day, h, m, s);
  if (options.year === undefined && t > now + 86_400_000) t = Date.UTC(year - 1, month, day, h, m, s);
  return t;
}

let isoOf = Number.NaN;
let iso = '';
/**
 * `new Date(t).toISOString()`, remembering the last one: a log's consecutive lines mostly share their
 * second, and formatting the date again for each costs more than parsing the line.
 */
export function isoTime(t: number): string {
  if (t !== isoOf) {
    iso = new Date(t).toISOString();
    isoOf = t;
  }
  return iso;
}

/** Throws for a line that is not syslog at all (reported as malformed with its line number). */
export function parseHeader(line: string, options: SyslogOptions): SyslogHeader {
  const m = SYSLOG.exec(line.trim());
  if (!m) throw new Error('not a syslog line');
  const [, ts, host, program, module, pid, message] = m as unknown as [string, string, string, string, string | undefined, string | undefined, string];
  return { t: parseTime(ts, options), host, program, module, pid, message };
}
