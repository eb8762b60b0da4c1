/**
 * Issue 10 finding 5, end to end: an upstream's failure reaches the client as Warden's own error (502/504
 * with a code, the upstream status as a number, at most a short scrubbed message), never as the upstream's
 * response: no echoed credential, no upstream headers beyond an allow-list, no redirect, and an upstream
 * 401 does not look like the client's own credential failing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { scrubCredentials } from '../../src/gateway/upstream-error.js';
import { startScriptedUpstream, type ScriptedUpstream } from './scripted-upstream.js';
import type { WardenProcess } from '../helpers/warden-process.js';
import { startAllowAllWarden } from './allow-all.js';

const SECRET = 'sk-hostile-upstream-key-7f3a9c';
let upstream: ScriptedUpstream;
let warden: WardenProcess;
let key: string;

before(async () => {
  upstream = await startScriptedUpstream();
  ({ warden, key } = await startAllowAllWarden({
    upstreams: [{ name: 'hostile', baseUrl: `${upstream.url}/v1`, apiKey: SECRET }],
    models: [{ id: 'chat', upstream: 'hostile', sensitivity: 'internal' }],
    routes: [{ name: 'store', methods: ['GET'], path: '/store/:id', action: 'read', resource: { type: 'Dataset', id: '{id}', attributes: { sensitivity: 'internal', owner: 'data' } }, upstream: 'hostile', upstreamPath: '/store/{id}' }],
    // Nothing inspects answers here: upstream failures must be mapped without the guard's help.
    guard: { enabled: false },
  }));
});

after(async () => {
  await warden?.stop();
  await upstream?.close();
});

interface Answer {
  status: number;
  text: string;
  headers: Headers;
  error: { code: string; message: string; upstreamStatus?: number; upstreamMessage?: string; retryAfter?: number };
}

async function ask(scenario: string, stream = false): Promise<Answer> {
  const res = await fetch(`${warden.url}/v1/chat/completions`, {
    method: 'POST',
    redirect: 'manual',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'chat', scenario, stream, messages: [{ role: 'user', content: 'hello' }] }),
  });
  const text = await res.text();
  let error = { code: '', message: '' };
  try {
    error = (JSON.parse(text) as { error: Answer['error'] }).error ?? error;
  } catch {
    // A stream: no JSON body.
  }
  return { status: res.status, text, headers: res.headers, error };
}

function assertNoUpstreamLeak(r: Answer): void {
  assert.ok(!r.text.includes(SECRET), 'the upstream key is never relayed');
  assert.ok(!r.text.includes('sk-hosti'), 'not even a masked part of it');
  for (const name of ['location', 'set-cookie', 'x-upstream-host', 'openai-organization', 'server-timing']) assert.equal(r.headers.get(name), null, name);
}

test('an upstream 500 that echoes the request headers becomes a 502 without the upstream key or headers', async () => {
  upstream.scenarios.set('echo-500', ({ headers }) => ({
    status: 500,
    headers: { 'content-type': 'application/json', 'set-cookie': 'sid=1', 'x-upstream-host': 'gpu-7.internal', 'server-timing': 'db;dur=5' },
    chunks: [JSON.stringify({ error: { message: `internal error while handling authorization: ${headers.authorization}`, request_headers: headers } })],
  }));
  const r = await ask('echo-500');
  assert.equal(r.status, 502);
  assert.equal(r.error.code, 'upstream_error');
  assert.equal(r.error.upstreamStatus, 500);
  assert.match(r.error.upstreamMessage ?? '', /^internal error while handling/);
  assertNoUpstreamLeak(r);
});

test("an upstream 401 is Warden's credential failing: 502 upstream_auth_failed, not a 401, no masked key", async () => {
  upstream.scenarios.set('auth-401', {
    status: 401,
    headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="upstream"' },
    chunks: [JSON.stringify({ error: { message: 'Incorrect API key provided: sk-hosti****7f3a9c. You can find your API key at https://platform.openai.com/account/api-keys.', type: 'invalid_request_error', code: 'invalid_api_key' } })],
  });
  const r = await ask('auth-401');
  assert.equal(r.status, 502);
  assert.equal(r.error.code, 'upstream_auth_failed');
  assert.equal(r.headers.get('www-authenticate'), null, 'no challenge: the client has nothing to fix');
  assert.ok(!r.text.includes('invalid_api_key') && !r.text.includes('7f3a9c'));
  assertNoUpstreamLeak(r);
});

test('an upstream redirect is neither followed nor relayed (LLM and generic routes)', async () => {
  upstream.scenarios.set('moved', { status: 302, headers: { location: `${upstream.url}/v1/steal`, 'content-type': 'text/plain' }, chunks: ['see elsewhere'] });
  const before = upstream.received.length;
  const r = await ask('moved');
  assert.equal(r.status, 502);
  assert.equal(r.error.code, 'upstream_error');
  assert.equal(r.error.upstreamStatus, 302);
  assertNoUpstreamLeak(r);
  const generic = await fetch(`${warden.url}/store/moved`, { redirect: 'manual', headers: { authorization: `Bearer ${key}` } });
  assert.equal(generic.status, 502);
  assert.equal(generic.headers.get('location'), null);
  assert.equal(((await generic.json()) as { error: { code: string } }).error.code, 'upstream_error');
  assert.equal(upstream.received.length, before + 2, 'the redirect target was never requested');
  assert.ok(upstream.received.every((r) => !r.path.endsWith('/steal')));
});

test('an upstream 4xx is upstream_rejected with a short scrubbed message; a 429 keeps its retry hint', async () => {
  upstream.scenarios.set('bad-400', { status: 400, chunks: [JSON.stringify({ error: { message: 'Invalid value for temperature: 7 is above 2 (request by Bearer sk-abcdef0123456789 for alice@example.com)' } })] });
  const r = await ask('bad-400');
  assert.equal(r.status, 400);
  assert.equal(r.error.code, 'upstream_rejected');
  assert.equal(r.error.upstreamStatus, 400);
  assert.match(r.error.upstreamMessage ?? '', /^Invalid value for temperature/);
  assert.ok(!r.text.includes('sk-abcdef') && !r.text.includes('alice@example.com'), r.text);
  upstream.scenarios.set('busy-429', { status: 429, headers: { 'content-type': 'application/json', 'retry-after': '7' }, chunks: ['{"error":{"message":"slow down"}}'] });
  const busy = await ask('busy-429');
  assert.equal(busy.status, 429);
  assert.equal(busy.error.code, 'rate_limited');
  assert.equal(busy.error.retryAfter, 7);
});

test('a successful answer carries only allow-listed upstream headers', async () => {
  upstream.scenarios.set('headers-200', {
    headers: { 'content-type': 'application/json', 'set-cookie': 'sid=1', 'x-upstream-host': 'gpu-7.internal', 'openai-organization': 'org-internal', location: '/x', 'x-ratelimit-remaining-requests': '99' },
    chunks: [JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: 'hello' } }] })],
  });
  const r = await ask('headers-200');
  assert.equal(r.status, 200);
  assertNoUpstreamLeak(r);
  assert.equal(r.headers.get('x-ratelimit-remaining-requests'), '99');
});

test("an error event inside an upstream stream is replaced by Warden's own error event", async () => {
  upstream.scenarios.set('stream-error', {
    headers: { 'content-type': 'text/event-stream' },
    chunks: [`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'Hello. ' } }] })}\n\n`, `data: ${JSON.stringify({ error: { message: `upstream exploded with key ${SECRET}` } })}\n\n`],
  });
  const r = await ask('stream-error', true);
  assert.equal(r.status, 200);
  assert.match(r.text, /"code":"upstream_unavailable"/);
  assert.ok(!r.text.includes('exploded'));
  assertNoUpstreamLeak(r);
});

test('scrubCredentials keeps prose and removes anything credential-shaped', () => {
  assert.equal(scrubCredentials('The model `gpt-x` does not exist'), 'The model `gpt-x` does not exist');
  assert.equal(scrubCredentials('Incorrect API key provided: sk-proj-****abcd. See https://x.test/keys.'), 'Incorrect API key provided: [redacted] See [redacted]');
  assert.equal(scrubCredentials('authorization: Bearer abc'), 'authorization: [redacted]');
  assert.equal(scrubCredentials('token=hunter2 rejected'), '[redacted] rejected');
  assert.equal(scrubCredentials('line\u001b[31m break\r\nx-evil: 1'), 'line [31m break x-evil: 1');
});
