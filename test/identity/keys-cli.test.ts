/** Finding 11 (keys): `keys create --expires` in the past is refused; `keys list` shows scopes and expiry. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, tempDir } from '../helpers/warden-process.js';

test('keys create refuses an expiry in the past and an unknown scope', async () => {
  const dir = tempDir();
  const past = await runCli(['keys', 'create', '--principal', 'alice', '--expires', '2020-01-01T00:00:00Z', '--data-dir', dir]);
  assert.equal(past.code, 2);
  assert.match(past.stderr, /in the past/);
  assert.doesNotMatch(past.stdout, /wdn_/);
  const unknown = await runCli(['keys', 'create', '--principal', 'alice', '--scope', 'everything', '--data-dir', dir]);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /unknown scope `everything`/);
  const listed = await runCli(['keys', 'list', '--json', '--data-dir', dir]);
  assert.equal(listed.stdout.trim(), '', 'no key was made');
});

test('keys list shows scopes and expiry columns', async () => {
  const dir = tempDir();
  assert.equal((await runCli(['keys', 'create', '--principal', 'alice', '--scope', 'chat', '--scope', 'embeddings:e', '--expires', '2099-01-01T00:00:00Z', '--data-dir', dir])).code, 0);
  assert.equal((await runCli(['keys', 'create', '--principal', 'bob', '--data-dir', dir])).code, 0);
  const out = (await runCli(['keys', 'list', '--data-dir', dir])).stdout.split('\n');
  assert.match(out[0]!, /SCOPES\s+EXPIRES/);
  const alice = out.find((l) => l.includes('alice'))!;
  assert.match(alice, /chat,embeddings:e\s+2099-01-01T00:00:00\.000Z/);
  assert.match(out.find((l) => l.includes('bob'))!, /\*\s+never/);
});
