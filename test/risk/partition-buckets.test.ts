/** The partition key and bucket of an event: stable across processes, one bucket per principal. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WardenEvent } from '../../src/core/events.js';
import { bucketOf, fnv1a, principalKeyOf } from '../../src/risk/partition/buckets.js';
import { access, guardHit, signIn } from './helpers.js';

test('fnv1a matches the published FNV-1a 32-bit vectors', () => {
  assert.equal(fnv1a(''), 0x811c9dc5);
  assert.equal(fnv1a('a'), 0xe40c292c);
  assert.equal(fnv1a('foobar'), 0xbf9cf968);
});

test("a principal's decisions, sign-ins and detections share its bucket; a delegated call is its actor's", () => {
  const t = Date.UTC(2026, 11, 1);
  const events: WardenEvent[] = [access('alice', t, 'chat', 'Model:chat'), signIn('alice', t), guardHit('alice', t)];
  assert.deepEqual(events.map(principalKeyOf), ['User:alice', 'User:alice', 'User:alice']);
  assert.equal(new Set(events.map((e) => bucketOf(e, 64))).size, 1);
  const delegated = { ...access('alice', t, 'chat', 'Model:chat'), delegation: { actor: { type: 'Agent', id: 'bot' }, onBehalfOf: { type: 'User', id: 'alice' } } } as WardenEvent;
  assert.equal(principalKeyOf(delegated), 'Agent:bot');
  const asset = { type: 'asset', id: 'e-1', time: new Date(t).toISOString() } as unknown as WardenEvent;
  assert.equal(principalKeyOf(asset), undefined);
  assert.equal(bucketOf(asset, 64), fnv1a('e-1') % 64, 'an event without a principal is placed by its id');
});
