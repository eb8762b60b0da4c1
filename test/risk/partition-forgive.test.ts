/**
 * A forgive routed to the principal's owner (partition/publish.ts): it travels on the principal's bucket
 * subject, so the owner applies it in stream order with the events. A detection published before it is
 * forgiven (also when the owner reads both only after taking the bucket), one published after it still
 * counts, and the fall is announced at once as a `risk` event (what the shared snapshot follows).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { NatsLink } from '../../src/cluster/nats-link.js';
import { createLogger } from '../../src/core/logger.js';
import type { DetectionEvent, RiskEvent, WardenEvent } from '../../src/core/events.js';
import { InProcessBus } from '../../src/events/index.js';
import { createRiskEngine, openMemoryDatabase } from '../../src/risk/index.js';
import { ensureRiskStream, riskSubject } from '../../src/risk/partition/buckets.js';
import { partitionName, RiskPartitions } from '../../src/risk/partition/owner.js';
import { publishForgive } from '../../src/risk/partition/publish.js';
import { SqliteRiskStateRepository } from '../../src/risk/store/sqlite.js';
import { startPrivateNats } from '../helpers/nats-server.js';
import { eventually } from '../helpers/eventually.js';

const ALICE = { type: 'User', id: 'alice' };

function detection(t: number): DetectionEvent {
  return { type: 'detection', id: randomUUID(), time: new Date(t).toISOString(), detector: 'integrity.tamper', category: 'integrity', entity: ALICE, score: 1, severity: 'critical', explanation: 'test evidence' };
}

test('the owner applies a forgive in order with the events of its bucket and announces the fall', async () => {
  const nats = await startPrivateNats();
  const logger = createLogger('silent');
  const link = new NatsLink({ url: nats.url, logger, retryMs: 50 });
  const bus = new InProcessBus();
  const risk: RiskEvent[] = [];
  bus.subscribe((event: WardenEvent) => void (event.type === 'risk' && risk.push(event)), { name: 'test', types: ['risk'] });
  const engine = createRiskEngine({ db: openMemoryDatabase(), bus, config: { persistIntervalSeconds: 0, weights: { other: 90 } } });
  let partitions: RiskPartitions | undefined;
  try {
    link.start();
    await eventually('connected', () => link.connected);
    const nc = link.connection!;
    await ensureRiskStream(nc);
    const t0 = Date.now() - 60_000;
    const publish = (event: WardenEvent) => jetstream(nc).publish(riskSubject(0), JSON.stringify(event), { msgID: event.id });
    // All on the stream before the owner takes the bucket: it reads them in this order.
    await publish(detection(t0));
    await publishForgive(nc, ALICE, ['integrity.tamper'], t0 + 1000, 1);
    await publishForgive(nc, ALICE, ['integrity.tamper'], t0 + 1000, 1); // a repeat: stored once
    const stored = new SqliteRiskStateRepository(openMemoryDatabase());
    partitions = new RiskPartitions({ link, engine, repo: stored, instanceId: 'owner', logger, buckets: 1, leaseMs: 60_000, renewMs: 60_000, checkpointMs: 20 });
    partitions.start();
    await eventually('the owner read both messages', async () => (await stored.checkpoint(partitionName(0))).seq >= 2);
    assert.equal(engine.snapshot(ALICE).score, 0, 'the detection before the forgive no longer counts');
    // One fall per threshold passed on the way down (deny 80, step-up 50), as the sweep reports them.
    await eventually('the rise and the fall are announced', () => risk.length >= 3);
    assert.deepEqual(risk.map((r) => [r.direction, r.score, r.threshold]), [['up', 90, 80], ['down', 0, 80], ['down', 0, 50]]);

    await publish(detection(t0 + 2000));
    await eventually('a detection after the forgive counts', () => engine.snapshot(ALICE).score >= 80);
    // Stream messages: the detection, one forgive (the repeat was de-duplicated), the second detection.
    const seq = await eventually('the owner saved the last message', async () => (await stored.checkpoint(partitionName(0))).seq >= 3 && (await stored.checkpoint(partitionName(0))).seq);
    assert.equal(seq, 3, 'the repeated forgive was stored once');
  } finally {
    await partitions?.close();
    engine.close();
    await link.close();
    await nats.stop();
  }
});
