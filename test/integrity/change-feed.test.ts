/**
 * The integrity registry's change feed on PostgreSQL (issue 12): a committed asset write by any process on
 * the schema wakes every listener of that schema, not of another, and a listener whose connection is
 * killed reconnects and reports once more (what was committed meanwhile is read by that reload).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PgIntegrityRepository } from '../../src/integrity/store/postgres.js';
import pg from 'pg';
import { openPostgres } from '../../src/store/postgres.js';
import { eventually } from '../helpers/eventually.js';
import { freshSchema, TEST_DATABASE_URL } from '../helpers/postgres.js';

const asset = (id: string) => ({ id, kind: 'model' as const, name: id, location: `/m/${id}`, owner: 'ml', sensitivity: 'internal', expectedSigner: null, signerPublicKey: null, serialization: { method: 'files' as const }, createdBy: 'alice', createdAt: new Date().toISOString() });

test('a write through another connection wakes the listener of its schema only; a killed listener reconnects and reports', async () => {
  const mine = await freshSchema('feed');
  const other = await freshSchema('feed');
  // The writer has pools of its own: another instance, or the CLI.
  const writerPool = await openPostgres(TEST_DATABASE_URL, { schema: mine.schema, max: 2 });
  const pools = [writerPool];
  try {
    // The listener's pool names itself, so that the test kills its connection and no one else's.
    const listenerPool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2, application_name: `listener_${mine.schema}`, options: `-c search_path=${mine.schema}` });
    listenerPool.on('error', () => undefined);
    pools.push(listenerPool);
    const listener = await PgIntegrityRepository.open(listenerPool);
    const writer = await PgIntegrityRepository.open(writerPool);
    const stranger = await PgIntegrityRepository.open(other.pool);
    let changes = 0;
    const errors: unknown[] = [];
    const watch = await listener.watchAssets(() => changes++, (error) => errors.push(error), 50);
    try {
      assert.equal(await writer.insertAsset(asset('m1')), true);
      await eventually('the insert is announced', () => changes >= 1);
      const before = changes;
      await writer.updateAsset('m1', { verified: false, status: 'tampered' }, new Date().toISOString());
      await eventually('the update is announced', () => changes > before);

      // Another schema's writes on the same database are not this registry's.
      const settled = changes;
      await stranger.insertAsset(asset('x'));
      await writer.insertAsset(asset('m2')); // announced after the stranger's, on the same channel
      await eventually('the later write is announced', () => changes > settled);
      assert.equal(changes, settled + 1, 'the other schema woke nobody here');

      // The listening connection is killed: the feed says so, reconnects, and reports once so that the
      // caller reloads what it may have missed, then follows writes again.
      const atKill = changes;
      await writerPool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`listener_${mine.schema}`]);
      await eventually('the loss is reported', () => errors.length >= 1);
      await eventually('the reconnection reports a change', () => changes > atKill);
      const reconnected = changes;
      await writer.updateAsset('m2', { suspect: true }, new Date().toISOString());
      await eventually('writes are announced again', () => changes > reconnected);
    } finally {
      await watch.close();
    }
  } finally {
    for (const pool of pools) await pool.end();
    await mine.close();
    await other.close();
  }
});
