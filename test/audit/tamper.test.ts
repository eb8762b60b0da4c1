/**
 * Tampering done directly to a real audit.db file, each kind in turn: `audit verify` must fail and name
 * the position. The log has 600 entries with a signed checkpoint every 100.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { generateKeyPairSync, createHash } from 'node:crypto';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { verifyAuditLog, type VerifyReport } from '../../src/audit/index.js';
import { checkpointBody, signCheckpoint } from '../../src/audit/checkpoint.js';
import { encodeEntry } from '../../src/audit/encoding.js';
import { hashLeaf } from '../../src/audit/tree.js';
import { noteKeyId, rawPublicKey } from '../../src/audit/signing-key.js';
import { runCli } from '../../src/cli/run.js';
import { buildLog, captureIo, sampleEvent, tempDir } from './helpers.js';

const base = tempDir();
const pristine = join(base.dir, 'pristine');
await buildLog(pristine, 600, 100);
let n = 0;

/** A fresh copy of the pristine data dir, tampered by `edit`. */
function tampered(edit: (db: Database.Database) => void): string {
  const dir = join(base.dir, `case-${n++}`);
  cpSync(pristine, dir, { recursive: true });
  const db = new Database(join(dir, 'audit.db'));
  edit(db);
  db.close();
  return dir;
}

function kinds(r: VerifyReport): string[] {
  return r.problems.map((p) => `${p.kind}@${p.position}`);
}

/** Verifies single-threaded and with 3 worker threads (ranges of 256 rows); both must agree. */
async function verifyBoth(dataDir: string): Promise<VerifyReport> {
  const single = await verifyAuditLog({ dataDir, workers: 0 });
  const parallel = await verifyAuditLog({ dataDir, workers: 3 });
  assert.equal(parallel.workers, 3);
  const key = (r: VerifyReport): string[] => r.problems.map((p) => `${p.kind}@${p.position}..${p.through}`).sort();
  assert.deepEqual(key(parallel), key(single));
  assert.equal(parallel.entries, single.entries);
  return single;
}

test.after(() => base.cleanup());

test('the untouched log verifies, through the CLI too', async () => {
  const r = await verifyBoth(pristine);
  assert.equal(r.ok, true, JSON.stringify(r.problems));
  assert.equal(r.entries, 600);
  assert.equal(r.checkpointsVerified, 6);
  const cap = captureIo(base.dir);
  assert.equal(await runCli(['audit', 'verify', '--data-dir', pristine], cap.io), 0, cap.err());
  assert.match(cap.out(), /^OK: 600 entries/m);
});

test('a modified entry is named by position', async () => {
  const dir = tampered((db) => {
    const row = db.prepare('SELECT entry FROM audit_entries WHERE idx = 250').get() as { entry: Buffer };
    db.prepare('UPDATE audit_entries SET entry = ? WHERE idx = 250').run(Buffer.from(row.entry.toString().replace('"success"', '"failure"')));
  });
  const r = await verifyBoth(dir);
  assert.equal(r.ok, false);
  assert.ok(kinds(r).includes('entry_modified@250'), kinds(r).join());
  const cap = captureIo(base.dir);
  assert.equal(await runCli(['audit', 'verify', '--data-dir', dir], cap.io), 1);
  assert.match(cap.out(), /TAMPERED entry_modified at position 250/);
});

test('a modified entry whose stored leaf hash was recomputed is located by the signed checkpoints', async () => {
  const dir = tampered((db) => {
    const entry = encodeEntry(250, sampleEvent(999));
    db.prepare('UPDATE audit_entries SET entry = ?, leaf_hash = ? WHERE idx = 250').run(entry, hashLeaf(entry));
  });
  const r = await verifyBoth(dir);
  assert.equal(r.ok, false);
  const p = r.problems.find((x) => x.kind === 'root_mismatch');
  assert.ok(p, kinds(r).join());
  assert.equal(p.position, 200);
  assert.equal(p.through, 299);
});

test('a deleted entry is named by position', async () => {
  const dir = tampered((db) => db.prepare('DELETE FROM audit_entries WHERE idx = 250').run());
  const r = await verifyBoth(dir);
  assert.equal(r.ok, false);
  assert.ok(kinds(r).includes('entry_missing@250'), kinds(r).join());
});

