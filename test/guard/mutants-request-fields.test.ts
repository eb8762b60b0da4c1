// Request fields that carry text the model reads, beyond `content`: each must reach the inspector. These
// escaped inspection before (found while checking src/guard/request/extract.ts for the mutation check):
// the Responses API's `function_call` items (arguments at the item's top level), a `function_call_output`
// whose `output` is an array of parts, and the legacy chat `function_call` of an assistant message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractSegments } from '../../src/guard/request/extract.js';
import { inspectRequest, type InjectionDetector } from '../../src/guard/request/inspect.js';
import { guardConfigSchema, resolveRouteOptions } from '../../src/guard/config.js';

const CARD = '4111 1111 1111 1111';
const detectInjection: InjectionDetector = (text) => (text.includes('INJECT') ? { score: 0.97, flagged: true, reasons: ['signature:test'] } : { score: 0.02, flagged: false, reasons: [] });
const route = resolveRouteOptions(guardConfigSchema.parse({}), 'default');

test('Responses API function_call items: the arguments are scanned as assistant history (a document)', () => {
  const body = { input: [{ role: 'user', content: 'go' }, { type: 'function_call', call_id: 'c1', name: 'pay', arguments: `{"card":"${CARD}"}` }] };
  assert.deepEqual(
    extractSegments(body, 64).segments[1],
    { path: ['input', 1, 'arguments'], text: `{"card":"${CARD}"}`, kind: 'document', role: 'assistant', messageIndex: 1 },
    'the arguments segment',
  );
  const r = inspectRequest(body, route, { detectInjection });
  assert.equal((r.body as { input: { arguments?: string }[] }).input[1]!.arguments, '{"card":"[CREDIT_CARD_1]"}', 'the card is redacted in the forwarded body');
  const inj = inspectRequest({ input: [{ type: 'function_call', call_id: 'c1', name: 'f', arguments: 'INJECT' }] }, route, { detectInjection });
  assert.deepEqual(inj.blocked, { code: 'guard_blocked', message: 'injected instructions detected in a assistant message' }, 'an injection there blocks');
  assert.deepEqual(extractSegments({ input: [{ type: 'function_call', arguments: 7 }] }, 64), { segments: [], other: [] }, 'arguments that are not a string are ignored');
});

test('Responses API function_call_output with an array output: text parts scanned, other parts recorded', () => {
  const body = { input: [{ type: 'function_call_output', call_id: 'c1', output: [{ type: 'input_text', text: `card ${CARD}` }, { type: 'input_image', image_url: 'data:x' }] }] };
  const x = extractSegments(body, 64);
  assert.deepEqual(x.segments, [{ path: ['input', 0, 'output', 0, 'text'], text: `card ${CARD}`, kind: 'document', role: 'tool', messageIndex: 0 }], 'the text part, as a tool result');
  assert.deepEqual(x.other, [{ path: ['input', 0, 'output', 1], type: 'input_image', messageIndex: 0 }], 'the image part recorded');
  const r = inspectRequest(body, route, { detectInjection });
  assert.equal((r.body as { input: { output: { text?: string }[] }[] }).input[0]!.output[0]!.text, 'card [CREDIT_CARD_1]', 'redacted in place');
  assert.deepEqual(r.unscanned, [{ path: 'input.0.output.1', type: 'input_image' }], 'unscanned listed');
});

test('legacy chat function_call: the arguments are scanned as history of the message role', () => {
  const body = { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: null, function_call: { name: 'pay', arguments: `{"card":"${CARD}"}` } }] };
  assert.deepEqual(
    extractSegments(body, 64).segments[1],
    { path: ['messages', 1, 'function_call', 'arguments'], text: `{"card":"${CARD}"}`, kind: 'document', role: 'assistant', messageIndex: 1 },
    'the arguments segment',
  );
  const r = inspectRequest(body, route, { detectInjection });
  assert.equal((r.body as { messages: { function_call?: { arguments: string } }[] }).messages[1]!.function_call!.arguments, '{"card":"[CREDIT_CARD_1]"}', 'redacted');
  assert.deepEqual(extractSegments({ messages: [{ role: 'assistant', function_call: null }, { role: 'assistant', function_call: 'x' }] }, 64), { segments: [], other: [] }, 'a function_call that is not an object is ignored');
});

test('a tool result output that is neither text nor parts is recorded, not dropped', () => {
  assert.deepEqual(
    extractSegments({ input: [{ type: 'computer_call_output', call_id: 'c', output: { type: 'computer_screenshot', image_url: 'data:x' } }, { type: 'function_call_output', output: null }] }, 64),
    { segments: [], other: [{ path: ['input', 0, 'output'], type: 'object', messageIndex: 0 }] },
    'object output recorded, null output ignored',
  );
});

test('a refusal field is read only from refusal parts', () => {
  assert.deepEqual(
    extractSegments({ messages: [{ role: 'assistant', content: [{ type: 'image_url', refusal: 'not a refusal part', image_url: { url: 'x' } }] }] }, 64),
    { segments: [], other: [{ path: ['messages', 0, 'content', 0], type: 'image_url', messageIndex: 0 }] },
    'an image part with a refusal field stays an image part',
  );
});
