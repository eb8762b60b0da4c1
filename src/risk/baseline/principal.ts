/**
 * The behavioural baseline of one entity (user, service, agent, device or peer group): what it has used
 * (devices, networks, countries, clients, resources), where it has been, when it is active in the week,
 * and how much it does per hour. Bounded in size; serialisable for persistence.
 */
import { createVolumeDetector, ENTITY_VOLUME_OPTIONS, type VolumeDetector } from '../volume/index.js';
import { METRICS, VolumeBaseline } from './volume.js';

const MAX_SET = 64;
const MAX_RESOURCES = 512;
const MAX_PLACES = 8;

export interface Place {
  lat: number;
  lon: number;
  radiusKm: number;
  country: string;
  t: number;
}

/** Remembers up to `max` values with the time each was last seen; evicts the stalest. */
export function remember(map: Map<string, number>, value: string, t: number, max = MAX_SET): boolean {
  const seen = map.get(value);
  if (seen !== undefined) {
    if (t - seen > 3_600_000) map.set(value, t); // refresh at most hourly: eviction needs no finer clock
    return false;
  }
  if (map.size >= max) {
    let oldestKey: string | undefined;
    let oldest = Infinity;
    for (const [k, v] of map) {
      if (v < oldest) {
        oldest = v;
        oldestKey = k;
      }
    }
    if (oldestKey !== undefined) map.delete(oldestKey);
  }
  map.set(value, t);
  return true;
}

export class Baseline {
  firstSeen = 0;
  lastSeen = 0;
  events = 0;
  /** Failed sign-ins for this account, ever (its own failure rate for brute-force detection). */
  failures = 0;
  /** Last successful sign-in or action (0 = none yet): dormancy. */
  lastSuccess = 0;
  /** Account and privilege changes this principal made. */
  adminActs = 0;
  devices = new Map<string, number>();
  networks = new Map<string, number>();
  countries = new Map<string, number>();
  clients = new Map<string, number>();
  resources = new Map<string, number>();
  places: Place[] = [];
  last: (Place & { ip: string }) | null = null;
  /** Activity counts per hour of the week (UTC, 0 = Sunday 00:00). */
  hours = new Uint32Array(168);
  hourTotal = 0;
  volume = new VolumeBaseline();
  /** Per metric: the streaming hourly-series detector (src/risk/volume), created on first use. */
  private series: (VolumeDetector | undefined)[] = [];
  private savedSeries: (number[] | undefined)[] = [];
  /** Per metric: the hour in which the in-hour surge check last fired (not persisted). */
  surgeHour = new Float64Array(METRICS.length).fill(-1);
  dirty = false;

  /** The hourly-series detector of metric `m`, restored from its saved state when there is one. */
  seriesDetector(m: number): VolumeDetector {
    let d = this.series[m];
    if (d) return d;
    const saved = this.savedSeries[m];
    try {
      d = createVolumeDetector(ENTITY_VOLUME_OPTIONS, saved);
    } catch {
      d = createVolumeDetector(ENTITY_VOLUME_OPTIONS); // state from other options: relearn this series
    }
    this.savedSeries[m] = undefined;
    this.series[m] = d;
    return d;
  }

  touch(t: number): void {
    if (this.firstSeen === 0 || t < this.firstSeen) this.firstSeen = t;
    if (t > this.lastSeen) this.lastSeen = t;
    this.events++;
    this.dirty = true;
  }

  learning(t: number, learningMs: number, minEvents: number): boolean {
    return t - this.firstSeen < learningMs || this.events < minEvents;
  }

  countHour(slot: number): void {
    this.hours[slot]!++;
    this.hourTotal++;
  }

  /** Share of activity at this hour of day (all weekdays, neighbouring hours at half weight). */
  hourShare(slot: number): number {
    if (this.hourTotal === 0) return 1;
    const hod = slot % 24;
    let c = 0;
    for (let d = 0; d < 7; d++) {
      const base = d * 24;
      c += this.hours[base + hod]! + 0.5 * (this.hours[base + ((hod + 23) % 24)]! + this.hours[base + ((hod + 1) % 24)]!);
    }
    return c / (2 * this.hourTotal);
  }

  rememberResource(resource: string, t: number): boolean {
    return remember(this.resources, resource, t, MAX_RESOURCES);
  }

