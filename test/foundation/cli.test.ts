/** The `warden` command line as a user meets it: help, version, read-only commands and failed imports. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/run.js';
import { DecisionLog, SqliteDecisionRepository } from '../../src/events/index.js';
import { openDatabase } from '../../src/store/index.js';
import type { DecisionEvent } from '../../src/core/events.js';
import { captureIo } from '../audit/helpers.js';
import { ROOT, tempDir } from '../helpers/warden-process.js';

async function cli(args: string[], cwd = tempDir()): Promise<{ code: number; out: string; err: string }> {
  const { io, out, err } = captureIo(cwd);
  const code = await runCli(args, io);
  return { code, out: out(), err: err() };
}

test('read-only commands on a data directory that does not exist fail clearly and create nothing', async () => {
  const missing = join(tempDir(), 'nonexistent');
  for (const args of [['detections', 'list'], ['decisions', 'query']]) {
    const r = await cli([...args, '--data-dir', missing]);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.err, /no Warden data in `[^`]*nonexistent`/);
    assert.equal(existsSync(missing), false, `${args.join(' ')} created ${missing}`);
  }
});

test('ingest of a file in which no record can be read exits non-zero', async () => {
  const dir = tempDir();
  const file = join(dir, 'garbage.log');
  writeFileSync(file, 'this is not\nan auth log\nat all\n');
  const r = await cli(['ingest', '--format', 'sshd', file, '--data-dir', join(dir, 'data')], dir);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.err, /no record of `[^`]*garbage\.log` could be read as sshd/);
});

test('decisions query prints its next-page cursor where its help says: standard error, stdout stays JSON lines', async () => {
  const dir = tempDir();
  const db = openDatabase(dir);
  const log = new DecisionLog(new SqliteDecisionRepository(db));
  for (let i = 0; i < 3; i++) {
    log.record({ id: `00000000-0000-4000-8000-00000000000${i}`, time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), type: 'decision', requestId: `r${i}`, decisionId: `d${i}`, principal: null, action: 'invoke', resource: { type: 'Model', id: 'm' }, route: 'openai.chat', method: 'POST', path: '/v1/chat/completions', sourceIp: '127.0.0.1', outcome: 'allow', enforced: true, policyIds: [], status: 200, latencyMs: { total: 1 } } as DecisionEvent);
  }
  await log.close();
  db.close();
  const help = await cli(['decisions', 'query', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /standard error/);
  assert.match(help.out, /more: --after SEQ/);
  const page = await cli(['decisions', 'query', '--limit', '2', '--data-dir', dir]);
  assert.equal(page.code, 0, page.err);
  const lines = page.out.trim().split('\n');
  assert.equal(lines.length, 2);
  for (const l of lines) assert.equal((JSON.parse(l) as { type: string }).type, 'decision');
  const cursor = /^more: --after (\d+)$/m.exec(page.err);
  assert.ok(cursor, page.err);
  const next = await cli(['decisions', 'query', '--after', cursor[1]!, '--data-dir', dir]);
  assert.equal(next.out.trim().split('\n').length, 1);
  assert.equal(next.err, '');
});

test('a command group alone, COMMAND --help and --version print and exit 0', async () => {
  const group = await cli(['keys']);
  assert.equal(group.code, 0, group.err);
  assert.match(group.out, /keys create/);
  assert.match(group.out, /keys revoke/);
  for (const args of [['keys', 'create', '--help'], ['start', '--help'], ['audit', 'verify', '-h'], ['keys', '--help']]) {
    const r = await cli(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
    assert.match(r.out, /usage: warden/, args.join(' '));
  }
  const wrong = await cli(['keys', 'frobnicate']);
  assert.equal(wrong.code, 2);
  const version = await cli(['--version']);
  assert.equal(version.code, 0);
  assert.equal(version.out.trim(), `warden ${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}`);
});
