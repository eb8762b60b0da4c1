/**
 * Host logs in the simulated organisation: what the syslog, auditd and Windows connectors turn real
 * hosts' logs into. Benign: two platform admins manage accounts on `Host:bastion-1` in working hours
 * (temporary accounts put in `docker`), and a new hire is created and signs in the next day, weekly.
 * Attacks (labelled `host_*`): a password brute force against one account that then succeeds, an
 * insider who creates an account at night, puts it in `sudo` and edits sudoers, then logs in with it,
 * and a dormant account that wakes after three weeks of silence.
 *
 * Uses its own random stream, so the other scenarios' events are the same with or without it.
 */
import type { DecisionEvent, WardenEvent } from '../../core/index.js';
import { accessEvent, authEvent, type Actor } from './events.js';
import type { Organisation, SimUser } from './org.js';
import type { Random } from './random.js';
import type { AttackLabel } from './scenarios.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const HOST = 'Host:bastion-1';

function hostAction(rng: Random, t: number, actor: Actor, action: string, resource: string, target?: string): DecisionEvent {
  const e = accessEvent(rng, t, actor, { action, resource });
  if (target !== undefined) e.target = { type: 'User', id: target };
  return e;
}

const weekday = (start: number, d: number): boolean => ![0, 6].includes(new Date(start + d * DAY).getUTCDay());

/** Routine account administration by the platform team's two admins, and a weekly new hire. */
export function hostActivity(org: Organisation, rng: Random, start: number, days: number, out: WardenEvent[]): void {
  const admins = org.users.filter((u) => u.team === 'platform').slice(0, 2);
  if (admins.length === 0) return;
  let n = 0;
  for (let d = 0; d < days; d++) {
    if (!weekday(start, d)) continue;
    const admin = rng.pick(admins);
    const actor: Actor = { principal: { type: 'User', id: admin.id, groups: [admin.team] }, ip: admin.officeIp, device: admin.devices[0], userAgent: admin.client };
    const t = start + d * DAY + (admin.start + 1 + rng.next() * 5 - admin.site.tz) * HOUR;
    if (rng.chance(0.5)) {
      const account = `tmp-${++n}`;
      out.push(hostAction(rng, t, actor, 'host:sudo', HOST, 'root'), hostAction(rng, t + 1000, actor, 'host:useradd', HOST, account), hostAction(rng, t + 60_000, actor, 'host:group_add', `HostGroup:bastion-1/docker`, account));
    }
    if (d % 7 === 2 && d + 1 < days) {
      const hire = `newhire-${d}`;
      out.push(hostAction(rng, t + 2 * HOUR, actor, 'host:useradd', HOST, hire));
      const team = rng.pick(org.teams);
      const first = start + (d + 1) * DAY + (9 - team.site.tz) * HOUR;
      const hireActor: Actor = { principal: { type: 'User', id: hire, groups: [team.name] }, ip: admin.officeIp, device: rng.id('laptop'), userAgent: admin.client, session: rng.id('sess') };
      out.push(authEvent(rng, first, hireActor, true), hostAction(rng, first + 1000, hireActor, 'ssh:login', HOST));
    }
  }
}

