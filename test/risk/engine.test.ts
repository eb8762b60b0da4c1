import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RiskEvent, WardenEvent } from '../../src/core/events.js';
import { InProcessBus } from '../../src/events/index.js';
import { openDatabase } from '../../src/store/index.js';
import { guardHit, HOUR, normalWeeks, signIn, T0, DAY, testEngine } from './helpers.js';

test('baselines and live risk survive a restart (module `risk` tables in the store)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-risk-'));
  try {
    const usual = { ip: '81.2.69.142', device: 'laptop-1', ua: 'Mozilla/5.0 Chrome/126.0' };
    const first = testEngine({}, openDatabase(dir));
    for (const e of normalWeeks('hal', 2, usual)) {
      first.clock.now = Date.parse(e.time);
      first.engine.process(e);
    }
    first.clock.now = T0 + 15 * DAY;
    first.engine.process(guardHit('hal', T0 + 15 * DAY));
    first.engine.close();
    first.db.close();

    const second = testEngine({}, openDatabase(dir));
    second.clock.now = T0 + 15 * DAY + 60_000;
    await second.engine.ready();
    assert.ok(second.engine.snapshot({ type: 'User', id: 'hal' }).score > 0, 'risk restored from stored detections');
    second.engine.process(guardHit('hal', T0 + 15 * DAY + 60_000));
    const familiar = second.engine.process(signIn('hal', T0 + 15 * DAY + 10 * HOUR, usual));
    assert.equal(familiar.length, 0, 'the restored baseline knows the usual device');
    const fresh = second.engine.process(signIn('hal', T0 + 15 * DAY + 11 * HOUR, { ...usual, device: 'stranger' }));
    assert.ok(fresh.find((d) => d.detector === 'risk.unfamiliar_sign_in'), 'no second learning period after restart');
    const applied = second.db.prepare("SELECT version FROM schema_migrations WHERE module = 'risk'").all();
    assert.deepEqual(applied, [{ version: 1 }, { version: 2 }, { version: 3 }], 'baselines and detections, then the inbox, then partition buckets and checkpoints');
    assert.ok((await second.engine.detections({ entityType: 'User', entityId: 'hal' })).length >= 2);
    second.engine.close();
    second.db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('on the bus: consumes events, publishes detections and a risk event when a threshold is crossed', async () => {
  const bus = new InProcessBus();
  const seen: WardenEvent[] = [];
  bus.subscribe((e) => void seen.push(e), { types: ['detection', 'risk'] });
  const te = testEngine({}, undefined);
  const sub = te.engine.subscribeTo(bus);
  te.clock.now = T0 + 200_000;
  for (let i = 0; i < 3; i++) bus.publish(guardHit('ivy', T0 + i * 60_000));
  await bus.drain();
  await bus.drain();
  const campaign = seen.find((e) => e.type === 'detection' && e.detector === 'risk.guard_campaign');
  assert.ok(campaign, 'detection published');
  const risk = seen.find((e): e is RiskEvent => e.type === 'risk');
  assert.ok(risk, 'risk event published');
  assert.equal(risk.threshold, 50);
  assert.ok(risk.previous < 50 && risk.score >= 50);
  assert.deepEqual(risk.principal, { type: 'User', id: 'ivy' });
  assert.ok(risk.factors.some((f) => f.name === 'risk.guard_campaign'));
  assert.equal(seen.filter((e) => e.type === 'detection' && e.detector === 'risk.guard_campaign').length, 1, 'own detections are not re-consumed');
  sub.unsubscribe();
  te.engine.close();
});

test('detections query filters by entity, detector and time', async () => {
  const te = testEngine();
  for (let i = 0; i < 3; i++) te.engine.process(guardHit('jo', T0 + i * 60_000));
  for (let i = 0; i < 3; i++) te.engine.process(guardHit('kim', T0 + DAY + i * 60_000));
  assert.equal((await te.engine.detections({ detector: 'risk.guard_campaign' })).length, 2);
  assert.equal((await te.engine.detections({ entityType: 'User', entityId: 'kim' })).length, 4, 'three guard detections and the campaign');
  assert.equal((await te.engine.detections({ since: new Date(T0 + HOUR).toISOString() })).length, 4);
  assert.equal((await te.engine.detections({ limit: 1 })).length, 1);
});
