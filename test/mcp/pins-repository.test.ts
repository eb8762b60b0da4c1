/**
 * Conformance of the tool pin repository: the same cases against SQLite and a real PostgreSQL (a private
 * schema per run), so both backends keep the two-person rule and first-sight semantics alike.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { PostgresPinRepository } from '../../src/mcp/pins/postgres.js';
import { pinId } from '../../src/mcp/pins/registry.js';
import { SqlitePinRepository } from '../../src/mcp/pins/sqlite.js';
import type { ToolPin, ToolPinRepository } from '../../src/mcp/pins/types.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/database.js';
import { freshSchema, type TestSchema } from '../helpers/postgres.js';
import { tempDir } from '../helpers/warden-process.js';

function pin(tool: string, hash: string, extra: Partial<ToolPin> = {}): ToolPin {
  return {
    id: pinId('srv', tool, hash),
    server: 'srv',
    tool,
    hash,
    definition: { name: tool, description: 'd\u0000\u202e', inputSchema: { type: 'object' } },
    status: 'pending',
    findings: [{ kind: 'unicode:bidi', path: 'description' }],
    previousHash: null,
    approvals: [],
    decidedBy: null,
    note: null,
    firstSeen: '2026-12-07T01:02:03.004Z',
    decidedAt: null,
    ...extra,
  };
}

function conformance(name: string, open: () => Promise<ToolPinRepository>): void {
  describe(`tool pin repository: ${name}`, () => {
    let repo: ToolPinRepository;
    before(async () => {
      repo = await open();
    });

    it('stores a definition once and returns it exactly', async () => {
      const p = pin('a', 'h1');
      assert.equal(await repo.insertIfAbsent(p), true);
      assert.equal(await repo.insertIfAbsent({ ...p, status: 'approved' }), false, 'a second sight changes nothing');
      assert.deepEqual(await repo.get(p.id), p);
    });

    it('approves only with the required number of distinct approvers', async () => {
      const p = pin('b', 'h2');
      await repo.insertIfAbsent(p);
      assert.equal((await repo.approve(p.id, 'carol', 2, '2026-12-07T02:00:00.000Z'))!.status, 'pending');
      const again = await repo.approve(p.id, 'carol', 2, '2026-12-07T02:00:01.000Z');
      assert.deepEqual(again!.approvals, ['carol']);
      assert.equal(again!.status, 'pending');
      const done = await repo.approve(p.id, 'dave', 2, '2026-12-07T02:00:02.000Z');
      assert.equal(done!.status, 'approved');
      assert.deepEqual(done!.approvals, ['carol', 'dave']);
      assert.equal(done!.decidedBy, 'dave');
      assert.equal(done!.decidedAt, '2026-12-07T02:00:02.000Z');
    });

    it('rejects a pending pin, and a decided pin stays decided', async () => {
      const p = pin('c', 'h3');
      await repo.insertIfAbsent(p);
      const rejected = await repo.reject(p.id, 'carol', 'tool shadowing', '2026-12-07T03:00:00.000Z');
      assert.equal(rejected!.status, 'rejected');
      assert.equal(rejected!.note, 'tool shadowing');
      assert.equal((await repo.approve(p.id, 'dave', 1, '2026-12-07T03:00:01.000Z'))!.status, 'rejected');
      assert.deepEqual((await repo.get(p.id))!.approvals, []);
    });

    it('answers undefined for an unknown pin and filters lists', async () => {
      assert.equal(await repo.get('0000000000000000'), undefined);
      assert.equal(await repo.approve('0000000000000000', 'carol', 1, '2026-12-07T03:00:00.000Z'), undefined);
      assert.equal(await repo.reject('0000000000000000', 'carol', null, '2026-12-07T03:00:00.000Z'), undefined);
      await repo.insertIfAbsent(pin('d', 'h4', { server: 'other', id: pinId('other', 'd', 'h4') }));
      assert.deepEqual((await repo.list({ status: 'rejected' })).map((p) => p.tool), ['c']);
      assert.deepEqual((await repo.list({ server: 'other' })).map((p) => p.tool), ['d']);
      assert.equal((await repo.list()).length, 4);
    });

    it('counts concurrent approvals exactly', async () => {
      const p = pin('e', 'h5');
      await repo.insertIfAbsent(p);
      await Promise.all(['u1', 'u2', 'u3'].map((u) => repo.approve(p.id, u, 3, '2026-12-07T04:00:00.000Z')));
      const done = await repo.get(p.id);
      assert.equal(done!.status, 'approved');
      assert.equal(done!.approvals.length, 3);
    });
  });
}

let dir: string;
let db: SqliteDatabase;
let schema: TestSchema;

conformance('sqlite', () => {
  dir = tempDir();
  db = openDatabase(dir);
  return Promise.resolve(new SqlitePinRepository(db));
});

conformance('postgres', async () => {
  schema = await freshSchema('mcp');
  return PostgresPinRepository.open(schema.pool);
});

after(async () => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await schema?.close();
});
