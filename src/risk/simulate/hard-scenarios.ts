/**
 * Harder variants of the attacks, reported apart from the scenarios (they are not part of the
 * target): they probe what the detectors can and cannot see, so the evaluation also shows misses.
 */
import type { WardenEvent } from '../../core/index.js';
import { accessEvent, authEvent, type Actor } from './events.js';
import type { Organisation, SimUser } from './org.js';
import type { Random } from './random.js';
import type { AttackLabel } from './scenarios.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export function injectHardAttacks(org: Organisation, rng: Random, start: number, days: number, exclude: ReadonlySet<string>, out: WardenEvent[]): AttackLabel[] {
  const pool = org.users.filter((u) => !exclude.has(`User:${u.id}`));
  const take = (filter: (u: SimUser) => boolean): SimUser => {
    const u = rng.pick(pool.filter(filter));
    pool.splice(pool.indexOf(u), 1);
    return u;
  };
  const day = (k: number): number => {
    for (let d = Math.floor(days / 2) + 1 + k; ; d++) {
      const w = new Date(start + d * DAY).getUTCDay();
      if (w !== 0 && w !== 6) return Math.min(d, days - 2);
    }
  };
  const labels: AttackLabel[] = [];
  // Phished session used through a residential proxy in the victim's own city: new device and network only.
  {
    const v = take(() => true);
    const t = start + day(0) * DAY + (v.start + 5 - v.site.tz) * HOUR;
    const actor: Actor = { principal: { type: 'User', id: v.id, groups: [v.team] }, ip: v.site.ips.at(-1)!, device: rng.id('attacker-pc'), userAgent: v.client, session: rng.id('sess') };
    out.push(authEvent(rng, t, actor, true));
    for (let i = 0; i < 10; i++) out.push(accessEvent(rng, t + 120_000 * (i + 1), actor, { action: 'read', resource: v.reads.find((r) => r.startsWith('Dataset:'))!, responseBytes: 5e6 }));
    labels.push({ scenario: 'hard_phished_same_city', description: `${v.id} used from a proxy in ${v.site.name} on a new device`, start: t, end: t + 2 * HOUR, entities: [`User:${v.id}`], detectors: ['risk.unfamiliar_sign_in'], touched: [`User:${v.id}`] });
  }
  // Slow exfiltration: 12 downloads an hour for 6 hours, under the surge floor of 15 an hour.
  {
    const v = take(() => true);
    const t = start + day(1) * DAY + (v.start + 1 - v.site.tz) * HOUR;
    const actor: Actor = { principal: { type: 'User', id: v.id, groups: [v.team] }, ip: v.officeIp, device: v.devices[0], userAgent: v.client, session: rng.id('sess') };
    const own = v.reads.filter((r) => r.startsWith('Dataset:'));
    for (let i = 0; i < 72; i++) out.push(accessEvent(rng, t + i * 300_000, actor, { action: 'download', resource: rng.pick(own), responseBytes: 30e6 }));
    labels.push({ scenario: 'hard_slow_exfiltration', description: `${v.id} downloads 72 files of their own team over 6 hours`, start: t, end: t + 8 * HOUR, entities: [`User:${v.id}`], detectors: ['risk.volume'], touched: [`User:${v.id}`] });
  }
  // A usual writer of the training set edits it at night.
  {
    const v = take((u) => u.writes.includes('Dataset:training-main'));
    const t = start + day(2) * DAY + (26 - v.site.tz) * HOUR;
    const actor: Actor = { principal: { type: 'User', id: v.id, groups: [v.team] }, ip: v.homeIp, device: v.devices[0], userAgent: v.client, session: rng.id('sess') };
    out.push(authEvent(rng, t, actor, true));
    out.push(accessEvent(rng, t + 600_000, actor, { action: 'write', resource: 'Dataset:training-main', requestBytes: 1e6 }));
    labels.push({ scenario: 'hard_usual_writer_at_night', description: `${v.id}, a usual writer, edits Dataset:training-main at 02:00 local`, start: t, end: t + 2 * HOUR, entities: [`User:${v.id}`], detectors: ['risk.asset_tamper', 'risk.unusual_hours'], touched: [`User:${v.id}`] });
  }
  return labels;
}
