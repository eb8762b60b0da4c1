/** Sensitive fields: encrypted at rest, decrypted on read, KEK rotation, crypto-shredding that keeps the log verifiable. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAuditLog, verifyAuditLog } from '../../src/audit/index.js';
import { FieldMatcher, decryptFields, encryptFields } from '../../src/audit/sensitive.js';
import { config, sampleEvent, tempDir } from './helpers.js';

/** The value at a path inside a stored event (for assertions). */
function at(v: unknown, ...path: (string | number)[]): unknown {
  let cur = v;
  for (const k of path) cur = (cur as Record<string | number, unknown> | undefined)?.[k];
  return cur;
}

const SECRET = 'TOP SECRET prompt text';

function rawFilesContain(dir: string, needle: string): boolean {
  return readdirSync(dir).some((f) => f.startsWith('audit.db') && readFileSync(join(dir, f)).includes(needle));
}

test('marked fields are sealed with AES-256-GCM bound to the event and path; others untouched', async () => {
  const key = { kid: 'dk-test', key: randomBytes(32) };
  const event = { ...sampleEvent(1, { prompt: SECRET, user: { email: 'a@b.c', name: 'A' }, list: [{ completion: 'x' }] }) };
  const m = new FieldMatcher(['prompt', 'completion', 'details.user.email']);
  const sealed = encryptFields(event, m, () => key);
  assert.equal(at(sealed, 'details', 'prompt', '$enc'), 'A256GCM');
  assert.equal(at(sealed, 'details', 'user', 'email', '$enc'), 'A256GCM');
  assert.equal(at(sealed, 'details', 'user', 'name'), 'A');
  assert.equal(at(sealed, 'details', 'list', 0, 'completion', '$enc'), 'A256GCM');
  assert.ok(!JSON.stringify(sealed).includes(SECRET));
  assert.deepEqual(decryptFields(sealed, () => key.key), event);
  // Moving a ciphertext to another event does not decrypt (the event id is additional data).
  const other = { ...sealed, id: 'another' };
  assert.equal(at(decryptFields(other, () => key.key), 'details', 'prompt', '$enc'), 'A256GCM');
  assert.equal(encryptFields(sampleEvent(2), m, () => assert.fail('no key needed')).type, 'admin');
});

test('sensitive fields are encrypted at rest, readable with the KEK, and the tree commits to ciphertext', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = await createAuditLog({ dataDir: dir, config: config() });
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(sampleEvent(i, { prompt: `${SECRET} ${i}` }))));
    assert.equal(at(log.read(7, 1)[0]!.event, 'details', 'prompt'), `${SECRET} 7`);
    await log.close();
    assert.equal(rawFilesContain(dir, SECRET), false);
    assert.equal((await verifyAuditLog({ dataDir: dir })).ok, true);

    // With another KEK (environment variable takes precedence) the envelopes stay sealed.
    const env = { WARDEN_AUDIT_KEK: randomBytes(32).toString('base64') };
    const wrong = await createAuditLog({ dataDir: dir, config: config(), env });
    assert.equal(at(wrong.read(7, 1)[0]!.event, 'details', 'prompt', '$enc'), 'A256GCM');
    await wrong.close();
  } finally {
    cleanup();
  }
});

test('KEK rotation rewraps data keys under the new KEK; the old one can then be removed', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = await createAuditLog({ dataDir: dir, config: config() });
    await log.append(sampleEvent(0, { prompt: SECRET }));
    await log.close();
    const kekFile = join(dir, 'audit-kek.key');
    const oldKek = readFileSync(kekFile, 'utf8').trim();
    const newKek = randomBytes(32).toString('base64');
    writeFileSync(kekFile, `${newKek}\n${oldKek}\n`);
    const rotated = await createAuditLog({ dataDir: dir, config: config() });
    assert.equal(at(rotated.read(0, 1)[0]!.event, 'details', 'prompt'), SECRET);
    await rotated.close();
    writeFileSync(kekFile, `${newKek}\n`);
    const onlyNew = await createAuditLog({ dataDir: dir, config: config() });
    assert.equal(at(onlyNew.read(0, 1)[0]!.event, 'details', 'prompt'), SECRET);
    await onlyNew.close();
  } finally {
    cleanup();
  }
});

test('retention destroys data keys (crypto-shredding) and the log still verifies', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = await createAuditLog({ dataDir: dir, config: config() });
    await Promise.all(Array.from({ length: 10 }, (_, i) => log.append(sampleEvent(i, { prompt: `${SECRET} ${i}` }))));
    const destroyed = log.shred(new Date(Date.now() + 400 * 86_400_000));
    assert.equal(destroyed.length, 1);
    const ev = log.read(3, 1)[0]!.event;
    assert.equal(at(ev, 'details', 'prompt', '$enc'), 'A256GCM');
    assert.equal(at(ev, 'details', 'n'), 3);
    // New sensitive data gets a new key.
    await log.append(sampleEvent(10, { prompt: 'after' }));
    assert.equal(at(log.read(10, 1)[0]!.event, 'details', 'prompt'), 'after');
    await log.close();
    const db = new Database(join(dir, 'audit.db'), { readonly: true });
    const rows = db.prepare('SELECT kid, wrapped, destroyed_at FROM audit_data_keys ORDER BY created_at').all() as { wrapped: Buffer | null; destroyed_at: string | null }[];
    db.close();
    assert.equal(rows[0]!.wrapped, null);
    assert.ok(rows[0]!.destroyed_at);
    assert.ok(rows[1]!.wrapped);
    const report = await verifyAuditLog({ dataDir: dir });
    assert.equal(report.ok, true, JSON.stringify(report.problems));
  } finally {
    cleanup();
  }
});
