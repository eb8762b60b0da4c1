/** Conformance of the API key repository: the same cases on SQLite and on PostgreSQL. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PgApiKeyRepository, SqliteApiKeyRepository, hashKey, type ApiKeyRepository, type ApiKeyRow } from '../../src/identity/index.js';
import { conformance, type BackendFactories } from './backends.js';

const factories: BackendFactories<ApiKeyRepository> = { sqlite: (db) => new SqliteApiKeyRepository(db), postgres: (pool) => PgApiKeyRepository.open(pool) };

function row(overrides: Partial<ApiKeyRow> = {}): ApiKeyRow {
  const id = randomBytes(6).toString('hex');
  return {
    id,
    principal: 'alice',
    name: 'laptop',
    hash: hashKey(`wdn_${id}_${'A'.repeat(32)}`),
    scopes: ['chat:gpt', 'admin:keys'],
    createdAt: new Date().toISOString(),
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
    ...overrides,
  };
}

conformance<ApiKeyRepository>('a key reads back exactly as written, listed per principal, oldest first', factories, async ({ open }) => {
  const repo = await open();
  const a = row({ createdAt: '2030-01-01T00:00:00.000Z', expiresAt: '2031-02-03T04:05:06.789Z' });
  const b = row({ principal: 'bob', createdAt: '2030-01-01T00:00:01.000Z', name: '' });
  const c = row({ createdAt: '2030-01-01T00:00:02.000Z', scopes: ['*'] });
  for (const r of [c, a, b]) await repo.insert(r);
  assert.deepEqual(await repo.get(a.id), a);
  assert.equal(await repo.get('nosuchkey000'), undefined);
  assert.deepEqual(await repo.list('alice'), [a, c]);
  assert.deepEqual((await repo.list()).map((r) => r.id), [a.id, b.id, c.id]);
  assert.deepEqual(await repo.list('nobody'), []);
});

conformance<ApiKeyRepository>('an id is unique: a second insert with the same id is refused and changes nothing', factories, async ({ open }) => {
  const repo = await open();
  const first = row();
  await repo.insert(first);
  await assert.rejects(repo.insert({ ...first, principal: 'mallory', hash: hashKey('other') }));
  assert.deepEqual(await repo.get(first.id), first);
});

conformance<ApiKeyRepository>('revocation: the first time stays, an unknown id answers false, the change marker moves', factories, async ({ open }) => {
  const repo = await open();
  const other = await open();
  const k = row();
  await repo.insert(k);
  const before = await repo.changeMarker();
  assert.equal(await other.revoke(k.id, '2030-01-01T00:00:00.000Z'), true);
  assert.notEqual(await repo.changeMarker(), before, 'a revocation by another connection is visible to the marker');
  assert.equal(await other.revoke(k.id, '2030-06-01T00:00:00.000Z'), true);
  assert.equal((await repo.get(k.id))!.revokedAt, '2030-01-01T00:00:00.000Z');
  assert.equal(await repo.revoke('nosuchkey000', '2030-01-01T00:00:00.000Z'), false);
  const afterRevoke = await repo.changeMarker();
  await other.insert(row());
  assert.notEqual(await repo.changeMarker(), afterRevoke, 'a key added by another connection moves the marker');
});

conformance<ApiKeyRepository>('last-used times are written in a batch; unknown ids are ignored', factories, async ({ open }) => {
  const repo = await open();
  const a = row();
  const b = row();
  await repo.insert(a);
  await repo.insert(b);
  await repo.recordLastUsed(new Map([[a.id, '2030-01-02T03:04:05.000Z'], ['nosuchkey000', '2030-01-02T03:04:05.000Z']]));
  assert.equal((await repo.get(a.id))!.lastUsedAt, '2030-01-02T03:04:05.000Z');
  assert.equal((await repo.get(b.id))!.lastUsedAt, null);
});

conformance<ApiKeyRepository>('a demo key is stored with its key row atomically; a replacement overwrites the name', factories, async ({ open }) => {
  const repo = await open();
  const first = row();
  await repo.insertDemoKey({ name: 'demo-alice', principal: 'alice', key: 'wdn_first' }, first);
  assert.deepEqual(await repo.demoKey('demo-alice'), { name: 'demo-alice', principal: 'alice', key: 'wdn_first' });
  assert.deepEqual(await repo.get(first.id), first);
  // A key row that cannot be stored (duplicate id) leaves the demo entry as it was.
  await assert.rejects(repo.insertDemoKey({ name: 'demo-alice', principal: 'alice', key: 'wdn_second' }, first));
  assert.equal((await repo.demoKey('demo-alice'))!.key, 'wdn_first');
  await repo.insertDemoKey({ name: 'demo-alice', principal: 'alice', key: 'wdn_third' }, row());
  assert.equal((await repo.demoKey('demo-alice'))!.key, 'wdn_third');
  assert.equal(await repo.demoKey('demo-nobody'), undefined);
});

conformance<ApiKeyRepository>('opening again applies no migration twice and keeps every row', factories, async ({ open }) => {
  const repo = await open();
  const k = row();
  await repo.insert(k);
  const again = await open();
  const third = await open();
  assert.deepEqual(await again.get(k.id), k);
  assert.deepEqual(await third.list(), [k]);
});

conformance<ApiKeyRepository>('concurrent inserts from two connections all land', factories, async ({ open }) => {
  const [x, y] = [await open(), await open()];
  const rows = Array.from({ length: 20 }, (_, i) => row({ createdAt: new Date(Date.UTC(2030, 0, 1, 0, 0, i)).toISOString() }));
  await Promise.all(rows.map((r, i) => (i % 2 ? x : y).insert(r)));
  assert.deepEqual((await x.list()).map((r) => r.id), rows.map((r) => r.id));
});
