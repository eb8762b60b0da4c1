import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPgMigrations, openPostgres, withTransaction } from '../../src/store/postgres.js';
import { freshSchema, TEST_DATABASE_URL } from '../helpers/postgres.js';

const migrations = [
  { version: 1, sql: 'CREATE TABLE things (id TEXT PRIMARY KEY, n INTEGER NOT NULL)' },
  { version: 2, sql: 'ALTER TABLE things ADD COLUMN note TEXT' },
];

test('migrations apply once, in order, even when two instances start together', async () => {
  const fresh = await freshSchema();
  const other = await openPostgres(TEST_DATABASE_URL, { schema: fresh.schema, max: 2 });
  try {
    await Promise.all([applyPgMigrations(fresh.pool, 'things', migrations), applyPgMigrations(other, 'things', migrations)]);
    await applyPgMigrations(fresh.pool, 'things', migrations);
    const { rows } = await fresh.pool.query('SELECT version FROM schema_migrations WHERE module = $1 ORDER BY version', ['things']);
    assert.deepEqual(rows.map((r: { version: number }) => r.version), [1, 2]);
    await fresh.pool.query("INSERT INTO things (id, n, note) VALUES ('a', 1, 'x')");
  } finally {
    await other.end();
    await fresh.close();
  }
});

test('a failed transaction leaves nothing behind', async () => {
  const fresh = await freshSchema();
  try {
    await applyPgMigrations(fresh.pool, 'things', migrations);
    await assert.rejects(
      withTransaction(fresh.pool, async (client) => {
        await client.query("INSERT INTO things (id, n) VALUES ('a', 1)");
        await client.query("INSERT INTO things (id, n) VALUES ('a', 2)");
      }),
      /duplicate key/,
    );
    const { rows } = await fresh.pool.query('SELECT count(*)::int AS n FROM things');
    assert.equal(rows[0].n, 0);
  } finally {
    await fresh.close();
  }
});

test('a schema name that is not a plain identifier is refused before it reaches SQL', async () => {
  await assert.rejects(openPostgres(TEST_DATABASE_URL, { schema: 'x; DROP TABLE y' }), /invalid schema name/);
});