  /** Nearest known place, in km after subtracting both accuracy radii. */
  nearestPlaceKm(lat: number, lon: number, radiusKm: number, distance: (a: number, b: number, c: number, d: number) => number): number {
    let best = Infinity;
    for (const p of this.places) best = Math.min(best, Math.max(0, distance(lat, lon, p.lat, p.lon) - p.radiusKm - radiusKm));
    return best;
  }

  addPlace(place: Place, distance: (a: number, b: number, c: number, d: number) => number): void {
    for (const p of this.places) {
      if (distance(place.lat, place.lon, p.lat, p.lon) <= p.radiusKm + place.radiusKm) {
        p.t = place.t;
        return;
      }
    }
    if (this.places.length >= MAX_PLACES) this.places.sort((a, b) => b.t - a.t).pop();
    this.places.push({ ...place });
  }

  toJSON(): Record<string, unknown> {
    return {
      v: 1,
      firstSeen: this.firstSeen,
      lastSeen: this.lastSeen,
      events: this.events,
      failures: this.failures,
      lastSuccess: this.lastSuccess,
      adminActs: this.adminActs,
      devices: [...this.devices],
      networks: [...this.networks],
      countries: [...this.countries],
      clients: [...this.clients],
      resources: [...this.resources],
      places: this.places,
      last: this.last,
      hours: Array.from(this.hours),
      volume: Array.from(this.volume.state),
      series: METRICS.map((_, m) => {
        const d = this.series[m];
        const state = d ? Array.from(d.save()) : this.savedSeries[m];
        // JSON has no infinities (the detector uses -Infinity for "never alerted"): keep them as strings.
        return state ? state.map((x) => (Number.isFinite(x) ? x : String(x))) : null;
      }),
    };
  }

  static fromJSON(data: unknown): Baseline {
    const b = new Baseline();
    if (!data || typeof data !== 'object') return b;
    const d = data as Record<string, unknown>;
    const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
    const pairs = (v: unknown): Map<string, number> =>
      new Map(Array.isArray(v) ? v.filter((p): p is [string, number] => Array.isArray(p) && typeof p[0] === 'string').map((p) => [p[0], num(p[1])]) : []);
    b.firstSeen = num(d.firstSeen);
    b.lastSeen = num(d.lastSeen);
    b.events = num(d.events);
    b.failures = num(d.failures);
    b.lastSuccess = num(d.lastSuccess);
    b.adminActs = num(d.adminActs);
    b.devices = pairs(d.devices);
    b.networks = pairs(d.networks);
    b.countries = pairs(d.countries);
    b.clients = pairs(d.clients);
    b.resources = pairs(d.resources);
    b.places = Array.isArray(d.places) ? (d.places as Place[]).slice(0, MAX_PLACES) : [];
    b.last = d.last && typeof d.last === 'object' ? (d.last as Place & { ip: string }) : null;
    if (Array.isArray(d.hours) && d.hours.length === 168) {
      b.hours = Uint32Array.from(d.hours.map(num));
      b.hourTotal = b.hours.reduce((a, c) => a + c, 0);
    }
    if (Array.isArray(d.volume)) b.volume = new VolumeBaseline(d.volume.map(num));
    if (Array.isArray(d.series)) b.savedSeries = d.series.map((x) => (Array.isArray(x) ? x.map((v) => (typeof v === 'string' ? Number(v) : num(v))) : undefined));
    return b;
  }
}

/** Per peer group: which resources members use (distinct members per resource) and group volume. */
export class GroupBaseline {
  members = new Map<string, number>();
  resources = new Map<string, number>();
  volume = new VolumeBaseline();
  dirty = false;

  toJSON(): Record<string, unknown> {
    return { v: 1, members: [...this.members], resources: [...this.resources], volume: Array.from(this.volume.state) };
  }

  static fromJSON(data: unknown): GroupBaseline {
    const g = new GroupBaseline();
    if (!data || typeof data !== 'object') return g;
    const d = data as Record<string, unknown>;
    if (Array.isArray(d.members)) g.members = new Map(d.members as [string, number][]);
    if (Array.isArray(d.resources)) g.resources = new Map(d.resources as [string, number][]);
    if (Array.isArray(d.volume)) g.volume = new VolumeBaseline(d.volume as number[]);
    return g;
  }
}
