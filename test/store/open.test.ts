/** Choosing the backend: the environment wins over the file; without either, SQLite exactly as before. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { loadConfig } from '../../src/config/load.js';
import { databaseUrlFor } from '../../src/app/state-stores.js';
import { openStateStores } from '../../src/app/state-stores.js';
import { openDatabase } from '../../src/store/index.js';
import { TEST_DATABASE_URL } from '../helpers/postgres.js';
import { runCli, tempDir } from '../helpers/warden-process.js';

test('WARDEN_DATABASE_URL wins over cluster.databaseUrl; neither means SQLite; a non-postgres URL is refused', () => {
  const file = configSchema.parse({ cluster: { databaseUrl: 'postgres://from-file/db' } });
  assert.equal(databaseUrlFor(file, {}), 'postgres://from-file/db');
  assert.equal(databaseUrlFor(file, { WARDEN_DATABASE_URL: 'postgresql://from-env/db' }), 'postgresql://from-env/db');
  assert.equal(databaseUrlFor(configSchema.parse({}), { WARDEN_DATABASE_URL: '' }), undefined);
  assert.throws(() => databaseUrlFor(file, { WARDEN_DATABASE_URL: 'mysql://x/y' }), /postgres:\/\//);
  assert.equal(configSchema.safeParse({ cluster: { databaseUrl: 'http://x' } }).success, false);
});

test('an unknown key under cluster is refused with its path', () => {
  const dir = tempDir();
  const file = join(dir, 'warden.yaml');
  writeFileSync(file, 'cluster:\n  databaseURL: postgres://x/y\n');
  assert.throws(() => loadConfig({ configFile: file }, {}, dir), /cluster\.databaseURL/);
});

test('openStateStores opens SQLite only when no URL is given, and PostgreSQL answers its ping', async () => {
  let opened = 0;
  const dir = tempDir();
  const sqlite = await openStateStores({ databaseUrl: undefined, sqlite: () => (opened++, openDatabase(dir)) });
  assert.equal(sqlite.backend, 'sqlite');
  await sqlite.ping();
  const pg = await openStateStores({ databaseUrl: TEST_DATABASE_URL, sqlite: () => (opened++, openDatabase(dir)) });
  try {
    assert.equal(pg.backend, 'postgres');
    await pg.ping();
  } finally {
    await pg.close();
  }
  assert.equal(opened, 1);
});

test('with the database unreachable the CLI fails closed: exit 1, the reason, no local database', async () => {
  const dir = tempDir();
  const result = await runCli(['keys', 'create', '--principal', 'alice', '--data-dir', dir], { WARDEN_DATABASE_URL: 'postgres://nobody:s3cret@127.0.0.1:1/none' });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /ECONNREFUSED/);
  assert.ok(!result.stderr.includes('s3cret'), 'the password is not echoed');
  assert.ok(!existsSync(join(dir, 'warden.db')));
  assert.ok(!/wdn_/.test(result.stdout), 'no key is printed');
});
