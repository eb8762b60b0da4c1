/**
 * `checkpoint()` (a checkpoint signed on demand) against the group-commit pipeline: it settles exactly once,
 * whatever batch is in flight when it is asked for, and also when the write of the checkpoint fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { WardenError } from '../../src/core/errors.js';
import { createAuditLog, verifyAuditLog } from '../../src/audit/index.js';
import { config, sampleEvent, tempDir } from './helpers.js';

// A hang is the failure these tests guard against: the limit turns it into a failure with a name.
const HANG = { timeout: 20_000 };

/** A real failure of the storage: SQLite refuses every checkpoint row from now on (as a full disk would). */
function refuseCheckpoints(dir: string): void {
  const db = new Database(join(dir, 'audit.db'));
  db.exec("CREATE TRIGGER refuse_checkpoint BEFORE INSERT ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  db.close();
}

test('a checkpoint asked for just before a full batch starts is signed once and the log stays writable', HANG, async () => {
  const { dir, cleanup } = tempDir();
  try {
    // maxBatch 2: the second append flushes at once, before checkpoint() (idle when called) goes on.
    // Before the fix its request waited for the timer, which signed the batch's size a second time:
    // the duplicate tree size failed the write and with it the whole log.
    const log = await createAuditLog({ dataDir: dir, config: config({ maxBatch: 2, checkpoint: { everyEntries: 1, everySeconds: 0.05 } }) });
    const asked = log.checkpoint();
    const acks = await Promise.all([log.append(sampleEvent(0)), log.append(sampleEvent(1))]);
    assert.deepEqual(acks.map((a) => a.index), [0, 1]);
    const cp = await asked;
    assert.equal(cp.size, 2);
    assert.equal((await log.append(sampleEvent(2))).index, 2);
    assert.equal((await log.checkpoint()).size, 3);
    await log.close();
    const report = await verifyAuditLog({ dataDir: dir });
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.entries, 3);
    assert.equal(report.latestCheckpointSize, 3);
  } finally {
    cleanup();
  }
});

test('a checkpoint whose write fails rejects (it does not hang), and so does every later append', HANG, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = await createAuditLog({ dataDir: dir, config: config() });
    await log.append(sampleEvent(0));
    refuseCheckpoints(dir);
    await assert.rejects(log.checkpoint(), (e: WardenError) => e.code === 'internal');
    await assert.rejects(log.append(sampleEvent(1)), (e: WardenError) => e.code === 'not_ready');
    await assert.rejects(log.checkpoint(), (e: WardenError) => e.code === 'not_ready');
    assert.equal(log.size(), 1);
    await log.close();
  } finally {
    cleanup();
  }
});

test('close() whose final checkpoint cannot be written rejects, releases the files, and loses no durable entry', HANG, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = await createAuditLog({ dataDir: dir, config: config() });
    await log.append(sampleEvent(0));
    refuseCheckpoints(dir);
    await assert.rejects(log.close(), (e: WardenError) => e.code === 'internal');
    await assert.rejects(log.append(sampleEvent(1)), (e: WardenError) => e.code === 'not_ready');
    const db = new Database(join(dir, 'audit.db'));
    db.exec('DROP TRIGGER refuse_checkpoint');
    db.close();
    const again = await createAuditLog({ dataDir: dir, config: config() });
    assert.equal(again.size(), 1);
    await again.close();
    assert.equal((await verifyAuditLog({ dataDir: dir })).ok, true);
  } finally {
    cleanup();
  }
});

test('close() refuses appends made once it has begun, so the final checkpoint covers every durable entry', HANG, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = await createAuditLog({ dataDir: dir, config: config() });
    const before = log.append(sampleEvent(0));
    const closing = log.close();
    // Asked after close() began: before the fix it was queued behind the final checkpoint and written
    // (durable but outside every checkpoint) or refused by the stopped writer thread.
    await assert.rejects(log.append(sampleEvent(1)), (e: WardenError) => e.code === 'not_ready');
    assert.equal((await before).index, 0);
    await closing;
    const report = await verifyAuditLog({ dataDir: dir });
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.entries, 1);
    assert.equal(report.latestCheckpointSize, 1);
  } finally {
    cleanup();
  }
});