export function injectHostAttacks(org: Organisation, rng: Random, start: number, days: number, exclude: ReadonlySet<string>, out: WardenEvent[]): AttackLabel[] {
  const pool = org.users.filter((u) => !exclude.has(`User:${u.id}`) && u.team !== 'platform');
  const take = (): SimUser => {
    const u = rng.pick(pool);
    pool.splice(pool.indexOf(u), 1);
    return u;
  };
  const dayFrom = (d0: number): number => {
    for (let d = d0; ; d++) if (weekday(start, d) || d >= days - 2) return Math.min(d, days - 2);
  };
  const hostileIp = (): string => rng.pick(rng.pick(org.hostile).ips);
  const labels: AttackLabel[] = [];
  const from = Math.max(8, Math.floor(days / 2));
  // 1. 120 password guesses at one account in 30 minutes from one address, then a login from it.
  {
    const victim = take();
    const t = start + dayFrom(from + 1) * DAY + 3 * HOUR;
    const ip = hostileIp();
    const principal = { type: 'User', id: victim.id, groups: [victim.team] };
    for (let i = 0; i < 120; i++) out.push(authEvent(rng, t + i * 15_000, { principal, ip, userAgent: 'libssh2_1.10.0' }, false));
    const ts = t + 120 * 15_000 + 30_000;
    const actor: Actor = { principal, ip, userAgent: 'libssh2_1.10.0', session: rng.id('sess') };
    out.push(authEvent(rng, ts, actor, true), hostAction(rng, ts + 1000, actor, 'ssh:login', HOST), hostAction(rng, ts + 60_000, actor, 'host:sudo', HOST, 'root'));
    labels.push({ scenario: 'host_brute_force_success', description: `120 guesses at ${victim.id} from ${ip} in 30 min, then a login from it`, start: t, end: ts + 2 * HOUR, entities: [`User:${victim.id}`, `SourceIp:${ip}`], detectors: ['risk.brute_force', 'risk.source_brute_force', 'risk.success_after_failures', 'risk.attacker_success'], touched: [`User:${victim.id}`, `SourceIp:${ip}`] });
  }
  // 2. An insider creates an account at 02:00 local, puts it in sudo, edits sudoers, and logs in with it.
  {
    const insider = take();
    const t = start + dayFrom(from + 3) * DAY + (26 - insider.site.tz) * HOUR;
    const account = `svc-${rng.id('x').slice(-6)}`;
    const actor: Actor = { principal: { type: 'User', id: insider.id, groups: [insider.team] }, ip: insider.homeIp, device: insider.devices[0], userAgent: insider.client, session: rng.id('sess') };
    out.push(
      authEvent(rng, t, actor, true),
      hostAction(rng, t + 60_000, actor, 'host:sudo', HOST, 'root'),
      hostAction(rng, t + 61_000, actor, 'host:useradd', HOST, account),
      hostAction(rng, t + 120_000, actor, 'host:group_add', 'HostGroup:bastion-1/sudo', account),
      hostAction(rng, t + 180_000, actor, 'host:sudoers_edit', HOST),
    );
    const backdoor: Actor = { principal: { type: 'User', id: account, groups: ['User'] }, ip: insider.homeIp, userAgent: 'OpenSSH_9.6', session: rng.id('sess') };
    out.push(authEvent(rng, t + 20 * 60_000, backdoor, true), hostAction(rng, t + 20 * 60_000 + 1000, backdoor, 'ssh:login', HOST));
    labels.push({ scenario: 'host_insider_account_sudo', description: `${insider.id} creates ${account} at 02:00 local, adds it to sudo, edits sudoers, logs in with it`, start: t, end: t + 2 * HOUR, entities: [`User:${insider.id}`, `User:${account}`], detectors: ['risk.privilege_change', 'risk.new_account_use'], touched: [`User:${insider.id}`, `User:${account}`] });
  }
  // 3. A dormant account (silent since day 3: a contractor who left) signs in again from a new address.
  if (days >= 27) {
    const sleeper = take();
    const key = `User:${sleeper.id}`;
    const wake = dayFrom(days - 3);
    const silentFrom = start + 3 * DAY;
    const t = start + wake * DAY + (sleeper.start + 1 - sleeper.site.tz) * HOUR;
    let w = 0;
    for (const e of out) {
      const p = e.type === 'decision' ? (e.delegation?.actor ?? e.principal) : e.type === 'authentication' ? e.principal : e.type === 'detection' ? e.entity : undefined;
      const mine = p !== undefined && p !== null && `${p.type}:${p.id}` === key;
      const at = Date.parse(e.time);
      if (!(mine && at >= silentFrom && at < t + 2 * HOUR)) out[w++] = e;
    }
    out.length = w;
    const actor: Actor = { principal: { type: 'User', id: sleeper.id, groups: [sleeper.team] }, ip: hostileIp(), device: rng.id('pc'), userAgent: sleeper.client, session: rng.id('sess') };
    out.push(authEvent(rng, t, actor, true));
    for (let i = 0; i < 8; i++) out.push(accessEvent(rng, t + (i + 1) * 120_000, actor, { action: 'read', resource: rng.pick(sleeper.reads), responseBytes: 4e6 }));
    labels.push({ scenario: 'host_dormant_account_wakes', description: `${sleeper.id}, silent for ${wake - 3} days, signs in from ${actor.ip}`, start: t, end: t + 2 * HOUR, entities: [key], detectors: ['risk.dormant_account'], touched: [key] });
  }
  return labels;
}
