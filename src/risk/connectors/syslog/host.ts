/**
 * What a person does on a Linux host, from syslog: sudo and su, account and group management
 * (useradd, usermod, userdel, groupadd, gpasswd), password changes (passwd, chpasswd), console logins
 * and systemd-logind sessions. Each becomes a decision event `host:<verb>` on `Host:<host>` or
 * `HostGroup:<host>/<group>`, with the account it is about as `target`.
 *
 * The shadow tools do not log who ran them; when the same host logged a `sudo` of that tool by a user
 * within the last 30 seconds, that user is the actor, else `root`.
 */
import type { EntityRef, WardenEvent } from '../../../core/index.js';
import { importedAuthentication, importedDecision } from '../event.js';
import type { Tally } from '../tally.js';
import { isoTime, type SyslogHeader } from './header.js';
import { userName } from './source.js';

const SUDO = /^\s*(\S+) : (?:(.*?) ; )?TTY=\S* ; PWD=.*? ; USER=(\S+) ;(?: ENV=.*? ;)? COMMAND=(.*)$/;
const PAM_SESSION = /^pam_\w+\((\w+)(?:-\w+)?:session\): session opened for user (\S+?)(?:\(uid=\d+\))? by (\S*?)\(uid=(\d+)\)/;
const OLD_PAM_SESSION = /^session opened for user (\S+?) by (\S*?)\(uid=(\d+)\)/;
const HORIZON_MS = 30_000;

interface LastSudo {
  user: string;
  tool: string;
  t: number;
}

