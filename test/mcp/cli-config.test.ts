/** `warden mcp tools list|approve|reject` on a data directory, and the `mcp:` configuration's strictness. */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli/run.js';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { PinRegistry, SqlitePinRepository } from '../../src/mcp/index.js';
import { openDatabase } from '../../src/store/database.js';
import { tempDir } from '../helpers/warden-process.js';

const dir = tempDir();
after(() => rmSync(dir, { recursive: true, force: true }));

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  return { stream: new Writable({ write: (chunk: Buffer, _e, done) => ((text += chunk.toString()), done()) }), text: () => text };
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = capture();
  const err = capture();
  const code = await runCli(args, { stdout: out.stream, stderr: err.stream, env: {}, cwd: dir });
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('warden mcp tools', () => {
  const dataDir = join(dir, 'data');

  it('lists a pending definition and approves it with two approvers', async () => {
    const db = openDatabase(dataDir);
    const pins = new PinRegistry(new SqlitePinRepository(db), { approverRoles: ['tool-approver'], approvalsRequired: 2, trustFirstUse: new Set() });
    const [view] = await pins.observe('tickets', [{ name: 'close_ticket', description: 'Closes a ticket.', inputSchema: { type: 'object' } }]);
    db.close();
    const id = view!.pin.id;
    const listed = await cli(['mcp', 'tools', 'list', '--status', 'pending', '--data-dir', dataDir]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${id}  tickets/close_ticket  pending`));
    const noRole = await cli(['mcp', 'tools', 'approve', id, '--actor', 'mallory', '--data-dir', dataDir]);
    assert.equal(noRole.code, 1);
    assert.match(noRole.stderr, /tool-approver/);
    assert.match((await cli(['mcp', 'tools', 'approve', id, '--actor', 'carol', '--role', 'tool-approver', '--data-dir', dataDir])).stdout, /pending {2}/);
    const second = await cli(['mcp', 'tools', 'approve', id, '--actor', 'dave', '--role', 'tool-approver', '--data-dir', dataDir, '--json']);
    assert.equal((JSON.parse(second.stdout) as { tool: { status: string; approvals: string[] } }).tool.status, 'approved');
  });

  it('rejects with a note and reports an unknown id', async () => {
    const db = openDatabase(dataDir);
    const pins = new PinRegistry(new SqlitePinRepository(db), { approverRoles: ['tool-approver'], approvalsRequired: 2, trustFirstUse: new Set() });
    const [view] = await pins.observe('tickets', [{ name: 'export_all', description: 'Exports everything.', inputSchema: { type: 'object' } }]);
    db.close();
    const rejected = await cli(['mcp', 'tools', 'reject', view!.pin.id, '--actor', 'carol', '--role', 'tool-approver', '--note', 'too broad', '--data-dir', dataDir, '--json']);
    assert.equal((JSON.parse(rejected.stdout) as { tool: { status: string; note: string } }).tool.note, 'too broad');
    const unknown = await cli(['mcp', 'tools', 'approve', 'ffffffffffffffff', '--actor', 'carol', '--role', 'tool-approver', '--data-dir', dataDir]);
    assert.equal(unknown.code, 1);
  });
});

describe('mcp configuration', () => {
  const load = (mcp: unknown) => {
    const file = join(dir, 'warden.yaml');
    writeFileSync(file, stringify({ mcp }));
    return loadConfig({ configFile: file }, {}, dir);
  };

  it('takes servers with defaults', () => {
    const { config } = load({ servers: [{ name: 'tickets', url: 'https://tickets.example/mcp' }] });
    assert.equal(config.mcp.servers[0]!.pinning, 'approve');
    assert.deepEqual(config.mcp.servers[0]!.results, { injection: 'block', secrets: 'redact', pii: 'mark' });
    assert.equal(config.mcp.approvalsRequired, 2);
  });

  it('refuses unknown keys, bad names, bad URLs and duplicate servers with their paths', () => {
    assert.throws(() => load({ servers: [{ name: 'tickets', url: 'https://t.example/mcp', apikey: 'x' }] }), (e: unknown) => e instanceof ConfigError && /mcp\.servers\.0\.apikey/.test(e.message));
    assert.throws(() => load({ servers: [{ name: '../x', url: 'https://t.example/mcp' }] }), (e: unknown) => e instanceof ConfigError && /mcp\.servers\.0\.name/.test(e.message));
    assert.throws(() => load({ servers: [{ name: 'x', url: 'file:///etc/passwd' }] }), (e: unknown) => e instanceof ConfigError && /mcp\.servers\.0\.url/.test(e.message));
    assert.throws(() => load({ servers: [{ name: 'x', url: 'https://a.example/' }, { name: 'x', url: 'https://b.example/' }] }), (e: unknown) => e instanceof ConfigError && /duplicate server name/.test(e.message));
  });
});
