/** The audit log: durable appends, reads, checkpoints, proofs against signed roots, restart, bus. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { InProcessBus } from '../../src/events/index.js';
import { WardenError } from '../../src/core/errors.js';
import {
  createAuditLog,
  openCheckpoint,
  parseVerifierKey,
  verifyConsistency,
  verifyInclusion,
  verifyAuditLog,
} from '../../src/audit/index.js';
import type { WardenEvent } from '../../src/core/events.js';
import { config, sampleEvent, tempDir } from './helpers.js';

test('appends are acknowledged in order with their leaf hash, readable, and survive a restart', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = await createAuditLog({ dataDir: dir, config: config() });
    const sizes: number[] = [];
    const off = log.onAppend((n) => sizes.push(n));
    const events = Array.from({ length: 700 }, (_, i) => sampleEvent(i));
    const acks = await Promise.all(events.map((e) => log.append(e)));
    assert.deepEqual(acks.map((a) => a.index), events.map((_, i) => i));
    assert.equal(log.size(), 700);
    assert.equal(sizes.at(-1), 700);
    off();
    const records = log.read(10, 5);
    assert.deepEqual(records.map((r) => r.index), [10, 11, 12, 13, 14]);
    assert.deepEqual(records[0]!.event, events[10]);
    assert.equal(records[0]!.leafHash, acks[10]!.leafHash);
    assert.deepEqual(log.read(698, 10).map((r) => r.index), [698, 699]);
    const root = log.rootHash(700);
    await log.close();
    assert.equal(statSync(join(dir, 'audit-signing.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'audit-kek.key')).mode & 0o777, 0o600);

    const again = await createAuditLog({ dataDir: dir, config: config() });
    assert.equal(again.size(), 700);
    assert.equal(again.rootHash(700), root);
    assert.equal((await again.append(sampleEvent(700))).index, 700);
    await again.close();
    assert.equal((await verifyAuditLog({ dataDir: dir })).ok, true);
  } finally {
    cleanup();
  }
});

test('checkpoints are signed every N entries in the C2SP format and proofs check against them', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = await createAuditLog({ dataDir: dir, config: config({ checkpoint: { everyEntries: 50, everySeconds: 3600 } }) });
    for (let i = 0; i < 300; i += 25) await Promise.all(Array.from({ length: 25 }, (_, j) => log.append(sampleEvent(i + j))));
    const verifier = parseVerifierKey(log.publicKey().verifierKey);
    const notes = log.checkpointNotes();
    assert.deepEqual(notes.map((n) => n.size), [50, 100, 150, 200, 250, 300]);
    const latest = log.latestCheckpoint()!;
    assert.equal(latest.size, 300);
    assert.match(latest.note, /^warden\.local\/audit\n300\n[A-Za-z0-9+/]{43}=\ntime \d{4}-\d\d-\d\dT[^\n]+Z\n\n\u2014 warden\.local\/audit [A-Za-z0-9+/]+=*\n$/);
    const opened = openCheckpoint(latest.note, verifier);
    assert.ok(opened.ok);
    const signedRoot = opened.checkpoint.rootHash;
    for (const index of [0, 1, 127, 255, 256, 299]) {
      const p = log.inclusionProof(index, 300);
      assert.ok(verifyInclusion(index, 300, Buffer.from(p.leafHash, 'hex'), p.proof.map((h) => Buffer.from(h, 'hex')), signedRoot), `leaf ${index}`);
    }
    const first = openCheckpoint(notes[0]!.note, verifier);
    assert.ok(first.ok);
    const c = log.consistencyProof(50, 300);
    assert.ok(verifyConsistency(50, 300, first.checkpoint.rootHash, signedRoot, c.proof.map((h) => Buffer.from(h, 'hex'))));
    assert.throws(() => log.inclusionProof(300, 300), WardenError);
    assert.throws(() => log.consistencyProof(10, 301), WardenError);
    await log.close();
  } finally {
    cleanup();
  }
});

test('a checkpoint is also signed after T seconds, and on demand', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = await createAuditLog({ dataDir: dir, config: config({ checkpoint: { everyEntries: 1_000_000, everySeconds: 0.2 } }) });
    await log.append(sampleEvent(0));
    const deadline = Date.now() + 30_000;
    while (log.latestCheckpoint()?.size !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(log.latestCheckpoint()?.size, 1);
    await log.append(sampleEvent(1));
    const cp = await log.checkpoint();
    assert.equal(cp.size, 2);
    await log.close();
  } finally {
    cleanup();
  }
});

test('every bus event is appended; invalid events are refused with a code', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const bus = new InProcessBus();
    const log = await createAuditLog({ dataDir: dir, config: config(), bus });
    for (let i = 0; i < 20; i++) bus.publish({ type: 'risk', principal: { type: 'User', id: 'u' }, previous: i, score: i + 1, factors: [] });
    await bus.drain();
    assert.equal(log.size(), 20);
    assert.equal((log.read(19, 1)[0]!.event as Extract<WardenEvent, { type: 'risk' }>).score, 20);
    await assert.rejects(log.append({ type: 'nope' } as unknown as WardenEvent), (e: WardenError) => e.code === 'validation_failed');
    await assert.rejects(log.append({ ...sampleEvent(1), details: { n: 1n } } as unknown as WardenEvent), (e: WardenError) => e.code === 'validation_failed');
    assert.equal(log.size(), 20);
    await log.close();
    await assert.rejects(log.append(sampleEvent(1)), (e: WardenError) => e.code === 'not_ready');
  } finally {
    cleanup();
  }
});
