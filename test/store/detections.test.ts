/** Conformance of the detection repository: the same cases on SQLite and on PostgreSQL. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PgDetectionRepository, SqliteDetectionRepository, type DetectionRecord, type DetectionRepository } from '../../src/risk/index.js';
import { conformance, type BackendFactories } from './backends.js';

const factories: BackendFactories<DetectionRepository> = { sqlite: (db) => new SqliteDetectionRepository(db), postgres: (pool) => PgDetectionRepository.open(pool) };

const T0 = Date.parse('2030-01-01T00:00:00.000Z');

function detection(minutes: number, over: Partial<DetectionRecord> = {}): DetectionRecord {
  return {
    id: randomUUID(), time: new Date(T0 + minutes * 60_000).toISOString(), detector: 'risk.brute_force', category: 'credential', entity: { type: 'User', id: 'alice' },
    score: 0.75, severity: 'high', explanation: 'twelve failures in a minute', contribution: 22.5, ...over,
  };
}

conformance<DetectionRepository>('a detection reads back exactly as written; a repeated id is stored once', factories, async ({ open }) => {
  const repo = await open();
  const full = detection(1, { sessionId: 's-1', details: { source: '203.0.113.9', failures: 12, nested: { ok: true } } });
  const bare = detection(2);
  assert.equal(await repo.append([full, bare]), 0);
  assert.equal(await repo.append([full, { ...bare, explanation: 'changed' }]), 0, 'a replayed detection is skipped, not an error');
  assert.deepEqual(await repo.get(full.id), full);
  assert.deepEqual(await repo.get(bare.id), bare);
  assert.equal(await repo.get(randomUUID()), undefined);
  assert.deepEqual(await (await open()).list({}), [bare, full], 'another connection sees them, newest first');
});

conformance<DetectionRepository>('the list filters by entity, detector and time, newest first, within its limit', factories, async ({ open }) => {
  const repo = await open();
  const rows = [
    detection(0),
    detection(10, { entity: { type: 'User', id: 'bob' } }),
    detection(20, { detector: 'guard.injection', category: 'guard' }),
    detection(30, { entity: { type: 'Service', id: 'alice' } }),
    detection(40),
  ];
  await repo.append(rows);
  const ids = (list: DetectionRecord[]): string[] => list.map((d) => d.id);
  assert.deepEqual(ids(await repo.list({ entityType: 'User', entityId: 'alice' })), ids([rows[4]!, rows[2]!, rows[0]!]));
  assert.deepEqual(ids(await repo.list({ detector: 'guard.injection' })), [rows[2]!.id]);
  assert.deepEqual(ids(await repo.list({ since: new Date(T0 + 20 * 60_000).toISOString() })), ids([rows[4]!, rows[3]!, rows[2]!]));
  assert.deepEqual(ids(await repo.list({ limit: 2 })), ids([rows[4]!, rows[3]!]));
  assert.equal((await repo.list({ limit: 0 })).length, 1, 'a limit below one lists one');
});

conformance<DetectionRepository>('a row the database refuses is counted and skipped; the rest of the batch is stored', factories, async ({ open, backend }) => {
  const repo = await open();
  const good = [detection(1), detection(2)];
  // What each backend refuses: SQLite a value it cannot bind; PostgreSQL a missing column or a time it cannot read.
  const bad = backend === 'sqlite'
    ? [detection(3, { score: {} as unknown as number })]
    : [detection(3, { explanation: undefined as unknown as string }), detection(4, { time: 'not a time' })];
  assert.equal(await repo.append([good[0]!, ...bad, good[1]!]), bad.length);
  assert.deepEqual((await repo.list({})).map((d) => d.id).sort(), good.map((d) => d.id).sort());
});

conformance<DetectionRepository>('a window’s detections are counted by detector, largest first, without reading them whole', factories, async ({ open }) => {
  const repo = await open();
  await repo.append([detection(0), detection(10), detection(20, { detector: 'guard.injection', category: 'guard' }), detection(30, { detector: 'guard.injection', category: 'guard' }), detection(40, { detector: 'guard.injection', category: 'guard' }), detection(50, { detector: 'risk.travel' })]);
  assert.deepEqual(await repo.countByDetector(new Date(T0 + 5 * 60_000).toISOString()), [
    { detector: 'guard.injection', count: 3 },
    { detector: 'risk.brute_force', count: 1 },
    { detector: 'risk.travel', count: 1 },
  ]);
  assert.deepEqual(await repo.countByDetector(new Date(T0 + 60 * 60_000).toISOString()), []);
});
