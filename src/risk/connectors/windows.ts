/**
 * Windows Security events as exported by winlogbeat (`{"@timestamp", "winlog": {"event_id",
 * "computer_name", "event_data"}}`) or by EVTX-to-JSON tools (`{"Event": {"System": {"EventID",
 * "TimeCreated": {"#attributes": {"SystemTime"}}, "Computer"}, "EventData": {...}}}`):
 * 4624/4625 logons, 4648 explicit-credential logons, 4672 special privileges, 4720 account created,
 * 4728/4732/4756 member added to a security group, 4740 account locked out. Other event ids, machine
 * accounts (`NAME$`) and the system's own logons are counted, not imported.
 */
import type { WardenEvent } from '../../core/index.js';
import { importedAuthentication, importedDecision } from './event.js';
import { isoTime, num, obj, path, str, type Obj } from './fields.js';
import { Skip } from './tally.js';
import { sourceOf, userName } from './syslog/source.js';

/** NTSTATUS codes of a failed logon that mean "no such account". */
const NO_SUCH_USER = new Set(['0xc0000064']);
const SYSTEM_ACCOUNTS = /^(system|local service|network service|anonymous logon|dwm-\d+|umfd-\d+|-)$/i;

function shape(r: Obj): { id: number; time: string; computer: string; data: Obj } {
  const winlog = obj(r.winlog);
  if (winlog) {
    const id = num(winlog.event_id) ?? num(path(r, 'event', 'code'));
    if (id === undefined) throw new Error('missing `winlog.event_id`');
    return { id, time: isoTime(r['@timestamp'], '@timestamp'), computer: str(winlog.computer_name) ?? 'unknown', data: obj(winlog.event_data) ?? {} };
  }
  const event = obj(r.Event) ?? r;
  const system = obj(event.System);
  if (!system) throw new Error('neither winlogbeat (`winlog`) nor EVTX JSON (`Event.System`)');
  const rawId = system.EventID;
  const id = num(rawId) ?? num(obj(rawId)?.['#text']);
  if (id === undefined) throw new Error('missing `Event.System.EventID`');
  const created = path(system, 'TimeCreated', '#attributes', 'SystemTime') ?? path(system, 'TimeCreated', 'SystemTime');
  return { id, time: isoTime(created, 'TimeCreated.SystemTime'), computer: str(system.Computer) ?? 'unknown', data: obj(event.EventData) ?? {} };
}

/** `CORP\alice` -> `alice` (domain dropped, lower case: Windows names are case-insensitive). */
function account(name: unknown): string | undefined {
  const s = str(name);
  if (!s) return undefined;
  return userName(s.split('\\').pop()!.split('@')[0]!.toLowerCase());
}

export function parseWindows(record: unknown): WardenEvent[] | Skip {
  const r = obj(record);
  if (!r) throw new Error('record is not a JSON object');
  const { id, time, computer, data } = shape(r);
  const host = { type: 'Host', id: computer.toLowerCase() };
  const subject = account(data.SubjectUserName);
  const targetUser = account(data.TargetUserName);
  const source = sourceOf(str(data.IpAddress) === '-' ? undefined : str(data.IpAddress));
  const isMachine = (u: string | undefined): boolean => u === undefined || u.endsWith('$') || SYSTEM_ACCOUNTS.test(u);
  const decision = (actor: string, action: string, resource: { type: string; id: string }, target: string | undefined, allowed = true): WardenEvent[] => {
    const e = importedDecision({ system: 'windows', time, principal: { type: 'User', id: actor }, action, resource, sourceIp: source?.ip ?? '', allowed, device: str(data.WorkstationName) });
    if (target !== undefined) e.target = { type: 'User', id: target };
    return [e];
  };
  switch (id) {
    case 4624: {
      if (isMachine(targetUser)) return new Skip('windows: 4624 logon of a machine or system account');
      const logonType = num(data.LogonType);
      if (logonType === 5 || logonType === 0) return new Skip('windows: 4624 service or system logon');
      return [
        importedAuthentication({
          time,
          source: 'windows',
          outcome: 'success',
          principal: { type: 'User', id: targetUser! },
          sourceIp: source?.ip ?? '',
          ...(str(data.WorkstationName) && str(data.WorkstationName) !== '-' ? { device: str(data.WorkstationName)!.toLowerCase() } : {}),
          ...(str(data.TargetLogonId) ? { credentialId: str(data.TargetLogonId) } : {}),
          origin: { system: 'windows', ...(source?.host ? { host: source.host } : {}) },
        }),
      ];
    }
    case 4625: {
      const status = (str(data.SubStatus) ?? str(data.Status) ?? '').toLowerCase();
      const unknown = NO_SUCH_USER.has(status);
      return [
        importedAuthentication({
          time,
          source: 'windows',
          outcome: 'failure',
          ...(targetUser && targetUser !== '-' ? { principal: { type: 'User', id: targetUser } } : {}),
          sourceIp: source?.ip ?? '',
          ...(str(data.WorkstationName) && str(data.WorkstationName) !== '-' ? { device: str(data.WorkstationName)!.toLowerCase() } : {}),
          reason: unknown ? 'unknown_user' : status === '0xc0000234' ? 'locked_out' : 'invalid_credentials',
          origin: { system: 'windows', ...(source?.host ? { host: source.host } : {}) },
        }),
      ];
    }
    case 4648:
      if (isMachine(subject)) return new Skip('windows: 4648 by a machine or system account');
      return decision(subject!, 'windows:explicit_credentials', { type: 'Host', id: (str(data.TargetServerName) ?? computer).toLowerCase() }, targetUser);
    case 4672:
      if (isMachine(subject)) return new Skip('windows: 4672 special privileges of a machine or system account');
      return decision(subject!, 'windows:special_privileges', host, subject);
    case 4720:
      return decision(subject ?? 'system', 'windows:account_created', host, targetUser);
    case 4728:
    case 4732:
    case 4756: {
      const member = account(str(data.MemberName)?.match(/^CN=([^,]+)/)?.[1]) ?? account(data.MemberSid);
      return decision(subject ?? 'system', 'windows:group_member_added', { type: 'HostGroup', id: `${computer.toLowerCase()}/${(str(data.TargetUserName) ?? 'unknown').slice(0, 100)}` }, member);
    }
    case 4740:
      return decision(targetUser ?? 'unknown', 'windows:account_locked_out', host, targetUser, false);
    default:
      return new Skip(`windows: event ${id} (not a logon, privilege or account event)`);
  }
}