/** `name=bob, UID=1001, ...` -> the value of `name`. */
function field(message: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|[ ,:])${name}=([^,\\s]+)`).exec(message);
  return m ? m[1] : undefined;
}

export class HostParser {
  private readonly lastSudo = new Map<string, LastSudo>();

  constructor(private readonly tally: Tally) {}

  /** Returns false when the program is not one of the host's account or privilege programs. */
  handle(h: SyslogHeader): boolean {
    const program = h.program.toLowerCase();
    switch (program) {
      case 'sudo':
        this.sudo(h);
        return true;
      case 'su':
        this.su(h);
        return true;
      case 'useradd':
      case 'adduser':
      case 'usermod':
      case 'userdel':
      case 'deluser':
      case 'groupadd':
      case 'addgroup':
      case 'groupmod':
      case 'groupdel':
      case 'gpasswd':
        this.shadow(h, program);
        return true;
      case 'passwd':
      case 'chpasswd':
      case 'chage':
        this.password(h, program);
        return true;
      case 'systemd-logind':
        this.logind(h);
        return true;
      case 'login':
        this.login(h);
        return true;
      case 'cron':
      case 'crond':
      case 'anacron':
        this.tally.skip('cron: scheduled job (not a person acting)');
        return true;
      default:
        return false;
    }
  }

  private decision(h: SyslogHeader, actor: string, action: string, resource: EntityRef, target: string | undefined, allowed = true): WardenEvent {
    const event = importedDecision({ system: 'syslog', time: isoTime(h.t), principal: { type: 'User', id: actor }, action, resource, sourceIp: '', allowed });
    if (target !== undefined) event.target = { type: 'User', id: target };
    return event;
  }

  private hostRef(h: SyslogHeader): EntityRef {
    return { type: 'Host', id: h.host };
  }

  private groupRef(h: SyslogHeader, group: string): EntityRef {
    return { type: 'HostGroup', id: `${h.host}/${group.slice(0, 100)}` };
  }

  /** Who ran a shadow tool: the user who sudo'd it on this host just before, else root. */
  private actorOf(h: SyslogHeader, tool: string): string {
    const last = this.lastSudo.get(h.host);
    return last && h.t - last.t <= HORIZON_MS && h.t >= last.t && (last.tool === tool || (tool === 'useradd' && last.tool === 'adduser')) ? last.user : 'root';
  }

  private sudo(h: SyslogHeader): void {
    const m = SUDO.exec(h.message);
    if (m) {
      const [, user, problem, runAs, command] = m as unknown as [string, string, string | undefined, string, string];
      const actor = userName(user);
      if (problem) {
        this.tally.convert([this.decision(h, actor, 'host:sudo', this.hostRef(h), userName(runAs), false)]);
        return;
      }
      const words = command.trim().split(/\s+/);
      const tool = (words[0] ?? '').split('/').pop() ?? '';
      if (this.lastSudo.size > 10_000) this.lastSudo.clear();
      this.lastSudo.set(h.host, { user: actor, tool, t: h.t });
      const sudoers = tool === 'visudo' || /\/etc\/sudoers/.test(command);
      // A sudoers edit grants rights to someone the line does not name: no target.
      this.tally.convert([this.decision(h, actor, sudoers ? 'host:sudoers_edit' : 'host:sudo', this.hostRef(h), sudoers ? undefined : userName(runAs))]);
      return;
    }
    if (/^pam_\w+\(sudo(-i)?:session\): session (opened|closed)/.test(h.message)) this.tally.skip('sudo: PAM session (the command line records it)');
    else if (/^pam_\w+\(sudo(-i)?:auth\)/.test(h.message)) this.tally.skip('sudo: PAM authentication step (the command or failure line records it)');
    else this.tally.skip('sudo: message not recognised');
  }

  private su(h: SyslogHeader): void {
    const msg = h.message;
    const session = PAM_SESSION.exec(msg) ?? (h.module ? OLD_PAM_SESSION.exec(msg) : null);
    if (session) {
      // [.., service?, to, by, uid] for the new form, [.., to, by, uid] for the old one.
      const [to, by, uid] = session.length === 5 ? [session[2]!, session[3]!, session[4]!] : [session[1]!, session[2]!, session[3]!];
      const actor = by ? userName(by) : uid === '0' ? 'root' : `uid:${uid}`;
      this.tally.convert([this.decision(h, actor, 'host:su', this.hostRef(h), userName(to))]);
      return;
    }
    const failed = /^FAILED su for (\S+) by (\S+)/.exec(msg) ?? /^FAILED SU \(to (\S+)\) (\S+) on/.exec(msg);
    if (failed) {
      this.tally.convert([this.decision(h, userName(failed[2]!), 'host:su', this.hostRef(h), userName(failed[1]!), false)]);
      return;
    }
    if (/^Successful su for|^\+ \S+ \S+:\S+|^\(to \S+\) \S+ on/.test(msg)) this.tally.skip('su: switch notice (the PAM session line records it)');
    else if (/session closed/.test(msg) || /^- \S+ \S+:\S+/.test(msg)) this.tally.skip('su: session closed');
    else if (/authentication failure|^pam_/.test(msg)) this.tally.skip('su: PAM step (the FAILED or session line records it)');
    else this.tally.skip('su: message not recognised');
  }

  private shadow(h: SyslogHeader, program: string): void {
    const msg = h.message;
    const tool = program === 'adduser' ? 'useradd' : program === 'deluser' ? 'userdel' : program === 'addgroup' ? 'groupadd' : program;
    const actor = (): string => this.actorOf(h, tool);
    let m: RegExpExecArray | null;
    if ((m = /^new user: /.exec(msg))) {
      const name = field(msg, 'name');
      if (!name) throw new Error('new user line without a name');
      this.tally.convert([this.decision(h, actor(), 'host:useradd', this.hostRef(h), userName(name))]);
    } else if ((m = /^new group: /.exec(msg))) {
      const name = field(msg, 'name');
      if (!name) throw new Error('new group line without a name');
      if (tool === 'useradd') this.tally.skip("useradd: the new user's own group");
      else this.tally.convert([this.decision(h, actor(), 'host:groupadd', this.groupRef(h, name), undefined)]);
    } else if ((m = /^add '([^']+)' to group '([^']+)'/.exec(msg)) ?? (m = /^user (\S+) added by \S+ to group (\S+)/.exec(msg))) {
      const by = /added by (\S+) to group/.exec(msg)?.[1];
      this.tally.convert([this.decision(h, by ? userName(by) : actor(), 'host:group_add', this.groupRef(h, m[2]!), userName(m[1]!))]);
    } else if ((m = /^delete '([^']+)' from group '([^']+)'/.exec(msg)) ?? (m = /^user (\S+) removed by \S+ from group (\S+)/.exec(msg))) {
      if (tool === 'userdel') this.tally.skip('userdel: memberships removed with the account');
      else this.tally.convert([this.decision(h, actor(), 'host:group_remove', this.groupRef(h, m[2]!), userName(m[1]!))]);
    } else if ((m = /^delete user '([^']+)'/.exec(msg))) {
      this.tally.convert([this.decision(h, actor(), 'host:userdel', this.hostRef(h), userName(m[1]!))]);
    } else if ((m = /^(?:change|lock|unlock) user (?:name )?'([^']+)'/.exec(msg))) {
      this.tally.convert([this.decision(h, actor(), 'host:usermod', this.hostRef(h), userName(m[1]!))]);
    } else if (/^add '[^']+' to shadow group|^group added to \/etc\/gshadow|^removed shadow group|^delete '[^']+' from shadow group/.test(msg)) {
      this.tally.skip(`${tool}: /etc/gshadow copy of a change already recorded`);
    } else if (/^group added to \/etc\/group/.test(msg)) {
      this.tally.skip(`${tool}: /etc/group step (the \`new group\` line records it)`);
    } else if (/^removed group '[^']+' owned by/.test(msg)) {
      this.tally.skip("userdel: the deleted user's own group");
    } else if ((m = /^group '([^']+)' removed/.exec(msg))) {
      this.tally.convert([this.decision(h, actor(), 'host:groupdel', this.groupRef(h, m[1]!), undefined)]);
    } else {
      this.tally.skip(`${tool}: message not recognised`);
    }
  }

  private password(h: SyslogHeader, program: string): void {
    const m = /^pam_\w+\(\w+:chauthtok\): password changed for (\S+)/.exec(h.message);
    if (m) {
      const target = userName(m[1]!);
      const sudoActor = this.actorOf(h, program);
      // passwd run without sudo changes the caller's own password; chpasswd runs as root.
      const actor = sudoActor !== 'root' || program === 'chpasswd' ? sudoActor : program === 'passwd' ? target : 'root';
      this.tally.convert([this.decision(h, actor, 'host:passwd', this.hostRef(h), target)]);
      return;
    }
    if (/^password for '[^']+' changed by/.test(h.message)) this.tally.skip(`${program}: change notice (the PAM chauthtok line records it)`);
    else this.tally.skip(`${program}: message not recognised`);
  }

  private logind(h: SyslogHeader): void {
    const m = /^New session (\S+) of user (\S+?)\.?$/.exec(h.message);
    if (m) {
      this.tally.convert([this.decision(h, userName(m[2]!), 'host:session', this.hostRef(h), undefined)]);
      return;
    }
    this.tally.skip('systemd-logind: session end or seat bookkeeping');
  }

  /** `ROOT LOGIN ON tty2` / `LOGIN ON tty1 BY alice`: a console login. */
  consoleLogin(h: SyslogHeader): void {
    const by = /BY (\S+)$/.exec(h.message)?.[1];
    const user = userName(by ?? (h.message.startsWith('ROOT') ? 'root' : h.program));
    this.tally.convert([importedAuthentication({ time: isoTime(h.t), source: 'login', outcome: 'success', principal: { type: 'User', id: user }, sourceIp: '', origin: { system: 'login' } })]);
  }

  private login(h: SyslogHeader): void {
    const time = isoTime(h.t);
    const session = PAM_SESSION.exec(h.message) ?? (h.module ? OLD_PAM_SESSION.exec(h.message) : null);
    if (session) {
      const user = userName(session.length === 5 ? session[2]! : session[1]!);
      this.tally.convert([importedAuthentication({ time, source: 'login', outcome: 'success', principal: { type: 'User', id: user }, sourceIp: '', origin: { system: 'login' } })]);
      return;
    }
    const failed = /^FAILED LOGIN \(?\d+\)? (?:ON|FROM) \S+ FOR (\S+?),/.exec(h.message);
    if (failed) {
      const user = userName(failed[1]!);
      const unknown = user === 'UNKNOWN';
      this.tally.convert([importedAuthentication({ time, source: 'login', outcome: 'failure', ...(unknown ? {} : { principal: { type: 'User', id: user } }), sourceIp: '', reason: unknown ? 'unknown_user' : 'invalid_credentials', origin: { system: 'login' } })]);
      return;
    }
    this.tally.skip('login: session closed or notice');
  }
}
