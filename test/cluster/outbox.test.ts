/**
 * The outbox and consumer-side de-duplication, without NATS: order, durability across a reopen (a crash
 * between append and drain), removal up to an acknowledged position, the bounded id window, and the
 * stream's validation of what a consumer receives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { NatsLink } from '../../src/cluster/nats-link.js';
import { createLogger } from '../../src/core/logger.js';
import { NatsBus } from '../../src/events/nats/bus.js';
import { Outbox } from '../../src/events/nats/outbox.js';
import { RecentIds } from '../../src/events/nats/recent-ids.js';
import { parseStreamEvent } from '../../src/events/nats/stream.js';
import { stampEvent } from '../../src/events/bus.js';
import { openDatabase } from '../../src/store/index.js';
import type { WardenEvent } from '../../src/core/events.js';
import { tempDir } from '../helpers/warden-process.js';

function adminEvent(n: number): WardenEvent {
  return stampEvent({ type: 'admin', actor: { type: 'User', id: 'root' }, operation: 'test', target: String(n), outcome: 'success' });
}

test('the outbox keeps events in order across a reopen and removes only what was acknowledged', () => {
  const dir = tempDir();
  try {
    const first = new Outbox(openDatabase(dir, 'outbox.db'));
    const events = Array.from({ length: 10 }, (_, i) => adminEvent(i));
    const seqs = events.map((e) => first.append(e));
    assert.equal(first.pending, 10);
    // Closed without draining: what a crash leaves behind.
    first.close();

    const reopened = new Outbox(openDatabase(dir, 'outbox.db'));
    assert.equal(reopened.pending, 10, 'the count is read back from the file');
    assert.deepEqual(reopened.oldest(4).map((r) => r.event.id), events.slice(0, 4).map((e) => e.id));
    reopened.removeThrough(seqs[3]!);
    assert.equal(reopened.pending, 6);
    assert.deepEqual(reopened.oldest(100).map((r) => r.event), events.slice(4), 'the rest is intact and in order');
    reopened.removeThrough(seqs[3]!);
    assert.equal(reopened.pending, 6, 'removing an already removed range changes nothing');
    reopened.removeThrough(seqs[9]!);
    assert.equal(reopened.pending, 0);
    assert.deepEqual(reopened.oldest(10), []);
    reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the id window answers for recent ids and forgets the oldest beyond its capacity', () => {
  const seen = new RecentIds(3);
  for (const id of ['a', 'b', 'c']) seen.add(id);
  assert.ok(seen.has('a') && seen.has('c'));
  seen.add('b');
  assert.equal(seen.size, 3, 'a repeated id takes no room');
  seen.add('d');
  assert.equal(seen.has('a'), false, 'the oldest is forgotten first');
  assert.ok(seen.has('b') && seen.has('d'));
});

test('a consumer accepts only messages with an id and a known type', () => {
  const encode = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
  const good = adminEvent(1);
  assert.deepEqual(parseStreamEvent(encode(good)), good);
  assert.equal(parseStreamEvent(encode({ ...good, id: '' })), undefined, 'an empty id cannot be de-duplicated');
  assert.equal(parseStreamEvent(encode({ ...good, id: 'x'.repeat(201) })), undefined);
  assert.equal(parseStreamEvent(encode({ ...good, type: 'bogus' })), undefined);
  assert.equal(parseStreamEvent(encode({ type: 'admin', time: good.time })), undefined, 'no id');
  assert.equal(parseStreamEvent(encode('[1,2]')), undefined);
  assert.equal(parseStreamEvent(encode('{"id":')), undefined, 'truncated JSON');
  assert.equal(parseStreamEvent(new Uint8Array([0x7b, 0xff, 0x7d])), undefined, 'invalid UTF-8');
});

test('with NATS unreachable, concurrent durable publishes settle once committed to the outbox, in order', async () => {
  const dir = tempDir();
  // A port that was free a moment ago: nothing answers there, so the link never connects.
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as { port: number };
      server.close(() => resolve(p));
    });
  });
  const logger = createLogger('silent');
  const link = new NatsLink({ url: `nats://127.0.0.1:${port}`, logger, retryMs: 50 });
  const outbox = new Outbox(openDatabase(dir, 'outbox.db'));
  const bus = new NatsBus({ link, outbox, logger });
  const local: string[] = [];
  bus.subscribe((e) => void local.push(e.id), { durable: true });
  try {
    link.start();
    const published = await Promise.all(Array.from({ length: 100 }, (_, i) => bus.publishDurably({ type: 'admin', actor: { type: 'User', id: 'root' }, operation: 'test', target: String(i), outcome: 'success' })));
    assert.equal(outbox.pending, 100, 'each settled publish is in the outbox');
    assert.deepEqual(outbox.oldest(100).map((r) => r.event.id), published.map((e) => e.id), 'in publish order');
    assert.deepEqual(local, published.map((e) => e.id), 'local subscribers got them as before');
    assert.equal(bus.status.nats, 'connecting');
  } finally {
    await bus.close();
    await link.close();
    outbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
