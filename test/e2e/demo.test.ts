/**
 * The README's promise: with no configuration, `warden start` runs the embedded demo and prints
 * ready-to-paste commands for an allowed, a denied and a step-up request. This runs those commands.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, TSX, tempDir } from '../helpers/warden-process.js';

let child: ChildProcess;
let banner = '';

before(async () => {
  const dir = tempDir();
  child = spawn(process.execPath, ['--import', TSX, CLI, 'start', '--port', '0', '--data-dir', `${dir}/data`], { cwd: dir, env: { ...process.env, WARDEN_LOG_LEVEL: 'warn' } });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      banner += d.toString();
      if (banner.includes('Recent decisions')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${banner}`)));
  });
});

after(() => child?.kill('SIGTERM'));

/** Runs one printed curl command through fetch: URL, headers and JSON body as printed. */
async function runPrinted(label: string): Promise<Response> {
  const lines = banner.split('\n');
  const command = lines[lines.findIndex((l) => l.startsWith(label)) + 1]!.trim();
  const url = /curl -sN? '?([^\s']+)/.exec(command)![1]!;
  const headers = Object.fromEntries([...command.matchAll(/-H "([^:]+): ([^"]+)"|-H '([^:]+): ([^']+)'/g)].map((m) => [m[1] ?? m[3], m[2] ?? m[4]]));
  const body = /-d '([^']+)'/.exec(command)?.[1];
  return fetch(url, { method: body ? 'POST' : 'GET', headers, ...(body ? { body } : {}) });
}

test('the printed allowed request succeeds through the demo upstream', async () => {
  const res = await runPrinted('Allowed');
  assert.equal(res.status, 200);
  assert.match(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content, /Warden/);
});

test('the printed denied request is refused with 403', async () => {
  assert.equal((await runPrinted('Denied')).status, 403);
});

test('the printed step-up request gets 401 with an RFC 9470 challenge', async () => {
  const res = await runPrinted('Step-up');
  assert.equal(res.status, 401);
  assert.match(res.headers.get('www-authenticate')!, /insufficient_user_authentication/);
});

test('the printed streaming request streams SSE and the admin request lists decisions', async () => {
  const stream = await runPrinted('Streaming');
  assert.match(await stream.text(), /data: \[DONE\]/);
  const decisions = await runPrinted('Recent decisions');
  assert.equal(decisions.status, 200);
  assert.ok(((await decisions.json()) as { items: unknown[] }).items.length >= 3);
});