test('a deleted entry with the rest renumbered is named by position', async () => {
  const dir = tampered((db) => {
    db.prepare('DELETE FROM audit_entries WHERE idx = 250').run();
    db.prepare('UPDATE audit_entries SET idx = -idx + 1 WHERE idx > 250').run();
    db.prepare('UPDATE audit_entries SET idx = -idx WHERE idx < 0').run();
  });
  const r = await verifyBoth(dir);
  assert.equal(r.ok, false);
  assert.ok(kinds(r).includes('entries_deleted@250'), kinds(r).join());
});

test('reordered entries are named by position', async () => {
  const dir = tampered((db) => {
    db.prepare('UPDATE audit_entries SET idx = -1 WHERE idx = 250').run();
    db.prepare('UPDATE audit_entries SET idx = 250 WHERE idx = 260').run();
    db.prepare('UPDATE audit_entries SET idx = 260 WHERE idx = -1').run();
  });
  const r = await verifyBoth(dir);
  assert.equal(r.ok, false);
  assert.ok(kinds(r).includes('entries_reordered@250'), kinds(r).join());
  assert.ok(kinds(r).includes('entries_reordered@260'), kinds(r).join());
});

test('a truncated tail is named by position, even with its checkpoints deleted', async () => {
  const dir = tampered((db) => {
    db.prepare('DELETE FROM audit_entries WHERE idx >= 550').run();
    db.prepare('DELETE FROM audit_checkpoints WHERE tree_size > 500').run();
  });
  const r = await verifyBoth(dir);
  assert.equal(r.ok, false);
  assert.ok(kinds(r).includes('tail_truncated@550'), kinds(r).join());
});

test('an inserted entry is named by position', async () => {
  const dir = tampered((db) => {
    db.prepare('UPDATE audit_entries SET idx = -idx - 1 WHERE idx >= 250').run();
    db.prepare('UPDATE audit_entries SET idx = -idx WHERE idx < 0').run();
    const entry = encodeEntry(250, sampleEvent(4242));
    db.prepare('INSERT INTO audit_entries (idx, entry, leaf_hash) VALUES (250, ?, ?)').run(entry, hashLeaf(entry));
  });
  const r = await verifyBoth(dir);
  assert.equal(r.ok, false);
  assert.ok(kinds(r).includes('entries_inserted@250'), kinds(r).join());
});

test('a forged checkpoint is named by its tree size', async () => {
  const dir = tampered((db) => {
    // An altered root under the original signature...
    const row = db.prepare('SELECT note FROM audit_checkpoints WHERE tree_size = 300').get() as { note: string };
    const lines = row.note.split('\n');
    lines[2] = createHash('sha256').update('forged').digest('base64');
    db.prepare('UPDATE audit_checkpoints SET note = ? WHERE tree_size = 300').run(lines.join('\n'));
    // ...and a checkpoint signed by another key.
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = rawPublicKey(publicKey);
    const fake = signCheckpoint(
      { origin: 'warden.local/audit', size: 350, rootHash: createHash('sha256').update('x').digest(), time: new Date().toISOString() },
      { name: 'warden.local/audit', keyId: noteKeyId('warden.local/audit', raw), privateKey, publicKey, publicKeyRaw: raw },
    );
    assert.ok(fake.note.startsWith(checkpointBody(fake)));
    db.prepare('INSERT INTO audit_checkpoints (tree_size, note, created_at) VALUES (350, ?, ?)').run(fake.note, fake.time);
  });
  const r = await verifyBoth(dir);
  assert.equal(r.ok, false);
  assert.ok(kinds(r).includes('checkpoint_forged@300'), kinds(r).join());
  assert.ok(kinds(r).includes('checkpoint_forged@350'), kinds(r).join());
});

test('verification is read-only and a missing data dir is a clear error', async () => {
  rmSync(join(base.dir, 'nothing'), { recursive: true, force: true });
  const cap = captureIo(base.dir);
  assert.equal(await runCli(['audit', 'verify', '--data-dir', join(base.dir, 'nothing')], cap.io), 1);
  assert.match(cap.err(), /no audit log/);
});
