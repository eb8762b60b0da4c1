/**
 * What an analyst would flag in a raw Linux auth log, by rules written out here and applied to the
 * text itself (not to Warden's connectors), so that the evaluation checks Warden against an
 * expectation it did not produce:
 *
 * - R1 hammering: a source with >= 10 failed passwords within any 60 minutes. A failure is a
 *   `Failed password|keyboard-interactive for ... from SRC` line (x N when it is `message repeated N
 *   times: [ ... ]`), or, in logs where sshd writes no such line, a PAM `authentication failure; ...
 *   rhost=SRC` line.
 * - R2 cycling names: a source that tried >= 5 distinct user names that do not exist within any 60
 *   minutes (`Invalid user NAME from SRC`, `Failed ... for invalid user NAME from SRC`).
 * - R3 success after failures: an `Accepted ... for USER from SRC` (or a PAM session opened for USER)
 *   when USER had >= 5 failures in the previous 24 hours, or SRC had any failure before.
 *
 * Timestamps are syslog's (no year): the rules only compare times within one file.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const HEAD = /^([A-Z][a-z]{2}) +(\d+) (\d\d):(\d\d):(\d\d) \S+ +(\S+?)(?:\[\d+\])?: (.*)$/;

export interface Expectation {
  rule: 'R1 hammering' | 'R2 cycling names' | 'R3 success after failures';
  source: string;
  evidence: string;
}

interface Attempt {
  t: number;
  source: string;
  user?: string;
  invalidUser?: string;
}

export function analyse(text: string): Expectation[] {
  const failures: Attempt[] = [];
  const probes: Attempt[] = [];
  const successes: { t: number; user: string; source?: string }[] = [];
  let sshdFailedLines = 0;
  const pamFailures: Attempt[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = HEAD.exec(line);
    if (!m) continue;
    const [, mon, day, hh, mm, ss, program, msg] = m as unknown as string[];
    const t = Date.UTC(2000, MONTHS.indexOf(mon!), Number(day), Number(hh), Number(mm), Number(ss));
    if (!program!.startsWith('sshd')) continue;
    const rep = /^message repeated (\d+) times: \[ ?(.*?) ?\]$/.exec(msg!);
    const times = rep ? Number(rep[1]) : 1;
    const body = rep ? rep[2]! : msg!;
    let f: RegExpExecArray | null;
    if ((f = /^Failed (password|keyboard-interactive\S*) for (invalid user )?(.*?) from (\S+) port/.exec(body))) {
      sshdFailedLines++;
      for (let i = 0; i < times; i++) failures.push({ t, source: f[4]!, user: f[3]!, ...(f[2] ? { invalidUser: f[3]! } : {}) });
    }
    if ((f = /^Invalid user (.*?) from (\S+?)(?: port \d+)?\s*$/.exec(body))) probes.push({ t, source: f[2]!, invalidUser: f[1]! });
    if ((f = /authentication failure; .*rhost=(\S+)(?:\s+user=(\S+))?/.exec(body))) pamFailures.push({ t, source: f[1]!, ...(f[2] ? { user: f[2] } : {}) });
    if ((f = /^Accepted \S+ for (.*?) from (\S+) port/.exec(body))) successes.push({ t, user: f[1]!, source: f[2]! });
    else if ((f = /session opened for user (\S+) by/.exec(body)) && sshdFailedLines === 0) successes.push({ t, user: f[1]! });
  }
  // Where sshd logs its own results, PAM lines repeat them; where it does not (old logs), they are the attempts.
  const attempts = sshdFailedLines > 0 ? failures : pamFailures;
  const out: Expectation[] = [];
  for (const [source, list] of group(attempts)) {
    const peak = maxInWindow(list.map((a) => a.t), 3_600_000);
    if (peak >= 10) out.push({ rule: 'R1 hammering', source, evidence: `${peak} failed passwords within 60 min (${list.length} in all)` });
  }
  for (const [source, list] of group([...probes, ...failures.filter((a) => a.invalidUser)])) {
    const best = maxDistinctInWindow(list, 3_600_000);
    if (best >= 5) out.push({ rule: 'R2 cycling names', source, evidence: `${best} distinct non-existent user names within 60 min` });
  }
  for (const s of successes) {
    const userFails = attempts.filter((a) => a.user === s.user && a.t <= s.t && s.t - a.t <= 86_400_000).length;
    const sourceFails = s.source ? attempts.filter((a) => a.source === s.source && a.t <= s.t).length : 0;
    if (userFails >= 5 || sourceFails > 0) out.push({ rule: 'R3 success after failures', source: s.source ?? `(account ${s.user})`, evidence: `${s.user} logged in after ${userFails} failures on the account and ${sourceFails} from the source` });
  }
  return out;
}

function group(list: Attempt[]): Map<string, Attempt[]> {
  const m = new Map<string, Attempt[]>();
  for (const a of list) {
    let l = m.get(a.source);
    if (!l) m.set(a.source, (l = []));
    l.push(a);
  }
  return m;
}

function maxInWindow(times: number[], windowMs: number): number {
  times.sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

function maxDistinctInWindow(list: Attempt[], windowMs: number): number {
  const sorted = [...list].sort((a, b) => a.t - b.t);
  let best = 0;
  for (let i = 0; i < sorted.length; i++) {
    const names = new Set<string>();
    for (let j = i; j < sorted.length && sorted[j]!.t - sorted[i]!.t < windowMs; j++) names.add(sorted[j]!.invalidUser!);
    best = Math.max(best, names.size);
  }
  return best;
}
