/**
 * End to end: a local MCP server on the official SDK's stdio transport (test/mcp/fixtures/stdio-server.mjs)
 * that a Warden process starts, and the official SDK client through Warden over HTTP. The child gets only
 * its configured environment; its standard error reaches the log; it is restarted when it dies; progress
 * is relayed as numbers; sampling is refused at once; a changed definition announced with
 * `notifications/tools/list_changed` is quarantined without any agent listing the tools.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startWarden, tempDir, ROOT, type WardenProcess } from '../helpers/warden-process.js';
import { sqliteKeyStore } from '../helpers/key-store.js';
import { openDatabase } from '../../src/store/database.js';

const FIXTURE = join(ROOT, 'test/mcp/fixtures/stdio-server.mjs');
const SECRET = 'warden-own-secret-never-for-children';
let warden: WardenProcess;
let key = '';
const clients: Client[] = [];

async function connect(): Promise<Client> {
  const client = new Client({ name: 'stdio-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${warden.url}/mcp/local`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  clients.push(client);
  return client;
}

function text(result: unknown): string {
  return ((result as { content: { text: string }[] }).content[0]?.text) ?? '';
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

before(async () => {
  const dir = tempDir();
  const dataDir = join(dir, 'data');
  const policies = join(dir, 'policies');
  // Only these policies (the demo's risk rules would react to the detections the tests cause).
  mkdirSync(policies);
  writeFileSync(join(policies, 'local.cedar'), `@id("local-engineering")
permit (principal in Warden::Group::"engineering", action == Warden::Action::"call_tool", resource is Warden::Tool)
when { resource.server == "local" };
`);
  const db = openDatabase(dataDir);
  key = (await (await sqliteKeyStore(db)).create({ principal: 'alice' })).key;
  db.close();
  warden = await startWarden(
    {
      policy: { dir: policies },
      principals: [{ id: 'alice', kind: 'User', groups: ['engineering'], roles: ['user'] }],
      mcp: {
        servers: [{ name: 'local', stdio: { command: process.execPath, args: [FIXTURE], env: { FIXTURE_GREETING: 'env:GREETING_FOR_CHILD' }, cwd: ROOT }, pinning: 'trust-first-use' }],
      },
    },
    { dir, logLevel: 'info', env: { WARDEN_CHILD_TEST_SECRET: SECRET, GREETING_FOR_CHILD: 'hello from config' } },
  );
});

after(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await warden?.stop();
});

describe('a stdio MCP server started by Warden', () => {
  it('is listed and called through Warden, with only its configured environment', async () => {
    const alice = await connect();
    const names = (await alice.listTools()).tools.map((t) => t.name).sort();
    assert.deepEqual(names, ['ask_model', 'count', 'crash', 'notes', 'rug_pull', 'show_env']);
    const env = JSON.parse(text(await alice.callTool({ name: 'show_env', arguments: {} }))) as { names: string[]; greeting: string };
    assert.equal(env.greeting, 'hello from config', 'a configured env reference is resolved for the child');
    assert.ok(!env.names.includes('WARDEN_CHILD_TEST_SECRET'), 'Warden\'s own environment is not passed on');
    assert.ok(!env.names.includes('GREETING_FOR_CHILD'));
    assert.ok(env.names.every((n) => ['FIXTURE_GREETING', 'HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'].includes(n)), env.names.join(','));
    assert.match(warden.output(), /fixture stdio server \d+ started/, 'the child\'s standard error reaches the log');
  });

  it('keeps agents\' sessions apart over one child (ids are Warden\'s)', async () => {
    const [a, b] = [await connect(), await connect()];
    const ids = [(a.transport as StreamableHTTPClientTransport).sessionId, (b.transport as StreamableHTTPClientTransport).sessionId];
    assert.ok(ids[0] && ids[1] && ids[0] !== ids[1]);
    const [ra, rb] = await Promise.all([a.callTool({ name: 'count', arguments: { n: 3 } }), b.callTool({ name: 'count', arguments: { n: 5 } })]);
    assert.equal(text(ra), 'counted to 3');
    assert.equal(text(rb), 'counted to 5');
  });

  it('relays progress as numbers only', async () => {
    const alice = await connect();
    const seen: { progress: number; total?: number; message?: string }[] = [];
    const result = await alice.callTool({ name: 'count', arguments: { n: 4 } }, undefined, { onprogress: (p) => void seen.push(p) });
    assert.equal(text(result), 'counted to 4');
    assert.deepEqual(seen.map((p) => p.progress), [1, 2, 3, 4]);
    assert.ok(seen.every((p) => p.total === 4 && p.message === undefined), 'the text of a progress notification is not relayed');
  });

  it('refuses the server\'s sampling request at once', async () => {
    const alice = await connect();
    const t0 = Date.now();
    const answer = text(await alice.callTool({ name: 'ask_model', arguments: {} }));
    assert.match(answer, /sampling refused: .*Warden does not relay server-to-client requests/);
    assert.ok(Date.now() - t0 < 10_000, 'the server did not wait for its timeout (30 s)');
  });

  it('restarts the child when it dies, and calls work again', async () => {
    const alice = await connect();
    const before = (JSON.parse(text(await alice.callTool({ name: 'show_env', arguments: {} }))) as { pid: number }).pid;
    const crash = await alice.callTool({ name: 'crash', arguments: {} }).then(() => 0, (error: { code: number }) => error.code);
    assert.equal(crash, -32008);
    const after = await eventually('the restarted child', async () => {
      const r = await alice.callTool({ name: 'show_env', arguments: {} });
      return (JSON.parse(text(r)) as { pid: number }).pid;
    });
    assert.notEqual(after, before);
    assert.match(warden.output(), /MCP stdio server exited/);
  });

  it('quarantines a definition the server announces as changed, without an agent listing', async () => {
    const alice = await connect();
    assert.equal(text(await alice.callTool({ name: 'rug_pull', arguments: {} })), 'changed');
    // Warden lists the tools itself on `notifications/tools/list_changed`; the call is refused from then on.
    const code = await eventually('the changed definition to be quarantined', async () => {
      const c = await alice.callTool({ name: 'notes', arguments: {} }).then(() => 0, (error: { code: number }) => error.code);
      return c === -32003 ? c : undefined;
    });
    assert.equal(code, -32003);
  });
});
