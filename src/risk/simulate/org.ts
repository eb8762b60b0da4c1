/**
 * A simulated organisation: sites (cities with time zones and real IP addresses found in the geo
 * database), teams with members, devices and working hours, services, AI agents, models and datasets.
 */
import type { GeoLocator } from '../geo.js';
import { distanceKm } from '../geo.js';
import { Random } from './random.js';

export interface Site {
  name: string;
  country: string;
  lat: number;
  lon: number;
  /** Offset from UTC in hours. */
  tz: number;
  ips: string[];
}

export interface SimUser {
  id: string;
  team: string;
  site: Site;
  devices: string[];
  client: string;
  homeIp: string;
  officeIp: string;
  /** Local start hour and length of the working day. */
  start: number;
  hours: number;
  weekendRate: number;
  eveningRate: number;
  /** Resources this user reads (team resources plus shared models). */
  reads: string[];
  writes: string[];
}

export interface SimService {
  id: string;
  host: string;
  ip: string;
  token: string;
  reads: string[];
  writes: string[];
  /** UTC hour of its nightly write job, if any. */
  writeHour: number;
}

export interface SimAgent {
  id: string;
  owner: SimUser;
  host: string;
  ip: string;
  models: string[];
}

export interface Organisation {
  sites: Site[];
  /** Sites attackers come from (never an office). */
  hostile: Site[];
  datacenter: Site;
  users: SimUser[];
  services: SimService[];
  agents: SimAgent[];
  teams: { name: string; site: Site; models: string[]; datasets: string[] }[];
}

const SITES: Omit<Site, 'ips'>[] = [
  { name: 'London', country: 'GB', lat: 51.51, lon: -0.13, tz: 0 },
  { name: 'New York', country: 'US', lat: 40.71, lon: -74.01, tz: -5 },
  { name: 'Berlin', country: 'DE', lat: 52.52, lon: 13.4, tz: 1 },
  { name: 'Bangalore', country: 'IN', lat: 12.97, lon: 77.59, tz: 5.5 },
  { name: 'Tokyo', country: 'JP', lat: 35.68, lon: 139.69, tz: 9 },
  { name: 'Sao Paulo', country: 'BR', lat: -23.55, lon: -46.63, tz: -3 },
];
const HOSTILE: Omit<Site, 'ips'>[] = [
  { name: 'Lagos', country: 'NG', lat: 6.45, lon: 3.4, tz: 1 },
  { name: 'Moscow', country: 'RU', lat: 55.75, lon: 37.62, tz: 3 },
  { name: 'Hanoi', country: 'VN', lat: 21.03, lon: 105.85, tz: 7 },
];
const DATACENTER: Omit<Site, 'ips'> = { name: 'Ashburn', country: 'US', lat: 39.04, lon: -77.49, tz: -5 };
const TEAMS = ['research', 'platform', 'data', 'support', 'sales', 'apac'];
const CLIENTS = ['Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Chrome/126.0 Safari/537.36', 'Mozilla/5.0 (Windows NT 10.0) Gecko/20100101 Firefox/128.0', 'Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15', 'openai-python/1.40.0'];

/** Finds `count` IPv4 addresses the geo database places within 40 km of each site. */
export function findSiteIps(geo: GeoLocator, sites: Omit<Site, 'ips'>[], count: number, rng: Random): Site[] {
  const found = sites.map((s) => ({ ...s, ips: [] as string[] }));
  for (let i = 0; i < 3_000_000 && found.some((s) => s.ips.length < count); i++) {
    const ip = `${rng.int(1, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
    const loc = geo.lookup(ip);
    if (!loc) continue;
    for (const s of found) {
      if (s.ips.length < count && loc.country === s.country && distanceKm(loc.lat, loc.lon, s.lat, s.lon) < 40) s.ips.push(ip);
    }
  }
  for (const s of found) if (s.ips.length === 0) throw new Error(`no address found for ${s.name}`);
  return found;
}

export function buildOrganisation(geo: GeoLocator, seed: number, usersPerTeam = 25): Organisation {
  const rng = new Random(seed);
  const sites = findSiteIps(geo, SITES, usersPerTeam * 2 + 6, rng);
  const hostile = findSiteIps(geo, HOSTILE, 12, rng);
  const [datacenter] = findSiteIps(geo, [DATACENTER], 40, rng) as [Site];
  const sharedModels = ['Model:gpt-4o', 'Model:llama-3-70b'];
  const teams = TEAMS.map((name, i) => ({
    name,
    site: sites[i % sites.length]!,
    models: [...sharedModels, `Model:${name}-ft`],
    datasets: [`Dataset:${name}-corpus`, `Dataset:${name}-eval`, ...(name === 'data' ? ['Dataset:training-main'] : [])],
  }));
  const users: SimUser[] = [];
  let n = 0;
  for (const team of teams) {
    for (let i = 0; i < usersPerTeam; i++) {
      const id = `${team.name}.user${String(++n).padStart(3, '0')}@example.com`;
      const ips = team.site.ips;
      users.push({
        id,
        team: team.name,
        site: team.site,
        devices: rng.chance(0.4) ? [rng.id('laptop'), rng.id('phone')] : [rng.id('laptop')],
        client: rng.pick(CLIENTS),
        homeIp: ips[2 + (i % (ips.length - 2))]!,
        officeIp: ips[0]!,
        start: rng.int(7, 10),
        hours: rng.int(7, 10),
        weekendRate: rng.chance(0.2) ? 0.15 : 0.02,
        eveningRate: rng.chance(0.3) ? 0.1 : 0.02,
        reads: [...team.models, ...team.datasets.filter((d) => d !== 'Dataset:training-main')],
        writes: team.name === 'data' && i < 4 ? ['Dataset:training-main', `Dataset:${team.name}-corpus`] : [`Dataset:${team.name}-eval`],
      });
    }
  }
  const services: SimService[] = teams.map((team, i) => ({
    id: `svc-${team.name}-pipeline`,
    host: `host-${team.name}-etl`,
    ip: datacenter.ips[i]!,
    token: rng.id('svctoken'),
    reads: [...team.datasets],
    writes: team.name === 'data' ? ['Dataset:training-main'] : [`Dataset:${team.name}-corpus`],
    writeHour: 2 + i,
  }));
  const agents: SimAgent[] = [];
  for (let i = 0; i < 12; i++) {
    const owner = users[(i * 13) % users.length]!;
    agents.push({ id: `agent-${i}-${owner.team}`, owner, host: `agent-runtime-${i % 3}`, ip: datacenter.ips[10 + (i % 3)]!, models: owner.reads.filter((r) => r.startsWith('Model:')) });
  }
  return { sites, hostile, datacenter, users, services, agents, teams };
}
