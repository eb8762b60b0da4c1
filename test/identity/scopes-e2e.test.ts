/**
 * Finding 2 over real HTTP: a `chat`-scoped key reaches chat only: not /admin/keys (so it cannot mint a
 * `*` key), not /v1/embeddings, not the generic routes; keys minted by a scoped key stay within it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { demoConfig } from '../../src/config/demo.js';
import { runCli, startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

let warden: WardenProcess;
const keys: Record<string, string> = {};

async function newKey(dataDir: string, principal: string, scopes: string[]): Promise<string> {
  const result = await runCli(['keys', 'create', '--principal', principal, ...scopes.flatMap((s) => ['--scope', s]), '--data-dir', dataDir]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trim().split('\n').at(-1)!;
}

before(async () => {
  const dir = tempDir();
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  keys.chat = await newKey(dataDir, 'carol', ['chat']);
  keys.aliceChat = await newKey(dataDir, 'alice', ['chat']);
  keys.aliceAll = await newKey(dataDir, 'alice', ['*']);
  keys.aliceOneModel = await newKey(dataDir, 'alice', ['chat:demo-chat']);
  keys.keysAdmin = await newKey(dataDir, 'carol', ['admin:keys', 'chat:demo-chat']);
  warden = await startWarden({ ...demoConfig, demo: { upstream: true } }, { dir });
});

after(async () => warden?.stop());

const post = (path: string, key: string, body: unknown) =>
  fetch(`${warden.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('a chat-scoped admin key cannot reach /admin/keys nor mint a `*` key', async () => {
  const list = await fetch(`${warden.url}/admin/keys`, { headers: { authorization: `Bearer ${keys.chat}` } });
  assert.equal(list.status, 403);
  assert.equal(((await list.json()) as { error: { code: string } }).error.code, 'insufficient_scope');
  const mint = await post('/admin/keys', keys.chat!, { principal: 'carol', scopes: ['*'] });
  assert.equal(mint.status, 403);
  await mint.arrayBuffer();
});

test('a chat-scoped key reaches chat but not embeddings nor the dataset routes', async () => {
  const chat = await post('/v1/chat/completions', keys.aliceChat!, { model: 'demo-chat', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(chat.status, 200);
  await chat.arrayBuffer();
  const embed = await post('/v1/embeddings', keys.aliceChat!, { model: 'demo-embed', input: 'hi' });
  assert.equal(embed.status, 403);
  assert.match(embed.headers.get('www-authenticate') ?? '', /error="insufficient_scope", scope="embeddings:demo-embed"/);
  await embed.arrayBuffer();
  // The same principal with an unscoped key may embed: the refusal is the scope, not the policy.
  const control = await post('/v1/embeddings', keys.aliceAll!, { model: 'demo-embed', input: 'hi' });
  assert.equal(control.status, 200);
  await control.arrayBuffer();
  const read = await fetch(`${warden.url}/datasets/train-set`, { headers: { authorization: `Bearer ${keys.aliceChat}` } });
  assert.equal(read.status, 403);
  await read.arrayBuffer();
  const models = (await (await fetch(`${warden.url}/v1/models`, { headers: { authorization: `Bearer ${keys.aliceOneModel}` } })).json()) as { data: { id: string }[] };
  assert.deepEqual(models.data.map((m) => m.id), ['demo-chat'], 'models the key cannot use are not listed');
  const other = await post('/v1/chat/completions', keys.aliceOneModel!, { model: 'demo-chat-secure', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(other.status, 403);
  await other.arrayBuffer();
});

test('a key with admin:keys mints keys only within its own scopes', async () => {
  const broader = await post('/admin/keys', keys.keysAdmin!, { principal: 'carol', scopes: ['*'] });
  assert.equal(broader.status, 403);
  await broader.arrayBuffer();
  const unknown = await post('/admin/keys', keys.keysAdmin!, { principal: 'carol', scopes: ['everything'] });
  assert.equal(unknown.status, 403, 'an unknown scope is not within any scope');
  await unknown.arrayBuffer();
  const within = await post('/admin/keys', keys.keysAdmin!, { principal: 'carol', scopes: ['chat:demo-chat'] });
  assert.equal(within.status, 201);
  assert.deepEqual(((await within.json()) as { scopes: string[] }).scopes, ['chat:demo-chat']);
  const inherited = await post('/admin/keys', keys.keysAdmin!, { principal: 'carol' });
  assert.equal(inherited.status, 201);
  assert.deepEqual(((await inherited.json()) as { scopes: string[] }).scopes.sort(), ['admin:keys', 'chat:demo-chat']);
});
