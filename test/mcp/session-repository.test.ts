/**
 * Conformance of the MCP session repository on SQLite and a real PostgreSQL (test/store/backends.ts), and
 * what it is for: a session binding and an agent's history recorded by one instance are seen by another
 * on the same database (a second instance of a cluster, or the same one after a restart), each entry once.
 */
import assert from 'node:assert/strict';
import { conformance } from '../store/backends.js';
import { PostgresMcpSessionRepository } from '../../src/mcp/store/postgres.js';
import { SqliteMcpSessionRepository } from '../../src/mcp/store/sqlite.js';
import type { McpSessionRepository, StoredSessionEntry } from '../../src/mcp/store/types.js';
import { SessionBindings } from '../../src/mcp/session-bindings.js';
import { SessionHistory } from '../../src/mcp/session.js';

const backends = {
  sqlite: (db: ConstructorParameters<typeof SqliteMcpSessionRepository>[0]): McpSessionRepository => new SqliteMcpSessionRepository(db),
  postgres: (pool: Parameters<typeof PostgresMcpSessionRepository.open>[0]): Promise<McpSessionRepository> => PostgresMcpSessionRepository.open(pool),
};

function entry(id: string, t: number, extra: Partial<StoredSessionEntry> = {}): StoredSessionEntry {
  return { id, principal: 'Agent:bot>User:alice', t, sessionId: 's1', tool: 'fetch_url', bytes: 42, untrusted: true, openWorld: true, ...extra };
}

conformance('mcp session repository: bindings round trip, replace and unbind', backends, async ({ open }) => {
  const a = await open();
  const b = await open();
  assert.equal(await a.binding('sess-1'), undefined);
  await a.bind('sess-1', { server: 'tools', principal: 'User:alice' }, 1000);
  assert.deepEqual(await b.binding('sess-1'), { server: 'tools', principal: 'User:alice' });
  await b.bind('sess-1', { server: 'tools', principal: 'User:bob' }, 2000);
  assert.deepEqual(await a.binding('sess-1'), { server: 'tools', principal: 'User:bob' });
  await a.unbind('sess-1');
  assert.equal(await b.binding('sess-1'), undefined);
});

conformance('mcp session repository: history appended once, read by receipt, pruned by age', backends, async ({ open }) => {
  const a = await open();
  const b = await open();
  const now = Date.now();
  await a.append([entry('i1:1', now - 5000), entry('i1:2', now - 1000, { untrusted: false, openWorld: false, tool: 'search_docs', bytes: 7 })]);
  await a.append([entry('i1:1', now - 5000)]);
  await a.append([]);
  const all = await b.recent(0, 0);
  assert.equal(all.more, false);
  assert.deepEqual(all.entries.map((e) => e.id).sort(), ['i1:1', 'i1:2']);
  assert.deepEqual(all.entries.find((e) => e.id === 'i1:2'), entry('i1:2', now - 1000, { untrusted: false, openWorld: false, tool: 'search_docs', bytes: 7 }));
  assert.ok(all.next >= now - 60_000 && all.next <= Date.now() + 60_000, 'next is the store clock');
  assert.deepEqual((await b.recent(0, now - 2000)).entries.map((e) => e.id), ['i1:2'], 'older calls than minT are not returned');
  assert.deepEqual((await b.recent(all.next + 60_000, 0)).entries, [], 'nothing received after a later clock');
  await a.bind('old', { server: 'tools', principal: 'p' }, 10);
  await a.bind('new', { server: 'tools', principal: 'p' }, now);
  assert.equal(await b.prune(now - 2000, 100), 2);
  assert.deepEqual((await a.recent(0, 0)).entries.map((e) => e.id), ['i1:2']);
  assert.equal(await a.binding('old'), undefined);
  assert.ok(await a.binding('new'));
});

conformance('mcp session repository: migrations apply twice without change', backends, async ({ open }) => {
  await (await open()).append([entry('x:1', Date.now())]);
  assert.equal((await (await open()).recent(0, 0)).entries.length, 1);
});

conformance('mcp sessions: a taint and a binding recorded by one instance hold on another', backends, async ({ open }) => {
  const options = { windowSeconds: 3600, maxPrincipals: 100 };
  const first = new SessionHistory(options, await open());
  const second = new SessionHistory(options, await open());
  const key = 'Agent:bot>User:alice';
  first.record(key, { t: Date.now(), sessionId: 's1', tool: 'fetch_url', bytes: 100, untrusted: true, openWorld: true });
  first.record(key, { t: Date.now(), sessionId: 's1', tool: 'search_docs', bytes: 5, untrusted: false, openWorld: false });
  await first.flushed();
  assert.equal(second.summary(key, Date.now()).untrustedContent, false, 'not synced yet');
  assert.equal(await second.sync(), 2);
  const summary = second.summary(key, Date.now());
  assert.equal(summary.untrustedContent, true);
  assert.equal(summary.callCount, 2);
  assert.equal(summary.bytesReturned, 105);
  assert.equal(await second.sync(), 0, 'a second sync adds nothing twice');
  assert.equal(await first.sync(), 0, 'an instance does not count its own entries again');
  assert.equal(first.summary(key, Date.now()).callCount, 2);
  // A restart: a new history over the same store starts with what the window holds.
  const restarted = new SessionHistory(options, await open());
  await restarted.sync();
  assert.equal(restarted.summary(key, Date.now()).untrustedContent, true);

  const bindA = new SessionBindings(await open());
  const bindB = new SessionBindings(await open());
  await bindA.bind('sess-9', 'tools', key);
  assert.equal(await bindB.owns('sess-9', 'tools', key), true);
  assert.equal(await bindB.owns('sess-9', 'tools', 'User:mallory'), false, 'another principal is refused');
  assert.equal(await bindB.owns('sess-9', 'other', key), false, 'another server is refused');
  await bindB.forget('sess-9');
  assert.equal(await new SessionBindings(await open()).owns('sess-9', 'tools', key), false);
});
