/** Conformance of the risk state repository (baselines by partition bucket, fenced checkpoints): the same cases on SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { PgRiskStateRepository } from '../../src/risk/store/postgres.js';
import { SqliteRiskStateRepository } from '../../src/risk/store/sqlite.js';
import type { RiskStateRepository } from '../../src/risk/store/types.js';
import { conformance, type BackendFactories } from './backends.js';

const factories: BackendFactories<RiskStateRepository> = { sqlite: (db) => new SqliteRiskStateRepository(db), postgres: (pool) => PgRiskStateRepository.open(pool) };

conformance<RiskStateRepository>('baselines round-trip by kind, and by bucket; a later save replaces a row', factories, async ({ open }) => {
  const repo = await open();
  assert.equal(
    await repo.saveBaselines([
      { kind: 'principal', key: 'User:alice', data: { n: 1, nested: { list: [1, 2] } }, bucket: 3 },
      { kind: 'principal', key: 'User:bob', data: { n: 2 }, bucket: 5 },
      { kind: 'group', key: 'engineering', data: { members: 2 } },
    ]),
    true,
  );
  const sorted = (rows: { key: string; data: unknown }[]) => rows.sort((a, b) => a.key.localeCompare(b.key));
  assert.deepEqual(sorted(await repo.loadBaselines('principal')), [{ key: 'User:alice', data: { n: 1, nested: { list: [1, 2] } } }, { key: 'User:bob', data: { n: 2 } }]);
  assert.deepEqual(await repo.loadBaselines('principal', 3), [{ key: 'User:alice', data: { n: 1, nested: { list: [1, 2] } } }]);
  assert.deepEqual(await repo.loadBaselines('principal', 9), []);
  assert.deepEqual(await repo.loadBaselines('group'), [{ key: 'engineering', data: { members: 2 } }]);
  await repo.saveBaselines([{ kind: 'principal', key: 'User:alice', data: { n: 10 }, bucket: 3 }]);
  const other = await open();
  assert.deepEqual(await other.loadBaselines('principal', 3), [{ key: 'User:alice', data: { n: 10 } }], 'another connection reads the replaced row');
});

conformance<RiskStateRepository>('a checkpoint is saved with its rows, never moves back, and a lower epoch is refused whole', factories, async ({ open }) => {
  const repo = await open();
  assert.deepEqual(await repo.checkpoint('risk-1'), { seq: 0, epoch: 0 });
  assert.equal(await repo.saveBaselines([{ kind: 'principal', key: 'User:a', data: { v: 1 }, bucket: 1 }], { partition: 'risk-1', seq: 10, epoch: 4 }), true);
  assert.deepEqual(await repo.checkpoint('risk-1'), { seq: 10, epoch: 4 });
  assert.equal(await repo.saveBaselines([], { partition: 'risk-1', seq: 7, epoch: 4 }), true, 'the same owner saving again is accepted');
  assert.deepEqual(await repo.checkpoint('risk-1'), { seq: 10, epoch: 4 }, 'the sequence never moves back');
  // A new owner (epoch 6) claims the partition; the former owner's late save is refused and writes nothing.
  assert.equal(await repo.saveBaselines([], { partition: 'risk-1', seq: 10, epoch: 6 }), true);
  assert.equal(await repo.saveBaselines([{ kind: 'principal', key: 'User:a', data: { v: 'stale' }, bucket: 1 }], { partition: 'risk-1', seq: 12, epoch: 4 }), false);
  assert.deepEqual(await repo.loadBaselines('principal', 1), [{ key: 'User:a', data: { v: 1 } }]);
  assert.deepEqual(await repo.checkpoint('risk-1'), { seq: 10, epoch: 6 });
  assert.deepEqual(await repo.checkpoint('risk-2'), { seq: 0, epoch: 0 }, 'partitions are independent');
});

conformance<RiskStateRepository>('two owners saving one partition at once: the higher epoch wins, whatever the order', factories, async ({ open }) => {
  const [x, y] = [await open(), await open()];
  const results = await Promise.all([
    x.saveBaselines([{ kind: 'principal', key: 'User:c', data: { by: 'x' }, bucket: 2 }], { partition: 'risk-2', seq: 5, epoch: 8 }),
    y.saveBaselines([{ kind: 'principal', key: 'User:c', data: { by: 'y' }, bucket: 2 }], { partition: 'risk-2', seq: 6, epoch: 9 }),
  ]);
  assert.equal(results[1], true, 'the higher epoch is never refused');
  const [row] = await x.loadBaselines('principal', 2);
  assert.deepEqual(row?.data, { by: 'y' });
  assert.deepEqual(await x.checkpoint('risk-2'), { seq: 6, epoch: 9 });
});

conformance<RiskStateRepository>('opening again applies no migration twice and keeps the rows', factories, async ({ open }) => {
  await (await open()).saveBaselines([{ kind: 'device', key: 'laptop-1', data: { t: 1 } }]);
  assert.deepEqual(await (await open()).loadBaselines('device'), [{ key: 'laptop-1', data: { t: 1 } }]);
});
