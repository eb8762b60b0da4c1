/**
 * Linux audit (auditd) records, raw `/var/log/audit/audit.log` lines, plain or enriched (`log_format =
 * ENRICHED` appends `UID="alice" AUID="alice"` after a 0x1d separator): logins (USER_LOGIN), sudo
 * (USER_CMD), su (USER_START of su), failed su/sudo authentication (USER_AUTH), account and group
 * management (ADD_USER, DEL_USER, ADD_GROUP, DEL_GROUP, USER_MGMT), password changes (USER_CHAUTHTOK)
 * and writes to watched sudoers files (SYSCALL with a `sudoers`/`scope` key). Every other record type is
 * counted by type. Actions use the same `host:<verb>` names as the syslog connector.
 */
import type { EntityRef, WardenEvent } from '../../core/index.js';
import { importedAuthentication, importedDecision } from './event.js';
import { Skip } from './tally.js';
import { sourceOf, userName } from './syslog/source.js';

const HEADER = /^(?:node=(\S+) )?type=([A-Z_0-9]{2,40}) msg=audit\((\d{1,12})(?:\.(\d{1,3}))?:\d+\): ?(.*)$/;
const PAIR = /(\w+)=("[^"]*"|'[^']*'|\S+)/g;
const UNSET = '4294967295';
const LOGIN_EXES = /\/(sshd|login|gdm-session-worker|lightdm|sddm)$/;

type Fields = Map<string, string>;

function fields(text: string): Fields {
  const out: Fields = new Map();
  const [plain, enriched] = text.split('\x1d');
  const read = (s: string): void => {
    for (const m of s.matchAll(PAIR)) {
      const [, key, raw] = m as unknown as [string, string, string];
      if (raw.startsWith("'")) read(raw.slice(1, -1)); // the inner msg='...' of user-space records
      else if (!out.has(key)) out.set(key, raw.startsWith('"') ? raw.slice(1, -1) : raw);
    }
  };
  read(plain ?? '');
  if (enriched) for (const m of enriched.matchAll(PAIR)) out.set(`enriched.${m[1]}`, m[2]!.replace(/^"|"$/g, ''));
  return out;
}

/** auditd hex-encodes values with spaces or quotes (`acct=28696E76616C6964207573657229`). */
function decode(v: string | undefined): string | undefined {
  if (v === undefined || v === '?' || v === '') return undefined;
  if (/^(?:[0-9A-F]{2}){2,}$/.test(v)) {
    const s = Buffer.from(v, 'hex').toString('utf8');
    if (/^[\x20-\x7e]+$/.test(s)) return s;
  }
  return v;
}

function actorOf(f: Fields): string {
  const named = f.get('enriched.AUID');
  if (named && named !== 'unset') return userName(named);
  const auid = f.get('auid');
  if (auid && auid !== UNSET && auid !== '-1') return auid === '0' ? 'root' : `uid:${auid}`;
  const uid = f.get('enriched.UID') ?? (f.get('uid') === '0' ? 'root' : f.get('uid') ? `uid:${f.get('uid')}` : undefined);
  return uid ? userName(uid) : 'root';
}

function exeName(f: Fields): string {
  return (decode(f.get('exe')) ?? '').split('/').pop() ?? '';
}

