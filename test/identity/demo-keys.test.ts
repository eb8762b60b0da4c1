/**
 * Finding 7: demo keys are random per data directory, stored, and the stored ones are printed at every
 * start, so they keep working after a restart; the demo refuses a non-loopback address unless asked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { configSchema } from '../../src/config/schema.js';
import { demoExposureProblem, isLoopbackHost } from '../../src/config/demo.js';
import { openDatabase } from '../../src/store/index.js';
import { CLI, TSX, runCli, tempDir } from '../helpers/warden-process.js';
import { sqliteKeyStore } from '../helpers/key-store.js';

test('a demo key survives a restart of the store and differs between data directories', async () => {
  const dir = tempDir();
  const first = await sqliteKeyStore(openDatabase(dir));
  const key = await first.demoKey({ principal: 'alice', name: 'demo-alice' });
  assert.equal(first.verify(key).principal, 'alice');
  const restarted = await sqliteKeyStore(openDatabase(dir));
  assert.equal(await restarted.demoKey({ principal: 'alice', name: 'demo-alice' }), key, 'the stored key is printed again');
  assert.equal(restarted.verify(key).principal, 'alice', 'and it still works');
  assert.equal((await restarted.list('alice')).length, 1, 'no second key is made');
  const elsewhere = await (await sqliteKeyStore(openDatabase(tempDir()))).demoKey({ principal: 'alice', name: 'demo-alice' });
  assert.notEqual(elsewhere, key, 'another installation has another key');
  assert.notEqual(elsewhere.split('_')[1], key.split('_')[1], 'the key id is not derived from the name either');
});

test('a demo key removed from the key table is replaced by a new working one', async () => {
  const dir = tempDir();
  const db = openDatabase(dir);
  const store = await sqliteKeyStore(db);
  const key = await store.demoKey({ principal: 'bob', name: 'demo-bob' });
  db.prepare('DELETE FROM api_keys').run();
  const again = await sqliteKeyStore(openDatabase(dir));
  const replaced = await again.demoKey({ principal: 'bob', name: 'demo-bob' });
  assert.notEqual(replaced, key);
  assert.equal(again.verify(replaced).principal, 'bob');
});

test('new keys are uniformly drawn: every base62 secret character and base36 id character appears', async () => {
  const store = await sqliteKeyStore(openDatabase(tempDir()));
  const ids = new Set<string>();
  const secrets = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const [, id, secret] = (await store.create({ principal: 'p' })).key.split('_');
    for (const c of id!) ids.add(c);
    for (const c of secret!) secrets.add(c);
  }
  assert.equal(ids.size, 36);
  assert.equal(secrets.size, 62);
});

test('the demo is refused on a non-loopback address unless explicitly allowed', async () => {
  for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(host), host);
  for (const host of ['0.0.0.0', '::', '10.0.0.5', 'example.com', '128.0.0.1']) assert.ok(!isLoopbackHost(host), host);
  const demo = (extra: Record<string, unknown>) => configSchema.parse({ demo: { apiKeys: [{ principal: 'a', name: 'n' }] }, ...extra });
  assert.match(demoExposureProblem(demo({ server: { host: '0.0.0.0' } }), '/etc/warden.yaml') ?? '', /not a loopback address/);
  assert.match(demoExposureProblem(configSchema.parse({ server: { host: '0.0.0.0' } }), undefined) ?? '', /not a loopback/, 'the embedded demo');
  assert.equal(demoExposureProblem(demo({ server: { host: '0.0.0.0' }, demo: { apiKeys: [{ principal: 'a', name: 'n' }], allowNonLoopback: true } }), 'f'), undefined);
  assert.equal(demoExposureProblem(configSchema.parse({ server: { host: '0.0.0.0' } }), '/etc/warden.yaml'), undefined, 'an own configuration may listen anywhere');
});

test('`warden start --host 0.0.0.0` with the embedded demo exits non-zero with the reason', async () => {
  const dir = tempDir();
  const child = spawn(process.execPath, ['--import', TSX, CLI, 'start', '--host', '0.0.0.0', '--port', '0', '--data-dir', `${dir}/data`], { cwd: dir, env: { ...process.env, WARDEN_LOG_LEVEL: 'warn' } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 1);
  assert.match(stderr, /not a loopback address.*--allow-remote-demo/s);
});

test('the CLI lists a demo key like any other (hash only)', async () => {
  const dir = tempDir();
  const store = await sqliteKeyStore(openDatabase(dir));
  const key = await store.demoKey({ principal: 'carol', name: 'demo-carol' });
  const listed = await runCli(['keys', 'list', '--json', '--data-dir', dir]);
  assert.ok(listed.stdout.includes('"principal":"carol"'));
  assert.ok(!listed.stdout.includes(key.split('_')[2]!));
});
