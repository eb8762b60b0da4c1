/**
 * Normal behaviour of the simulated organisation over `days`: users sign in at their working hours in
 * their time zone from office or home, call models, read and write their team's datasets; services run
 * around the clock from fixed hosts; agents act for their owners. Benign noise: new laptops, business
 * trips, evening and weekend work, occasional cross-team reads and lone guard false positives.
 */
import type { WardenEvent } from '../../core/index.js';
import { accessEvent, authEvent, guardEvent, type Actor } from './events.js';
import type { Organisation, SimUser } from './org.js';
import type { Random } from './random.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

interface Trip {
  from: number;
  to: number;
  ip: string;
  tz: number;
}

export function userEvents(org: Organisation, user: SimUser, rng: Random, start: number, days: number, out: WardenEvent[]): void {
  const principal = { type: 'User', id: user.id, groups: [user.team] };
  let laptop = user.devices[0]!;
  let trip: Trip | undefined;
  for (let d = 0; d < days; d++) {
    const dayStart = start + d * DAY;
    const weekday = new Date(dayStart).getUTCDay();
    if (rng.chance(0.003)) laptop = rng.id('laptop'); // a new laptop
    if (!trip && d > 2 && rng.chance(0.0015)) {
      const dest = rng.pick(org.sites.filter((s) => s !== user.site));
      trip = { from: d + 1, to: d + 3, ip: rng.pick(dest.ips.slice(1)), tz: dest.tz };
      continue; // travel day: no work
    }
    if (trip && d > trip.to) trip = undefined;
    const away = trip && d >= trip.from ? trip : undefined;
    const tz = away ? away.tz : user.site.tz;
    const weekend = weekday === 0 || weekday === 6;
    if (weekend ? !rng.chance(user.weekendRate) : rng.chance(0.04)) continue;
    const localStart = user.start + rng.normal(0, 0.4);
    const startT = dayStart + (localStart - tz) * HOUR;
    const length = (weekend ? 3 : user.hours) * HOUR;
    const device = user.devices.length > 1 && rng.chance(0.15) ? user.devices[1]! : laptop;
    const office = !away && !weekend && rng.chance(0.6);
    const actor: Actor = { principal, ip: away ? away.ip : office ? user.officeIp : user.homeIp, device, userAgent: user.client, session: rng.id('sess') };
    if (rng.chance(0.02)) out.push(authEvent(rng, startT - 30_000, actor, false));
    out.push(authEvent(rng, startT, actor, true));
    const commute = office && rng.chance(0.1) ? startT + length / 2 : Infinity;
    const n = Math.max(5, Math.round(rng.normal(weekend ? 10 : 35, 8)));
    for (let i = 0; i < n; i++) {
      const t = startT + 60_000 + rng.next() * length;
      const a = t > commute ? { ...actor, ip: user.homeIp } : actor;
      out.push(accessEvent(rng, t, a, workItem(user, rng)));
    }
    if (rng.chance(user.eveningRate)) {
      const t0 = dayStart + (19 + rng.next() * 2 - tz) * HOUR;
      const a = { ...actor, ip: away ? away.ip : user.homeIp };
      for (let i = rng.int(3, 8); i > 0; i--) out.push(accessEvent(rng, t0 + rng.next() * HOUR, a, workItem(user, rng)));
    }
    if (rng.chance(0.002)) {
      const other = rng.pick(org.teams.filter((t) => t.name !== user.team));
      out.push(accessEvent(rng, startT + rng.next() * length, actor, { action: 'read', resource: rng.pick(other.datasets), responseBytes: rng.int(1, 20) * 1e6 }));
    }
    if (rng.chance(0.002)) {
      const t = startT + rng.next() * length;
      const e = accessEvent(rng, t, actor, { action: 'invoke', resource: user.reads[0]!, tokens: 800 });
      out.push(e, guardEvent(rng, t + 5, principal, e.requestId));
    }
  }
}

export function workItem(user: SimUser, rng: Random): { action: string; resource: string; requestBytes?: number; responseBytes?: number; tokens?: number } {
  const r = rng.next();
  const models = user.reads.filter((x) => x.startsWith('Model:'));
  const datasets = user.reads.filter((x) => x.startsWith('Dataset:'));
  if (r < 0.7) {
    const tokens = rng.int(300, 4000);
    return { action: 'invoke', resource: rng.pick(models), tokens, requestBytes: tokens * 3, responseBytes: tokens };
  }
  if (r < 0.96 || user.writes.length === 0) return { action: 'read', resource: rng.pick(datasets), responseBytes: rng.int(1, 30) * 1e6 };
  return { action: 'write', resource: rng.pick(user.writes), requestBytes: rng.int(1, 5) * 1e6 };
}

export function serviceEvents(org: Organisation, rng: Random, start: number, days: number, out: WardenEvent[]): void {
  for (const s of org.services) {
    const actor: Actor = { principal: { type: 'Service', id: s.id, groups: ['services'] }, ip: s.ip, device: s.host, userAgent: 'python-requests/2.32', session: s.token };
    for (let h = 0; h < days * 24; h++) {
      const t0 = start + h * HOUR;
      out.push(authEvent(rng, t0 + rng.next() * 60_000, actor, true));
      for (let i = rng.int(3, 8); i > 0; i--) {
        out.push(accessEvent(rng, t0 + 60_000 + rng.next() * (HOUR - 60_000), actor, { action: 'read', resource: rng.pick(s.reads), responseBytes: rng.int(1, 10) * 1e6 }));
      }
      if (h % 24 === s.writeHour) {
        for (let i = rng.int(1, 3); i > 0; i--) out.push(accessEvent(rng, t0 + rng.next() * HOUR, actor, { action: 'write', resource: rng.pick(s.writes), requestBytes: rng.int(5, 50) * 1e6 }));
      }
    }
  }
}

export function agentEvents(org: Organisation, rng: Random, start: number, days: number, out: WardenEvent[]): void {
  for (const agent of org.agents) {
    const owner = agent.owner;
    const actor: Actor = { principal: { type: 'Agent', id: agent.id, groups: ['agents'] }, ip: agent.ip, device: agent.host, userAgent: 'warden-agent/1.0', onBehalfOf: { type: 'User', id: owner.id, groups: [owner.team] } };
    for (let d = 0; d < days; d++) {
      const dayStart = start + d * DAY;
      const weekday = new Date(dayStart).getUTCDay();
      if (weekday === 0 || weekday === 6 || rng.chance(0.1)) continue;
      const session = rng.id('agentsess');
      for (let h = 0; h < owner.hours; h++) {
        const t0 = dayStart + (owner.start + h - owner.site.tz) * HOUR;
        for (let i = rng.int(2, 12); i > 0; i--) {
          const tokens = rng.int(500, 6000);
          out.push(accessEvent(rng, t0 + rng.next() * HOUR, { ...actor, session }, { action: 'invoke', resource: rng.pick(agent.models), tokens, requestBytes: tokens * 3, responseBytes: tokens }));
        }
      }
    }
  }
}
