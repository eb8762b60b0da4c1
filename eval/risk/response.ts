/**
 * The response half of `npm run eval:risk`: the simulated organisation's events go through the risk
 * engine, and its detections through the real response engine with a containment playbook. Per attack
 * scenario: time to detect and to contain (simulated minutes from the attack's start), and how many of
 * the attacker's requests were allowed before and after containment (after: allowed although the
 * response gate refuses them, the goal is none). Benign principals wrongly contained per day. The
 * containment latency is wall-clock: from a detection reaching the engine to the action in force.
 */
import type { DetectionEvent } from '../../src/core/events.js';
import type { Identity } from '../../src/core/types.js';
import type { GeoLocator } from '../../src/risk/geo.js';
import { createRiskEngine } from '../../src/risk/index.js';
import { riskConfigSchema } from '../../src/risk/config.js';
import { openMemoryDatabase } from '../../src/risk/store.js';
import type { Simulation } from '../../src/risk/simulate/run.js';
import { ResponseEngine, ResponseGate, SqliteResponseRepository, responseConfigSchema } from '../../src/response/index.js';

const DAY = 86_400_000;
const PRINCIPAL = new Set(['User', 'Agent', 'Service']);

/** Quarantine a principal on one high-severity detection; the rate limit is out of the way (simulated time runs faster than its clock). */
export const EVAL_PLAYBOOKS = responseConfigSchema.parse({
  playbooks: [{ name: 'contain-high', trigger: { events: ['detection'], minSeverity: 'high', entityKinds: [...PRINCIPAL] }, rateLimit: { maxTargets: 100_000 }, actions: [{ type: 'quarantine', durationSeconds: 30 * 86_400 }] }],
});

export interface ResponseScenario {
  scenario: string;
  detectMinutes: number | null;
  containMinutes: number | null;
  allowedBefore: number;
  allowedAfter: number;
}

export interface ResponseEvaluation {
  scenarios: ResponseScenario[];
  /** Benign principals newly contained per day / active principals that day, mean over the evaluated days. */
  wronglyContainedRate: number;
  wronglyContained: number;
  /** Wall-clock seconds from detection to containment, one per containing action. */
  containmentSeconds: number[];
}

const identity = (type: string, id: string): Identity => ({ principal: { kind: type as 'User', id, attributes: {}, groups: [], roles: [] }, authentication: { method: 'apikey', strength: 1, mfa: false, scopes: ['*'] } });

export async function evaluateResponse(sim: Simulation, geo: GeoLocator): Promise<ResponseEvaluation> {
  let now = sim.start;
  const risk = createRiskEngine({ db: openMemoryDatabase(), config: riskConfigSchema.parse({ persistIntervalSeconds: 0 }), geo, clock: () => now });
  const containmentSeconds: number[] = [];
  const response = new ResponseEngine({ repo: new SqliteResponseRepository(openMemoryDatabase()), config: EVAL_PLAYBOOKS, credentials: { list: async () => [], revoke: async () => false }, env: {}, onContained: (s) => containmentSeconds.push(s) });
  const gate = new ResponseGate(response.state);
  const refused = (key: string): boolean => {
    const [type, id] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    return gate.facts(identity(type, id)).response?.quarantined === true;
  };
  const containedAt = new Map<string, number>();
  const detectedAt = new Map<string, number>();
  const labelOf = new Map(sim.labels.flatMap((l) => l.entities.map((e) => [e, l] as const)));
  const allowed = new Map<string, { before: number; after: number }>();
  const activeByDay = new Map<number, Set<string>>();
  for (const event of sim.events) {
    now = Date.parse(event.time);
    if (event.type === 'decision' && event.principal) {
      const p = event.delegation?.actor ?? event.principal;
      const key = `${p.type}:${p.id}`;
      const day = Math.floor((now - sim.start) / DAY);
      if (!activeByDay.has(day)) activeByDay.set(day, new Set());
      activeByDay.get(day)!.add(key);
      const label = labelOf.get(key);
      if (label && event.outcome === 'allow' && now >= label.start && now <= label.end) {
        const counts = allowed.get(label.scenario + key) ?? { before: 0, after: 0 };
        const contained = containedAt.get(key);
        // After containment a request still counts as succeeding only if the gate would not refuse it.
        if (contained === undefined || now < contained) counts.before++;
        else if (!refused(key)) counts.after++;
        allowed.set(label.scenario + key, counts);
      }
    }
    for (const d of risk.process(event)) {
      if (!PRINCIPAL.has(d.entity.type)) continue;
      const key = `${d.entity.type}:${d.entity.id}`;
      if (d.severity !== 'info' && d.severity !== 'low' && !detectedAt.has(key)) detectedAt.set(key, Date.parse(d.time));
      const detection: DetectionEvent = { type: 'detection', id: d.id, time: d.time, detector: d.detector, category: d.category, entity: d.entity, score: d.score, severity: d.severity, explanation: d.explanation, ...(d.details ? { details: d.details } : {}) };
      await response.handle(detection);
      if (!containedAt.has(key) && refused(key)) containedAt.set(key, Date.parse(d.time));
    }
  }
  await response.stop();
  risk.close();
  const scenarios = sim.labels.map((l): ResponseScenario => {
    const minutes = (t: number | undefined): number | null => (t === undefined || t < l.start || t > l.end + DAY ? null : Math.round(((t - l.start) / 60_000) * 10) / 10);
    const first = (m: Map<string, number>): number | undefined => {
      const t = Math.min(...l.entities.map((e) => m.get(e) ?? Infinity).filter((x) => x >= l.start));
      return Number.isFinite(t) ? t : undefined;
    };
    const counts = l.entities.map((e) => allowed.get(l.scenario + e) ?? { before: 0, after: 0 });
    return {
      scenario: l.scenario,
      detectMinutes: minutes(first(detectedAt)),
      containMinutes: minutes(first(containedAt)),
      allowedBefore: counts.reduce((s, c) => s + c.before, 0),
      allowedAfter: counts.reduce((s, c) => s + c.after, 0),
    };
  });
  const attack = (key: string, t: number): boolean => sim.labels.some((l) => l.touched.includes(key) && t >= l.start && t <= l.end + DAY);
  const perDay = new Map<number, number>();
  let wronglyContained = 0;
  for (const [key, t] of containedAt) {
    if (attack(key, t)) continue;
    wronglyContained++;
    const day = Math.floor((t - sim.start) / DAY);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  const days = [...activeByDay.entries()].filter(([, s]) => s.size > 0);
  const wronglyContainedRate = days.reduce((s, [day, active]) => s + (perDay.get(day) ?? 0) / active.size, 0) / Math.max(1, days.length);
  return { scenarios, wronglyContainedRate, wronglyContained, containmentSeconds };
}
