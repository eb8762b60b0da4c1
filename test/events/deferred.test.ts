/**
 * Deferred events (a CLI command's audit trail, relayed by the running Warden): one conformance suite on
 * SQLite and PostgreSQL (claims exclusive until their lease ends, removal), and the relay publishing each
 * durably with its original id and time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WardenEvent } from '../../src/core/events.js';
import { InProcessBus } from '../../src/events/bus.js';
import { PostgresDeferredEvents } from '../../src/events/deferred/postgres.js';
import { deferringBus, relayDeferred } from '../../src/events/deferred/relay.js';
import { SqliteDeferredEvents } from '../../src/events/deferred/sqlite.js';
import type { DeferredEventRepository } from '../../src/events/deferred/types.js';
import { conformance, type BackendFactories } from '../store/backends.js';

const factories: BackendFactories<DeferredEventRepository> = { sqlite: (db) => new SqliteDeferredEvents(db), postgres: (pool) => PostgresDeferredEvents.open(pool) };

const event = (n: number): WardenEvent => ({ type: 'admin', id: `e${n}`, time: `2026-01-01T00:00:0${n}.000Z`, source: 'cli', actor: { type: 'Warden::User', id: 'cli:ops' }, operation: 'mfa.factor_enrolled', target: 'alice', outcome: 'success' });
const T = new Date('2026-01-01T00:01:00.000Z');

conformance('deferred events: claimed by one instance at a time, in order; a lapsed claim is taken over; removed once relayed', factories, async (t) => {
  const a = await t.open();
  const b = await t.open();
  await a.add([event(1), event(2), event(3)]);
  const first = await a.claim(2, T, 30_000);
  assert.deepEqual(first.map((d) => d.event.id), ['e1', 'e2']);
  assert.deepEqual(first[0]!.event, event(1));
  assert.deepEqual((await b.claim(10, T, 30_000)).map((d) => d.event.id), ['e3'], 'the other instance gets only the unclaimed one');
  assert.deepEqual(await b.claim(10, T, 30_000), []);
  await a.remove([first[0]!.seq]);
  const later = new Date(T.getTime() + 31_000);
  assert.deepEqual((await b.claim(10, later, 30_000)).map((d) => d.event.id), ['e2', 'e3'], 'claims of an instance that stopped lapse');
});

conformance('the CLI side stores what it publishes; the relay publishes it durably with its id and time, once', factories, async (t) => {
  const cli = deferringBus(await t.open());
  cli.bus.publish(event(4));
  await cli.flush();
  const bus = new InProcessBus();
  const seen: WardenEvent[] = [];
  bus.subscribe((e) => void seen.push(e), { durable: true });
  const server = await t.open();
  assert.equal(await relayDeferred(server, bus, T), 1);
  assert.deepEqual(seen, [event(4)]);
  assert.equal(await relayDeferred(server, bus, new Date(T.getTime() + 60_000)), 0, 'removed once relayed');
});

test('a CLI command fails when its events cannot be stored', async () => {
  const broken: DeferredEventRepository = { add: () => Promise.reject(new Error('disk full')), claim: async () => [], remove: async () => undefined };
  const cli = deferringBus(broken);
  cli.bus.publish(event(5));
  await assert.rejects(cli.flush(), /could not be stored/);
});
