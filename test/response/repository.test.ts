/**
 * The response repository's conformance suite: the same cases against SQLite and a real PostgreSQL
 * (a private schema per run), so the two implementations cannot drift apart.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../src/store/database.js';
import { PostgresResponseRepository, SqliteResponseRepository, type ActionRecord, type Incident, type Notification, type ResponseRepository } from '../../src/response/index.js';
import { freshSchema, type TestSchema } from '../helpers/postgres.js';
import { tempDir } from '../helpers/warden-process.js';

const schemas: TestSchema[] = [];
after(async () => {
  for (const s of schemas) await s.close();
});

const backends: [string, () => Promise<ResponseRepository>][] = [
  ['sqlite', async () => new SqliteResponseRepository(openDatabase(tempDir('warden-response-'), 'warden.db'))],
  [
    'postgres',
    async () => {
      const schema = await freshSchema('resp');
      schemas.push(schema);
      return PostgresResponseRepository.open(schema.pool);
    },
  ],
];

function action(id: string, status: ActionRecord['status'], updatedAt: string): ActionRecord {
  return { id, playbook: 'p', type: 'quarantine', target: { type: 'User', id: 'mallory' }, status, reason: 'r', triggerEventId: 'e', params: { mode: 'deny' }, createdAt: updatedAt, updatedAt };
}

function incident(id: string, state: Incident['state'], lastActivityAt: string): Incident {
  return {
    id, kind: 'entity', type: 'guard.injection', title: 't', severity: 'high', state, entities: [{ type: 'User', id: 'mallory' }], indicators: ['ip:10.0.0.1'],
    detections: ['d1'], detectorNames: ['guard.injection'], actions: [], notes: [], timeline: [], firstEventAt: lastActivityAt, firstDetectionAt: lastActivityAt, lastActivityAt, createdAt: lastActivityAt, updatedAt: lastActivityAt,
  };
}

function notification(id: string, status: Notification['status'], nextAttemptAt: string): Notification {
  return { id, actionId: 'a', url: 'http://127.0.0.1:9/hook', secretRef: 'env:S', body: '{}', status, attempts: 0, nextAttemptAt, createdAt: nextAttemptAt, updatedAt: nextAttemptAt };
}

for (const [name, open] of backends) {
  describe(`response repository on ${name}`, () => {
    test('actions: save, replace, get, filter by status and change time, newest first', async () => {
      const repo = await open();
      await repo.saveAction(action('a1', 'active', '2026-01-01T00:00:00.000Z'));
      await repo.saveAction(action('a2', 'pending', '2026-01-02T00:00:00.000Z'));
      await repo.saveAction(action('a3', 'expired', '2026-01-03T00:00:00.000Z'));
      await repo.saveAction({ ...action('a1', 'undone', '2026-01-04T00:00:00.000Z'), decidedBy: 'carol' });
      assert.deepEqual((await repo.getAction('a1'))?.decidedBy, 'carol');
      assert.equal(await repo.getAction('missing'), undefined);
      assert.deepEqual((await repo.listActions()).map((a) => a.id), ['a1', 'a3', 'a2']);
      assert.deepEqual((await repo.listActions({ status: ['active', 'pending'] })).map((a) => a.id), ['a2']);
      assert.deepEqual((await repo.listActions({ status: [] })).map((a) => a.id), []);
      assert.deepEqual((await repo.listActions({ updatedSince: '2026-01-03T00:00:00.000Z' })).map((a) => a.id), ['a1', 'a3']);
      assert.deepEqual((await repo.listActions({ limit: 1 })).map((a) => a.id), ['a1']);
    });

    test('incidents: state and activity filters, whole record round-trips', async () => {
      const repo = await open();
      await repo.saveIncident(incident('i1', 'open', '2026-01-01T00:00:00.000Z'));
      await repo.saveIncident(incident('i2', 'resolved', '2026-01-02T00:00:00.000Z'));
      await repo.saveIncident({ ...incident('i1', 'acknowledged', '2026-01-03T00:00:00.000Z'), notes: [{ time: 't', author: 'carol', text: 'looking' }] });
      assert.deepEqual((await repo.getIncident('i1'))?.notes, [{ time: 't', author: 'carol', text: 'looking' }]);
      assert.deepEqual((await repo.listIncidents()).map((i) => i.id), ['i1', 'i2']);
      assert.deepEqual((await repo.listIncidents({ state: ['open', 'acknowledged'] })).map((i) => i.id), ['i1']);
      assert.deepEqual((await repo.listIncidents({ activeSince: '2026-01-02T12:00:00.000Z' })).map((i) => i.id), ['i1']);
    });

    test('notifications: due ones oldest first; dead letters apart', async () => {
      const repo = await open();
      await repo.saveNotification(notification('n1', 'pending', '2026-01-02T00:00:00.000Z'));
      await repo.saveNotification(notification('n2', 'pending', '2026-01-01T00:00:00.000Z'));
      await repo.saveNotification(notification('n3', 'pending', '2026-01-09T00:00:00.000Z'));
      await repo.saveNotification(notification('n4', 'dead', '2026-01-01T00:00:00.000Z'));
      assert.deepEqual((await repo.listNotifications({ status: 'pending', dueBy: '2026-01-05T00:00:00.000Z' })).map((n) => n.id), ['n2', 'n1']);
      assert.deepEqual((await repo.listNotifications({ status: 'dead' })).map((n) => n.id), ['n4']);
      assert.equal((await repo.getNotification('n3'))?.status, 'pending');
    });
  });
}
