/**
 * Conformance of the export cursor repository (cursors, dead letters, the per-sink lease): the same cases
 * on SQLite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PgExportCursorRepository, SqliteExportCursorRepository, type ExportCursorRepository } from '../../src/export/index.js';
import { openDatabase } from '../../src/store/index.js';
import { openPostgres } from '../../src/store/postgres.js';
import { tempDir } from '../export/helpers.js';
import { freshSchema, TEST_DATABASE_URL } from '../helpers/postgres.js';
import { conformance, type BackendFactories } from './backends.js';

const factories: BackendFactories<ExportCursorRepository> = {
  sqlite: (db) => new SqliteExportCursorRepository(db),
  postgres: (pool) => PgExportCursorRepository.open(pool),
};

conformance<ExportCursorRepository>('a cursor set is the one read back from another repository, per sink, and an update replaces it', factories, async ({ open }) => {
  const repo = await open();
  assert.equal(await repo.cursor('siem'), undefined);
  const siem = (await repo.tryLease('siem'))!;
  const archive = (await repo.tryLease('archive'))!;
  await siem.setCursor(10, 10);
  await archive.setCursor(3, 7);
  await siem.setCursor(25, 31);
  await siem.release();
  await archive.release();
  const other = await open();
  const row = (await other.cursor('siem'))!;
  assert.deepEqual({ sink: row.sink, position: row.position, delivered: row.delivered }, { sink: 'siem', position: 25, delivered: 31 });
  assert.ok(Math.abs(Date.parse(row.updatedAt) - Date.now()) < 60_000, row.updatedAt);
  assert.deepEqual((await other.cursors()).map((c) => [c.sink, c.position, c.delivered]), [['archive', 3, 7], ['siem', 25, 31]]);
  // positions past 2^32 come back exact (a long-lived log)
  const big = (await other.tryLease('siem'))!;
  await big.setCursor(2 ** 40 + 1, 2 ** 40 + 5);
  assert.equal((await repo.cursor('siem'))!.position, 2 ** 40 + 1);
  await big.release();
});

conformance<ExportCursorRepository>('dead letters are kept per sink, in position order, with the error cut to 500 characters', factories, async ({ open }) => {
  const repo = await open();
  const siem = (await repo.tryLease('siem'))!;
  const other = (await repo.tryLease('other'))!;
  for (const position of [7, 2, 5]) await siem.addDeadLetter({ position, leafHash: `h${position}`, error: `e${position}`.padEnd(800, 'x') });
  await other.addDeadLetter({ position: 1, leafHash: 'h', error: 'short' });
  await siem.addDeadLetter({ position: 5, leafHash: 'h5', error: 'again' });
  assert.equal(await repo.deadLetterCount('siem'), 3);
  assert.equal(await repo.deadLetterCount('other'), 1);
  assert.equal(await repo.deadLetterCount('none'), 0);
  const letters = await repo.deadLetters('siem');
  assert.deepEqual(letters.map((d) => [d.sink, d.position, d.leafHash]), [['siem', 2, 'h2'], ['siem', 5, 'h5'], ['siem', 7, 'h7']]);
  assert.equal(letters[0]!.error, 'e2'.padEnd(500, 'x'), 'the first 500 characters, exactly');
  assert.equal(letters[1]!.error, 'again');
  assert.equal(letters[2]!.error, 'e7'.padEnd(500, 'x'));
  // at the limit nothing is cut; one past it loses exactly the last character
  await siem.addDeadLetter({ position: 9, leafHash: 'h9', error: 'é'.repeat(500) });
  await siem.addDeadLetter({ position: 10, leafHash: 'h10', error: `${'y'.repeat(500)}z` });
  const [atLimit, past] = await repo.deadLetters('siem', 100).then((all) => all.slice(3));
  assert.equal(atLimit!.error, 'é'.repeat(500));
  assert.equal(past!.error, 'y'.repeat(500));
  assert.ok(!Number.isNaN(Date.parse(letters[0]!.at)), letters[0]!.at);
  assert.deepEqual((await repo.deadLetters('siem', 2)).map((d) => d.position), [2, 5]);
  await siem.release();
  await other.release();
});

conformance<ExportCursorRepository>('one lease per sink at a time: a second taker gets none until the holder lets go, and a released lease writes nothing', factories, async ({ open }) => {
  const [x, y] = [await open(), await open()];
  const held = (await x.tryLease('siem'))!;
  assert.ok(held.alive);
  assert.equal(await y.tryLease('siem'), null);
  assert.equal(await x.tryLease('siem'), null, 'not even the same repository takes it twice');
  // a refused attempt gives its connection back: more refusals than the pool has connections still answer
  for (let i = 0; i < 6; i++) assert.equal(await y.tryLease('siem'), null);
  const elsewhere = await y.tryLease('archive');
  assert.ok(elsewhere, 'another sink is free');
  await held.setCursor(4, 4);
  await held.release();
  assert.equal(held.alive, false);
  await assert.rejects(held.setCursor(9, 9), /^Error: the export lease on `siem` was (released|lost)$/);
  await assert.rejects(held.addDeadLetter({ position: 1, leafHash: 'h', error: 'e' }), /^Error: the export lease on `siem` was (released|lost)$/);
  const next = (await y.tryLease('siem'))!;
  assert.ok(next);
  assert.equal((await y.cursor('siem'))!.position, 4, 'the stale holder moved nothing');
  // releasing the old lease again is harmless: it must not free the sink under its new holder
  await held.release();
  assert.equal(await x.tryLease('siem'), null, 'the new holder still holds the sink');
  assert.equal(next.alive, true);
  await next.setCursor(6, 6);
  assert.equal((await x.cursor('siem'))!.position, 6);
  await next.release();
  await elsewhere!.release();
});

conformance<ExportCursorRepository>('migrations applied again change nothing', factories, async ({ open }) => {
  const repo = await open();
  const lease = (await repo.tryLease('s'))!;
  await lease.setCursor(3, 3);
  await lease.release();
  const again = await open();
  assert.equal((await again.cursor('s'))!.position, 3);
});

test('SQLite: the tables are recorded as the export module\'s migration 1', () => {
  const { dir, cleanup } = tempDir();
  const db = openDatabase(dir);
  try {
    new SqliteExportCursorRepository(db);
    assert.deepEqual(db.prepare("SELECT version FROM schema_migrations WHERE module = 'export'").all(), [{ version: 1 }]);
    assert.deepEqual(db.prepare("SELECT COUNT(*) AS n FROM schema_migrations WHERE module = ''").get(), { n: 0 });
  } finally {
    db.close();
    cleanup();
  }
});

test('PostgreSQL: a holder whose session dies loses the lease and cannot write; another exporter takes the sink over', async () => {
  const fresh = await freshSchema('expl');
  const pools = [await openPostgres(TEST_DATABASE_URL, { schema: fresh.schema, max: 3 }), await openPostgres(TEST_DATABASE_URL, { schema: fresh.schema, max: 3 })];
  try {
    const [a, b] = [await PgExportCursorRepository.open(pools[0]!), await PgExportCursorRepository.open(pools[1]!)];
    const lease = (await a.tryLease('siem'))!;
    await lease.setCursor(10, 10);
    assert.equal(await b.tryLease('siem'), null);
    // The holder's connection is cut (a killed process, a network failure): the server frees its lock.
    await fresh.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid() AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND objid = (hashtextextended('warden-export/' || $1 || '/siem', 0) & x'ffffffff'::bigint)::oid`, [fresh.schema]);
    let taken = null;
    for (let i = 0; i < 100 && !taken; i++) {
      taken = await b.tryLease('siem');
      if (!taken) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(taken, 'the other exporter takes the sink');
    await assert.rejects(lease.setCursor(99, 99), 'the old holder cannot move the cursor');
    assert.equal(lease.alive, false);
    assert.equal((await b.cursor('siem'))!.position, 10);
    await taken.release();
    await lease.release();
  } finally {
    for (const p of pools) await p.end();
    await fresh.close();
  }
});
