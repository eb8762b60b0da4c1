/**
 * The JetStream bus against a real, private nats-server that the test kills during traffic and starts
 * again: every `publishDurably` settles while NATS is away (the outbox took the event), the outbox drains
 * when NATS is back, and the durable consumer handles every event exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { NatsLink } from '../../src/cluster/nats-link.js';
import { NatsBus } from '../../src/events/nats/bus.js';
import { Outbox } from '../../src/events/nats/outbox.js';
import { EVENT_STREAM } from '../../src/events/nats/stream.js';
import { createLogger } from '../../src/core/logger.js';
import { openDatabase } from '../../src/store/index.js';
import type { WardenEvent } from '../../src/core/events.js';
import { startPrivateNats } from '../helpers/nats-server.js';
import { tempDir } from '../helpers/warden-process.js';

const logger = createLogger(process.env.TEST_LOG ?? 'silent');

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function decision(n: number): Parameters<NatsBus['publishDurably']>[0] {
  return { type: 'admin', actor: { type: 'User', id: 'tester' }, operation: 'traffic', target: String(n), outcome: 'success' };
}

test('events published while NATS is down reach the durable consumer exactly once after it returns', async () => {
  const nats = await startPrivateNats();
  const dir = tempDir();
  const link = new NatsLink({ url: nats.url, logger, retryMs: 50 });
  const outbox = new Outbox(openDatabase(dir, 'outbox.db'));
  const bus = new NatsBus({ link, outbox, logger, publishTimeoutMs: 500 });
  const received = new Map<string, number>();
  const order: number[] = [];
  try {
    bus.attachConsumer({ name: 'audit', handler: (e: WardenEvent) => {
      received.set(e.id, (received.get(e.id) ?? 0) + 1);
      if (e.type === 'admin') order.push(Number(e.target));
    } });
    link.start();
    await until(() => link.connected, 'the first connection');

    const published: WardenEvent[] = [];
    let n = 0;
    const traffic = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) published.push(await bus.publishDurably(decision(n++)));
    };
    await traffic(200);
    await nats.kill();
    await traffic(300);
    assert.ok(outbox.pending > 0, 'with NATS away, the events waited in the outbox');
    assert.equal(bus.status.nats === 'connected', false);
    const during = outbox.pending;
    await nats.restart();
    await traffic(200);
    await until(() => outbox.pending === 0, 'the outbox to drain');
    await until(() => received.size === published.length, `all ${published.length} events at the consumer (have ${received.size})`);
    await bus.drain();

    assert.equal(published.length, 700);
    for (const event of published) assert.equal(received.get(event.id), 1, `event ${event.id} handled exactly once`);
    assert.deepEqual(order.slice(0, 200), [...Array(200).keys()], 'events before the outage arrive in order');
    const nc = await connect({ servers: nats.url });
    const info = await (await jetstreamManager(nc)).streams.info(EVENT_STREAM);
    await nc.close();
    assert.equal(info.state.messages, published.length, 'the stream stored each event once');
    console.log(`# outage: ${during} events waited in the outbox; all ${published.length} delivered once`);
  } finally {
    await bus.close();
    await link.close();
    outbox.close();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a publish repeated under the same id is stored once and handled once', async () => {
  const nats = await startPrivateNats();
  const dir = tempDir();
  const link = new NatsLink({ url: nats.url, logger });
  const outbox = new Outbox(openDatabase(dir, 'outbox.db'));
  const bus = new NatsBus({ link, outbox, logger });
  const handled: string[] = [];
  try {
    link.start();
    await until(() => link.connected, 'the connection');
    const first = await bus.publishDurably({ ...decision(1), id: 'fixed-id-1' });
    // The same event again (a retried publish, an outbox drained twice after a crash) and a fresh one.
    await bus.publishDurably(first);
    outbox.append(first);
    await bus.publishDurably(decision(2));
    await until(() => outbox.pending === 0, 'the outbox to drain');
    // Past the duplicate window (an outage longer than it) the stream stores a repeat: the consumer drops it.
    const nc = await connect({ servers: nats.url });
    await jetstream(nc).publish('warden.events.admin', JSON.stringify(first));
    bus.attachConsumer({ name: 'export', handler: (e) => void handled.push(e.id) });
    await until(() => handled.length >= 2, 'both events');
    const info = await (await jetstreamManager(nc)).streams.info(EVENT_STREAM);
    await until(async () => (await (await jetstreamManager(nc)).consumers.info(EVENT_STREAM, 'export')).num_ack_pending === 0 && (await (await jetstreamManager(nc)).consumers.info(EVENT_STREAM, 'export')).num_pending === 0, 'the consumer to ack everything');
    await nc.close();
    assert.equal(info.state.messages, 3, 'two publishes under one id were stored once; the late repeat is stored');
    assert.equal(handled.filter((id) => id === 'fixed-id-1').length, 1);
  } finally {
    await bus.close();
    await link.close();
    outbox.close();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
