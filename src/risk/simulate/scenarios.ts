/**
 * The labelled attacks injected into the simulated organisation's normal weeks. Each label names the
 * entity whose detections count as catching it, the detectors that count, and the other entities it
 * touched (excluded from the false-positive count while the attack lasts).
 */
import type { WardenEvent } from '../../core/index.js';
import { accessEvent, authEvent, guardEvent, type Actor } from './events.js';
import type { Organisation, SimUser } from './org.js';
import type { Random } from './random.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface AttackLabel {
  scenario: string;
  description: string;
  start: number;
  end: number;
  /** `Type:id` keys whose detections count as detecting the attack. */
  entities: string[];
  detectors: string[];
  /** Entities the attack touched: their detections during the attack are not false positives. */
  touched: string[];
}

export const SCENARIOS = ['phished_account', 'impossible_travel', 'password_spray', 'insider_dataset_edit', 'mass_download', 'service_token_reuse', 'prompt_injection_campaign'] as const;

const userKey = (u: SimUser): string => `User:${u.id}`;

/** Local working-day time of `user` on day `d` (hours after the local midnight). */
function localTime(start: number, d: number, user: SimUser, hour: number): number {
  return start + d * DAY + (hour - user.site.tz) * HOUR;
}

/** Time of the first activity of `key` within [from, to), if any. */
function firstActivity(events: readonly WardenEvent[], key: string, from: number, to: number): number | undefined {
  let first: number | undefined;
  for (const e of events) {
    if (e.type !== 'decision' || !e.principal || `${e.principal.type}:${e.principal.id}` !== key || e.delegation) continue;
    const t = Date.parse(e.time);
    if (t >= from && t < to && (first === undefined || t < first)) first = t;
  }
  return first;
}

function weekday(start: number, from: number, rng: Random): number {
  for (let d = from; ; d++) {
    const w = new Date(start + d * DAY).getUTCDay();
    if (w !== 0 && w !== 6 && rng.chance(0.7)) return d;
  }
}

