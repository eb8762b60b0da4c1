/**
 * `simulate` builds the organisation, generates its weeks of normal behaviour with the labelled attacks
 * injected, and returns the events in time order; `evaluate` runs a fresh risk engine over them and
 * scores it: per scenario detected or not and how fast, and benign entities flagged per day.
 */
import type { WardenEvent } from '../../core/index.js';
import { riskConfigSchema, type RiskConfigInput } from '../config.js';
import { createRiskEngine } from '../engine.js';
import type { GeoLocator } from '../geo.js';
import { openMemoryDatabase } from '../store.js';
import type { DetectionRecord } from '../types.js';
import { agentEvents, serviceEvents, userEvents } from './generate.js';
import { buildOrganisation, type Organisation } from './org.js';
import { Random } from './random.js';
import { injectHardAttacks } from './hard-scenarios.js';
import { hostActivity, injectHostAttacks } from './host-scenarios.js';
import { injectAttacks, type AttackLabel } from './scenarios.js';

const DAY = 86_400_000;

export interface SimulationOptions {
  seed?: number;
  days?: number;
  usersPerTeam?: number;
  /** First simulated day (UTC midnight). */
  start?: string;
  /** Also inject the harder variants (labels `hard_*`, reported apart). */
  hard?: boolean;
}

export interface Simulation {
  org: Organisation;
  start: number;
  days: number;
  events: WardenEvent[];
  labels: AttackLabel[];
}

export function simulate(geo: GeoLocator, options: SimulationOptions = {}): Simulation {
  const seed = options.seed ?? 1;
  const days = options.days ?? 28;
  const start = Date.parse(options.start ?? '2026-10-05T00:00:00Z');
  const rng = new Random(seed);
  const org = buildOrganisation(geo, seed, options.usersPerTeam ?? 25);
  const events: WardenEvent[] = [];
  for (const user of org.users) userEvents(org, user, rng, start, days, events);
  serviceEvents(org, rng, start, days, events);
  agentEvents(org, rng, start, days, events);
  const labels = injectAttacks(org, rng, start, days, events);
  if (options.hard) labels.push(...injectHardAttacks(org, rng, start, days, new Set(labels.flatMap((l) => l.touched)), events));
  // Host logs draw from their own stream: the scenarios above are the same with or without them.
  const hostRng = new Random(seed * 7919 + 17);
  hostActivity(org, hostRng, start, days, events);
  labels.push(...injectHostAttacks(org, hostRng, start, days, new Set(labels.flatMap((l) => l.entities)), events));
  const times = new Map<WardenEvent, number>();
  for (const e of events) times.set(e, Date.parse(e.time));
  events.sort((a, b) => times.get(a)! - times.get(b)!);
  return { org, start, days, events, labels };
}

export interface ScenarioResult {
  scenario: string;
  description: string;
  detected: boolean;
  /** Minutes from the attack's first event to the first counting detection. */
  delayMinutes: number | null;
  detector: string | null;
  /** Highest risk score of the attacked principal within the attack window. */
  maxRisk: number;
}

export interface Evaluation {
  scenarios: ScenarioResult[];
  /** Per evaluated day: active principals and benign ones flagged (a detection of severity medium or above). */
  days: { day: string; active: number; flagged: number; flaggedAny: number }[];
  falsePositiveRate: number;
  /** Same, counting detections of every severity. */
  anyDetectionRate: number;
  falsePositivesByDetector: Record<string, number>;
  events: number;
  detections: number;
  entities: number;
  seconds: number;
}

const FLAG = new Set(['medium', 'high', 'critical']);

export function evaluate(sim: Simulation, geo: GeoLocator, config: RiskConfigInput = {}): Evaluation {
  let now = sim.start;
  const engine = createRiskEngine({ db: openMemoryDatabase(), config: riskConfigSchema.parse({ persistIntervalSeconds: 0, ...config }), geo, clock: () => now });
  const detections: DetectionRecord[] = [];
  const maxRisk = new Map<string, number>();
  const watched = new Map<string, AttackLabel>();
  for (const l of sim.labels) for (const e of l.entities) watched.set(e, l);
  const activeByDay = new Map<number, Set<string>>();
  const began = performance.now();
  for (const event of sim.events) {
    now = Date.parse(event.time);
    const found = engine.process(event);
    for (const d of found) detections.push(d);
    const p = event.type === 'decision' ? (event.delegation?.actor ?? event.principal) : event.type === 'authentication' ? event.principal : undefined;
    if (p) {
      const key = `${p.type}:${p.id}`;
      const day = Math.floor((now - sim.start) / DAY);
      let set = activeByDay.get(day);
      if (!set) activeByDay.set(day, (set = new Set()));
      set.add(key);
      const label = watched.get(key);
      if (label && now >= label.start && now <= label.end) maxRisk.set(key, Math.max(maxRisk.get(key) ?? 0, engine.snapshot(p).score));
    }
  }
  const seconds = (performance.now() - began) / 1000;
  const entities = engine.entityCount;
  engine.close();
  const scenarios = sim.labels.map((l): ScenarioResult => {
    const hit = detections
      .filter((d) => l.entities.includes(`${d.entity.type}:${d.entity.id}`) && l.detectors.includes(d.detector) && FLAG.has(d.severity))
      .map((d) => ({ d, t: Date.parse(d.time) }))
      .filter(({ t }) => t >= l.start && t <= l.end)
      .sort((a, b) => a.t - b.t)[0];
    return {
      scenario: l.scenario,
      description: l.description,
      detected: hit !== undefined,
      delayMinutes: hit ? Math.round(((hit.t - l.start) / 60_000) * 10) / 10 : null,
      detector: hit?.d.detector ?? null,
      maxRisk: Math.max(0, ...l.entities.map((e) => maxRisk.get(e) ?? 0)),
    };
  });
  const attackDays = (key: string, t: number): boolean => sim.labels.some((l) => l.touched.includes(key) && t >= l.start && t <= l.end + DAY);
  const firstEvalDay = Math.ceil(riskConfigSchema.parse(config).learningDays) + 7;
  const days: Evaluation['days'] = [];
  const byDetector: Record<string, number> = {};
  for (let day = firstEvalDay; day < sim.days; day++) {
    const active = activeByDay.get(day) ?? new Set<string>();
    const flagged = new Set<string>();
    const any = new Set<string>();
    for (const d of detections) {
      const t = Date.parse(d.time);
      if (Math.floor((t - sim.start) / DAY) !== day) continue;
      // A device's finding is charged to the principal that used it.
      const key = d.entity.type === 'Device' && typeof d.details?.principal === 'string' ? d.details.principal : `${d.entity.type}:${d.entity.id}`;
      if (!active.has(key) || attackDays(key, t)) continue;
      any.add(key);
      if (FLAG.has(d.severity)) {
        if (!flagged.has(key)) byDetector[d.detector] = (byDetector[d.detector] ?? 0) + 1;
        flagged.add(key);
      }
    }
    days.push({ day: new Date(sim.start + day * DAY).toISOString().slice(0, 10), active: active.size, flagged: flagged.size, flaggedAny: any.size });
  }
  const rate = (pick: (d: Evaluation['days'][number]) => number): number => (days.length ? days.reduce((a, d) => a + (d.active ? pick(d) / d.active : 0), 0) / days.length : 0);
  return { scenarios, days, falsePositiveRate: rate((d) => d.flagged), anyDetectionRate: rate((d) => d.flaggedAny), falsePositivesByDetector: byDetector, events: sim.events.length, detections: detections.length, entities, seconds };
}
