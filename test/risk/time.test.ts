import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isoTime } from '../../src/risk/connectors/syslog/header.js';
import { eventTime } from '../../src/risk/time.js';

test('event times parse exactly as Date.parse, in and out of the cached hour, valid or not', () => {
  const cases = [
    '2026-11-02T09:15:30.250Z',
    '2026-11-02T09:59:59.999Z', // same hour: from the cached hour start
    '2026-11-02T09:60:00.000Z', // invalid minute in the cached hour
    '2026-11-02T09:15:61.000Z',
    '2026-11-02T09:1a:30.250Z',
    '2026-11-02T10:00:00.000Z',
    '2026-11-02T24:00:00.000Z', // valid only at 24:00:00.000 ...
    '2026-11-02T24:30:00.000Z', // ... so its hour start is not reused
    '2026-02-30T09:00:00.000Z',
    '2026-13-01T09:00:00.000Z',
    '2026-11-02T09:15:30Z',
    '2026-11-02T09:15:30.250+01:00',
    '2026-11-02 09:15:30.250Z',
    '2026-11-02T09:15:30.250z',
    '',
    'garbage',
  ];
  for (const pass of [1, 2]) {
    for (const s of cases) assert.ok(Object.is(eventTime(s), Date.parse(s)), `pass ${pass}: ${s}`);
  }
  for (const odd of [undefined, null, 12345, { toString: () => '2026-11-02T09:15:30.250Z' }]) {
    assert.ok(Object.is(eventTime(odd as unknown as string), Date.parse(odd as unknown as string)), String(odd));
  }
  let t = Date.parse('2026-01-01T00:00:00.000Z');
  for (let i = 0; i < 50_000; i++) {
    t += (i * 7919) % 900_000; // mostly the same hour as the last, sometimes the next
    assert.equal(eventTime(new Date(t).toISOString()), t);
  }
});

test('imported lines format their time as toISOString does, repeated times included, and reject what it rejects', () => {
  for (const t of [0, 1_790_000_000_000, 1_790_000_000_000, 1_790_000_000_001, 0, -1, 8.64e15]) assert.equal(isoTime(t), new Date(t).toISOString());
  for (const bad of [Number.NaN, Number.NaN, 8.64e15 + 1]) assert.throws(() => isoTime(bad), RangeError);
});