export function injectAttacks(org: Organisation, rng: Random, start: number, days: number, out: WardenEvent[]): AttackLabel[] {
  const labels: AttackLabel[] = [];
  const from = Math.max(8, Math.floor(days / 2));
  const span = Math.max(1, days - from - 2);
  const dayFor = (i: number): number => Math.min(days - 2, weekday(start, from + Math.floor((i * span) / SCENARIOS.length), rng));
  const used = new Set<SimUser>();
  const pickUser = (filter: (u: SimUser) => boolean = () => true): SimUser => {
    const pool = org.users.filter((u) => !used.has(u) && filter(u));
    const u = rng.pick(pool);
    used.add(u);
    return u;
  };
  const hostileIp = (): string => rng.pick(rng.pick(org.hostile).ips);

  // 1. A phished account used from a new country: new device, scripted client, reads the team's data.
  {
    const victim = pickUser();
    const d = dayFor(0);
    const t = localTime(start, d, victim, 13);
    const actor: Actor = { principal: { type: 'User', id: victim.id, groups: [victim.team] }, ip: hostileIp(), device: rng.id('attacker-pc'), userAgent: 'python-requests/2.31.0', session: rng.id('sess') };
    out.push(authEvent(rng, t, actor, true));
    for (let i = 0; i < 25; i++) out.push(accessEvent(rng, t + 60_000 * (i + 1), actor, { action: 'read', resource: rng.pick(victim.reads.filter((r) => r.startsWith('Dataset:'))), responseBytes: 5e6 }));
    labels.push({ scenario: 'phished_account', description: `${victim.id} signs in from ${actor.ip} (new country, device, client)`, start: t, end: t + 2 * HOUR, entities: [userKey(victim)], detectors: ['risk.unfamiliar_sign_in', 'risk.impossible_travel', 'risk.atypical_travel'], touched: [userKey(victim)] });
  }
  // 2. Impossible travel: the victim's own client, from another continent shortly after work activity.
  {
    const d = dayFor(1);
    // Shortly after the victim's own activity that day, so that the distance cannot have been travelled.
    let victim = pickUser();
    let seen = firstActivity(out, `User:${victim.id}`, start + d * DAY, start + (d + 1) * DAY);
    for (let tries = 0; seen === undefined && tries < 20; tries++) {
      victim = pickUser();
      seen = firstActivity(out, `User:${victim.id}`, start + d * DAY, start + (d + 1) * DAY);
    }
    const t = (seen ?? localTime(start, d, victim, victim.start + 3)) + 40 * 60_000;
    const actor: Actor = { principal: { type: 'User', id: victim.id, groups: [victim.team] }, ip: hostileIp(), userAgent: victim.client, session: rng.id('sess') };
    out.push(authEvent(rng, t, actor, true));
    for (let i = 0; i < 5; i++) out.push(accessEvent(rng, t + 120_000 * (i + 1), actor, { action: 'invoke', resource: victim.reads[0]!, tokens: 1200 }));
    labels.push({ scenario: 'impossible_travel', description: `${victim.id} appears in ${actor.ip} during a working day at ${victim.site.name}`, start: t, end: t + 2 * HOUR, entities: [userKey(victim)], detectors: ['risk.impossible_travel'], touched: [userKey(victim)] });
  }
  // 3. Password spray: one source, 40 accounts, one guess each; one account falls.
  {
    const d = dayFor(2);
    const t = start + d * DAY + 3 * HOUR;
    const ip = hostileIp();
    const targets = org.users.filter((u) => !used.has(u)).slice(0, 40);
    targets.forEach((u, i) => out.push(authEvent(rng, t + i * 45_000, { principal: { type: 'User', id: u.id, groups: [u.team] }, ip, userAgent: 'Mozilla/5.0 (Windows NT 10.0) Chrome/120.0' }, false)));
    const victim = targets[17]!;
    used.add(victim);
    const tw = t + 40 * 45_000 + 60_000;
    const actor: Actor = { principal: { type: 'User', id: victim.id, groups: [victim.team] }, ip, device: rng.id('attacker-pc'), userAgent: 'Mozilla/5.0 (Windows NT 10.0) Chrome/120.0', session: rng.id('sess') };
    out.push(authEvent(rng, tw, actor, true));
    for (let i = 0; i < 10; i++) out.push(accessEvent(rng, tw + 60_000 * (i + 1), actor, { action: 'read', resource: victim.reads.find((r) => r.startsWith('Dataset:'))!, responseBytes: 2e6 }));
    labels.push({ scenario: 'password_spray', description: `${targets.length} accounts tried from ${ip}; ${victim.id} falls`, start: t, end: tw + HOUR, entities: [`SourceIp:${ip}`, userKey(victim)], detectors: ['risk.password_spray', 'risk.spray_success'], touched: [...targets.map(userKey), `SourceIp:${ip}`] });
  }
  // 4. Insider: a data-team member who never writes the training set edits it at night, from home.
  {
    const insider = pickUser((u) => u.team === 'data' && !u.writes.includes('Dataset:training-main'));
    const d = dayFor(3);
    const t = localTime(start, d, insider, 26.5); // 02:30 local, the next night
    const actor: Actor = { principal: { type: 'User', id: insider.id, groups: [insider.team] }, ip: insider.homeIp, device: insider.devices[0], userAgent: insider.client, session: rng.id('sess') };
    out.push(authEvent(rng, t, actor, true));
    for (let i = 0; i < 4; i++) out.push(accessEvent(rng, t + 300_000 * (i + 1), actor, { action: 'write', resource: 'Dataset:training-main', requestBytes: 2e6 }));
    labels.push({ scenario: 'insider_dataset_edit', description: `${insider.id} writes Dataset:training-main at 02:30 local`, start: t, end: t + 2 * HOUR, entities: [userKey(insider)], detectors: ['risk.asset_tamper'], touched: [userKey(insider)] });
  }
  // 5. Mass download: a user pulls hundreds of dataset and model files within the hour.
  {
    const thief = pickUser();
    const d = dayFor(4);
    const t = localTime(start, d, thief, thief.start + 2);
    const actor: Actor = { principal: { type: 'User', id: thief.id, groups: [thief.team] }, ip: thief.officeIp, device: thief.devices[0], userAgent: thief.client, session: rng.id('sess') };
    out.push(authEvent(rng, t, actor, true));
    const all = org.teams.flatMap((x) => x.datasets);
    for (let i = 0; i < 300; i++) out.push(accessEvent(rng, t + 10_000 * (i + 1), actor, { action: 'download', resource: rng.pick(all), responseBytes: 40e6 }));
    labels.push({ scenario: 'mass_download', description: `${thief.id} downloads 300 files (12 GB) in 50 minutes`, start: t, end: t + 2 * HOUR, entities: [userKey(thief)], detectors: ['risk.volume', 'risk.peer_first_access'], touched: [userKey(thief)] });
  }
  // 6. A service token reused from another host.
  {
    const svc = rng.pick(org.services);
    const d = dayFor(5);
    const t = start + d * DAY + 15.25 * HOUR;
    const actor: Actor = { principal: { type: 'Service', id: svc.id, groups: ['services'] }, ip: hostileIp(), device: 'unknown-host', userAgent: 'curl/8.5.0', session: svc.token };
    for (let i = 0; i < 10; i++) out.push(accessEvent(rng, t + 60_000 * i, actor, { action: 'read', resource: svc.reads[0]!, responseBytes: 3e6 }));
    labels.push({ scenario: 'service_token_reuse', description: `token of ${svc.id} used from ${actor.ip}`, start: t, end: t + 2 * HOUR, entities: [`Service:${svc.id}`], detectors: ['risk.token_reuse'], touched: [`Service:${svc.id}`] });
  }
  // 7. A prompt-injection campaign: repeated attempts flagged by the guard.
  {
    const attacker = pickUser();
    const d = dayFor(6);
    const t = localTime(start, d, attacker, attacker.start + 4);
    const principal = { type: 'User', id: attacker.id, groups: [attacker.team] };
    const actor: Actor = { principal, ip: attacker.officeIp, device: attacker.devices[0], userAgent: attacker.client, session: rng.id('sess') };
    for (let i = 0; i < 8; i++) {
      const ti = t + 300_000 * i;
      const e = accessEvent(rng, ti, actor, { action: 'invoke', resource: attacker.reads[0]!, tokens: 1500 });
      out.push(e, guardEvent(rng, ti + 5, principal, e.requestId));
    }
    labels.push({ scenario: 'prompt_injection_campaign', description: `${attacker.id} sends 8 injection attempts in 40 minutes`, start: t, end: t + 2 * HOUR, entities: [userKey(attacker)], detectors: ['risk.guard_campaign'], touched: [userKey(attacker)] });
  }
  return labels;
}
