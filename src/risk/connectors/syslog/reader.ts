/**
 * Reads a syslog authentication log (`/var/log/auth.log`, `/var/log/secure`, `/var/log/messages`)
 * line by line: sshd and the host's account and privilege programs become events; every other line is
 * counted with its reason (its program, or why an sshd line carries nothing new).
 *
 * @example
 * const tally = new Tally(100);
 * const reader = new SyslogReader(tally, { year: 2026 });
 * text.split('\n').forEach((line, i) => reader.line(line, i + 1));
 * reader.finish(); // tally.events sorted by time; tally.skipped: Map { 'cron: scheduled job ...' => 12, ... }
 */
import type { Tally } from '../tally.js';
import { parseHeader, type SyslogOptions } from './header.js';
import { HostParser } from './host.js';
import { SshdParser } from './sshd.js';

/** syslog daemons cut lines far below this; a longer one is not a log line (and would cost the regexes). */
const MAX_LINE = 16_384;

/** login(1) logs root's console logins under the user's name as the ident: `-- root[2421]: ROOT LOGIN ON tty2`. */
const CONSOLE_LOGIN = /^(ROOT LOGIN|LOGIN) ON \S+( BY \S+)?$/;

export class SyslogReader {
  private readonly sshd: SshdParser;
  private readonly host: HostParser;

  constructor(private readonly tally: Tally, private readonly options: SyslogOptions = {}) {
    this.sshd = new SshdParser(tally);
    this.host = new HostParser(tally);
  }

  /** One line (1-based `line` for error reports). Blank lines are not records. */
  line(text: string, line: number): void {
    if (!text.trim()) return;
    this.tally.read();
    if (text.length > MAX_LINE) {
      this.tally.fail(line, `line longer than ${MAX_LINE} characters`);
      return;
    }
    try {
      const h = parseHeader(text, this.options);
      const program = h.program;
      if (program === 'sshd' || program.startsWith('sshd-')) this.sshd.handle(h);
      else if (CONSOLE_LOGIN.test(h.message)) this.host.consoleLogin(h);
      else if (!this.host.handle(h)) this.tally.skip(`other program: ${program.replace(/[^\w.-]/g, '').slice(0, 32).toLowerCase() || '(none)'}`);
    } catch (error) {
      this.tally.fail(line, (error as Error).message);
    }
  }

  /** Settles lines still waiting for their sshd result, and puts events in time order. */
  finish(): void {
    this.sshd.finish();
    const events = this.tally.events;
    const times = new Map(events.map((e) => [e, Date.parse(e.time)]));
    events.sort((a, b) => times.get(a)! - times.get(b)!);
  }
}
