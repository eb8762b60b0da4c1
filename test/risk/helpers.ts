/** Builders shared by the risk tests: events, and an engine on an in-memory database with a manual clock. */
import type { AuthenticationEvent, DecisionEvent, DetectionEvent } from '../../src/core/events.js';
import { createRiskEngine, type RiskConfigInput, type RiskEngine } from '../../src/risk/index.js';
import { openMemoryDatabase } from '../../src/risk/store.js';
import type { SqliteDatabase } from '../../src/store/index.js';
import type { EventBus } from '../../src/events/index.js';

export const T0 = Date.parse('2026-10-05T00:00:00Z');
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

let n = 0;
const uuid = (): string => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

export interface Where {
  ip?: string;
  device?: string;
  ua?: string;
  session?: string;
  lat?: number;
  lon?: number;
  country?: string;
  city?: string;
  groups?: string[];
  type?: string;
}

export function signIn(id: string, t: number, w: Where = {}, success = true): AuthenticationEvent {
  return {
    type: 'authentication',
    id: uuid(),
    time: new Date(t).toISOString(),
    method: 'jwt',
    outcome: success ? 'success' : 'failure',
    principal: { type: w.type ?? 'User', id, groups: w.groups ?? ['team'] },
    sourceIp: w.ip ?? '10.0.0.1',
    ...(w.device ? { device: w.device } : {}),
    ...(w.ua ? { userAgent: w.ua } : {}),
    ...(w.session ? { credentialId: w.session } : {}),
    ...(w.lat !== undefined ? { origin: { system: 'test', lat: w.lat, lon: w.lon!, country: w.country!, city: w.city ?? 'City' } } : {}),
  };
}

export function access(id: string, t: number, action: string, resource: string, w: Where & { bytes?: number; tokens?: number } = {}): DecisionEvent {
  const [type, rid] = resource.split(':') as [string, string];
  const requestId = uuid();
  return {
    type: 'decision',
    id: requestId,
    time: new Date(t).toISOString(),
    requestId,
    decisionId: requestId,
    principal: { type: w.type ?? 'User', id, groups: w.groups ?? ['team'] },
    ...(w.device ? { device: { id: w.device } } : {}),
    action,
    resource: { type, id: rid },
    route: 'r',
    method: 'POST',
    path: '/',
    sourceIp: w.ip ?? '10.0.0.1',
    ...(w.ua ? { userAgent: w.ua } : {}),
    outcome: 'allow',
    enforced: true,
    policyIds: [],
    status: 200,
    usage: { responseBytes: w.bytes ?? 0, ...(w.tokens ? { promptTokens: w.tokens } : {}) },
    latencyMs: { total: 1 },
    ...(w.session ? { sessionId: w.session } : {}),
  } as DecisionEvent;
}

export function guardHit(id: string, t: number): DetectionEvent {
  return { type: 'detection', id: uuid(), time: new Date(t).toISOString(), detector: 'guard.injection', category: 'guard', entity: { type: 'User', id }, score: 0.9, severity: 'high', explanation: 'injection' };
}

export interface TestEngine {
  engine: RiskEngine;
  db: SqliteDatabase;
  clock: { now: number };
}

/** `inboxOwner`: the engine consumes the risk inbox (as a running Warden does), polled only on demand. */
export function testEngine(config: RiskConfigInput = {}, db: SqliteDatabase = openMemoryDatabase(), bus?: EventBus, inboxOwner?: string): TestEngine {
  const clock = { now: T0 };
  const inbox = { pollMilliseconds: 0, leaseSeconds: 60, batch: 5000 };
  const engine = createRiskEngine({ db, config: { persistIntervalSeconds: 0, learningDays: 1, learningMinEvents: 5, inbox, ...config }, geo: null, clock: () => clock.now, bus, inboxOwner });
  return { engine, db, clock };
}

/** One normal working week for `id`: a sign-in and a few reads each weekday 09:00-17:00 UTC from a home address. */
export function normalWeeks(id: string, weeks: number, w: Where = {}, resource = 'Dataset:team-data'): (AuthenticationEvent | DecisionEvent)[] {
  const out: (AuthenticationEvent | DecisionEvent)[] = [];
  for (let d = 0; d < weeks * 7; d++) {
    const day = T0 + d * DAY;
    const wd = new Date(day).getUTCDay();
    if (wd === 0 || wd === 6) continue;
    out.push(signIn(id, day + 9 * HOUR, w));
    for (let h = 9; h < 17; h++) out.push(access(id, day + h * HOUR + 600_000, 'read', resource, { ...w, bytes: 1e6 }));
  }
  return out;
}
