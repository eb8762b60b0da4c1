/**
 * Issue 10 finding 11 (answer side), end to end through Warden and the built-in demo upstream: embeddings
 * in the SDKs' default encoding (base64 float32) come back as the real vector, and every answer shape
 * (chat, streamed chat, completions, embeddings) names the model the client asked for, not the upstream's
 * internal name.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoUpstream, type DemoUpstream } from '../../src/demo/upstream.js';
import type { WardenProcess } from '../helpers/warden-process.js';
import { startAllowAllWarden } from './allow-all.js';

const SECRET = 'sk-demo-upstream-key-for-answers';
let demo: DemoUpstream;
let warden: WardenProcess;
let key: string;

before(async () => {
  demo = await startDemoUpstream({ apiKey: SECRET });
  ({ warden, key } = await startAllowAllWarden({
    upstreams: [{ name: 'demo', baseUrl: `${demo.url}/v1`, apiKey: SECRET }],
    models: [
      { id: 'team-chat', upstream: 'demo', upstreamModel: 'internal-chat-v9', sensitivity: 'internal' },
      { id: 'team-embed', upstream: 'demo', upstreamModel: 'internal-embed-v2', sensitivity: 'internal' },
    ],
  }));
});

after(async () => {
  await warden?.stop();
  await demo?.close();
});

function post(path: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${warden.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

test('base64 embeddings (the SDK default) decode to the same vector as float embeddings', async () => {
  const floats = (await (await post('/v1/embeddings', { model: 'team-embed', input: 'hello' })).json()) as { data: { embedding: number[] }[] };
  const res = await post('/v1/embeddings', { model: 'team-embed', input: 'hello', encoding_format: 'base64' });
  assert.equal(res.status, 200);
  const b64 = (await res.json()) as { data: { embedding: string }[] };
  assert.equal(typeof b64.data[0]!.embedding, 'string');
  const bytes = Buffer.from(b64.data[0]!.embedding, 'base64');
  const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
  const expected = floats.data[0]!.embedding;
  assert.equal(decoded.length, expected.length);
  assert.ok(decoded.some((v) => v !== 0), 'not a zero vector');
  decoded.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-6, `component ${i}: ${v} vs ${expected[i]}`));
});

test('every answer shape names the requested model, not the upstream one', async () => {
  const messages = [{ role: 'user', content: 'hello there' }];
  const chat = await (await post('/v1/chat/completions', { model: 'team-chat', messages })).text();
  const streamed = await (await post('/v1/chat/completions', { model: 'team-chat', messages, stream: true })).text();
  const completion = await (await post('/v1/completions', { model: 'team-chat', prompt: 'hello there' })).text();
  const completionStream = await (await post('/v1/completions', { model: 'team-chat', prompt: 'hello there', stream: true })).text();
  const embedding = await (await post('/v1/embeddings', { model: 'team-embed', input: 'hello' })).text();
  for (const [name, text, model] of [['chat', chat, 'team-chat'], ['streamed chat', streamed, 'team-chat'], ['completion', completion, 'team-chat'], ['streamed completion', completionStream, 'team-chat'], ['embedding', embedding, 'team-embed']] as const) {
    assert.ok(!text.includes('internal-'), `${name} leaks the upstream model name: ${text.slice(0, 200)}`);
    assert.match(text, new RegExp(`"model":"${model}"`), name);
  }
  assert.match(streamed, /Warden/);
  assert.match(streamed, /\[DONE\]/);
});
