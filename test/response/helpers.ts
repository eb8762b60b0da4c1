/** A response engine over a real SQLite store, a real bus, real API keys and a real risk engine. */
import { InProcessBus } from '../../src/events/index.js';
import type { NewEvent, WardenEvent } from '../../src/core/events.js';
import type { ApiKeyStore } from '../../src/identity/index.js';
import { sqliteKeyStore } from '../helpers/key-store.js';
import { createRiskEngine, type RiskEngine } from '../../src/risk/index.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/index.js';
import { ResponseEngine, SqliteResponseRepository, responseConfigSchema } from '../../src/response/index.js';
import { tempDir } from '../helpers/warden-process.js';

export interface Harness {
  db: SqliteDatabase;
  dir: string;
  bus: InProcessBus;
  events: WardenEvent[];
  apiKeys: ApiKeyStore;
  risk: RiskEngine;
  repo: SqliteResponseRepository;
  engine: ResponseEngine;
  /** Publishes and waits until the engine has handled it. */
  emit(event: NewEvent): Promise<WardenEvent>;
  close(): Promise<void>;
}

export async function harness(response: unknown, dir = tempDir('warden-response-')): Promise<Harness> {
  const db = openDatabase(dir);
  const bus = new InProcessBus();
  const events: WardenEvent[] = [];
  bus.subscribe((e) => void events.push(e));
  const apiKeys = await sqliteKeyStore(db);
  const risk = createRiskEngine({ db, config: { persistIntervalSeconds: 0 } });
  const repo = new SqliteResponseRepository(db);
  const engine = new ResponseEngine({ repo, config: responseConfigSchema.parse(response), credentials: apiKeys, env: { HOOK_SECRET: 'shh' }, bus, risk });
  await engine.start();
  return {
    db, dir, bus, events, apiKeys, risk, repo, engine,
    async emit(event) {
      const e = bus.publish(event);
      await bus.drain();
      return e;
    },
    async close() {
      await engine.stop();
      await bus.drain();
      risk.close();
      db.close();
    },
  };
}

export function injection(principal: string, extra: Partial<Record<string, unknown>> = {}): NewEvent {
  return { type: 'detection', detector: 'guard.injection', category: 'injection', entity: { type: 'User', id: principal }, score: 0.95, severity: 'high', explanation: 'prompt injection attempt', ...extra } as NewEvent;
}

export function quarantinePlaybook(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'injection-quarantine',
    trigger: { events: ['detection'], detectors: ['guard.injection'], minSeverity: 'high', entityKinds: ['User', 'Agent'], count: { atLeast: 3, withinSeconds: 300 } },
    actions: [{ type: 'quarantine', durationSeconds: 900 }],
    ...overrides,
  };
}
