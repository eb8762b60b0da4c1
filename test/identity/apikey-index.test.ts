/** Finding 17: verifying a presented API key reads memory only; the index follows the table on a schedule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openDatabase, type SqliteDatabase } from '../../src/store/index.js';
import { tempDir } from '../helpers/warden-process.js';
import { sqliteKeyStore } from '../helpers/key-store.js';

/** The database with every call that could reach SQLite counted. */
function counting(db: SqliteDatabase): { db: SqliteDatabase; calls: () => number } {
  let calls = 0;
  const proxy = new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop === 'prepare' || prop === 'pragma' || prop === 'exec' || prop === 'transaction') calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { db: proxy, calls: () => calls };
}

const randomKey = (): string => `wdn_${randomBytes(6).toString('hex')}_${randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, 'A').slice(0, 32)}`;

test('a thousand random well-formed keys cost no database access', async () => {
  const dir = tempDir();
  const { db, calls } = counting(openDatabase(dir));
  const store = await sqliteKeyStore(db);
  const { key } = await store.create({ principal: 'alice' });
  // A writer in another process changes the table, so a refresh-on-miss would find a new data version.
  const cli = await sqliteKeyStore(openDatabase(dir));
  await cli.create({ principal: 'bob' });
  const before = calls();
  for (let i = 0; i < 1000; i++) assert.throws(() => store.verify(randomKey()), /invalid/i);
  assert.equal(store.verify(key).principal, 'alice');
  assert.equal(calls() - before, 0, 'the request path touched the database');
});

test('keys created or revoked by another process are seen at the next refresh', async () => {
  const dir = tempDir();
  const running = await sqliteKeyStore(openDatabase(dir));
  const cli = await sqliteKeyStore(openDatabase(dir));
  const { key, record } = await cli.create({ principal: 'alice' });
  assert.throws(() => running.verify(key), /invalid/i, 'not before the refresh');
  await running.refresh();
  assert.equal(running.verify(key).principal, 'alice');
  await cli.revoke(record.id);
  await running.refresh();
  assert.throws(() => running.verify(key), /revoked/);
});

test('a revocation through the instance itself applies to the very next request', async () => {
  const store = await sqliteKeyStore(openDatabase(tempDir()));
  const { key, record } = await store.create({ principal: 'alice' });
  assert.equal(store.verify(key).principal, 'alice');
  assert.ok(await store.revoke(record.id));
  assert.throws(() => store.verify(key), /revoked/);
});