export function parseAuditLine(line: string, defaultHost = 'localhost'): WardenEvent[] | Skip {
  const m = HEADER.exec(line.trim());
  if (!m) throw new Error('not an audit record (`type=... msg=audit(...)`)');
  const [, node, type, seconds, millis] = m as unknown as [string, string | undefined, string, string, string | undefined];
  const f = fields(m[5]!);
  const time = new Date(Number(seconds) * 1000 + Number((millis ?? '0').padEnd(3, '0'))).toISOString();
  const host = node ?? defaultHost;
  const hostRef: EntityRef = { type: 'Host', id: host };
  const ok = f.get('res') === 'success' || f.get('res') === 'yes' || f.get('success') === 'yes';
  const acct = decode(f.get('acct'));
  // `(invalid user)` / `(unknown)`: sshd's placeholder for a name that does not exist.
  const named = acct ?? f.get('enriched.ID');
  const target = named !== undefined && !/^\(.*\)$/.test(named) ? userName(named) : undefined;
  const decision = (action: string, resource: EntityRef, about: string | undefined, allowed = ok): WardenEvent[] => {
    const event = importedDecision({ system: 'auditd', time, principal: { type: 'User', id: actorOf(f) }, action, resource, sourceIp: '', allowed });
    if (about !== undefined) event.target = { type: 'User', id: about };
    return [event];
  };
  const group = (): EntityRef => ({ type: 'HostGroup', id: `${host}/${(decode(f.get('grp')) ?? decode(f.get('group')) ?? (type.endsWith('_GROUP') ? acct : undefined) ?? f.get('gid') ?? 'unknown').slice(0, 100)}` });
  const exe = exeName(f);
  switch (type) {
    case 'USER_LOGIN': {
      if (!LOGIN_EXES.test(`/${exe}`)) return new Skip('auditd: USER_LOGIN of a program that is not a login service');
      const source = sourceOf(decode(f.get('addr'))) ?? sourceOf(decode(f.get('hostname')));
      return [
        importedAuthentication({
          time,
          source: 'auditd',
          outcome: ok ? 'success' : 'failure',
          ...(target ? { principal: { type: 'User', id: target } } : f.get('id') && ok ? { principal: { type: 'User', id: `uid:${f.get('id')}` } } : {}),
          sourceIp: source?.ip ?? '',
          ...(ok ? {} : { reason: target ? 'invalid_credentials' : 'unknown_user' }),
          origin: { system: 'auditd', ...(source?.host ? { host: source.host } : {}) },
        }),
      ];
    }
    case 'USER_AUTH':
      if ((exe === 'su' || exe === 'sudo') && !ok) return decision(`host:${exe}`, hostRef, exe === 'su' ? (target ?? 'root') : 'root', false);
      return new Skip('auditd: USER_AUTH step (USER_LOGIN, USER_CMD or USER_START records the outcome)');
    case 'USER_CMD': {
      const cmd = decode(f.get('cmd')) ?? '';
      const sudoers = /^(\S*\/)?visudo\b|\/etc\/sudoers/.test(cmd);
      return decision(sudoers ? 'host:sudoers_edit' : 'host:sudo', hostRef, sudoers ? undefined : 'root');
    }
    case 'USER_START':
      if (exe === 'su') return decision('host:su', hostRef, target ?? 'root');
      return new Skip('auditd: USER_START of a session (the login or sudo record carries it)');
    case 'ADD_USER':
      return decision('host:useradd', hostRef, target ?? (f.get('id') ? `uid:${f.get('id')}` : undefined));
    case 'DEL_USER':
      return decision('host:userdel', hostRef, target ?? (f.get('id') ? `uid:${f.get('id')}` : undefined));
    case 'ADD_GROUP':
      return decision('host:groupadd', group(), undefined);
    case 'DEL_GROUP':
      return decision('host:groupdel', group(), undefined);
    case 'USER_MGMT':
    case 'GRP_MGMT': {
      const op = decode(f.get('op')) ?? '';
      if (/shadow/.test(op)) return new Skip('auditd: /etc/gshadow copy of a group change');
      if (/add.*(to|member).*group|adding.*to group|add-to-group/i.test(op)) return decision('host:group_add', group(), target);
      if (/(delete|remov).*from.*group/i.test(op)) return decision('host:group_remove', group(), target);
      return type === 'USER_MGMT' ? decision('host:usermod', hostRef, target) : new Skip('auditd: GRP_MGMT change other than membership');
    }
    case 'USER_CHAUTHTOK':
      return decision('host:passwd', hostRef, target);
    case 'SYSCALL': {
      const key = decode(f.get('key')) ?? '';
      if (/sudoers|^scope$/.test(key) && ok) return decision('host:sudoers_edit', hostRef, undefined);
      return new Skip('auditd: SYSCALL record without a sudoers watch key');
    }
    case 'USER_ACCT':
    case 'CRED_ACQ':
    case 'CRED_DISP':
    case 'CRED_REFR':
    case 'USER_END':
    case 'LOGIN':
    case 'USER_ERR':
    case 'USER_LOGOUT':
      return new Skip(`auditd: ${type} (session bookkeeping; the login, sudo or su record carries the act)`);
    default:
      return new Skip(`auditd: ${type} record (not an account, privilege or login record)`);
  }
}
