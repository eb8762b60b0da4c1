/** Unit tests of the answer-side building blocks: SSE framing in every line ending, and the answer field walker. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseSplitter, SseTooLargeError, parseEvent, formatEvent } from '../../src/gateway/sse.js';
import { AnswerTooDeepError, MAX_ANSWER_DEPTH, isStreamedText, patchFor, textFields } from '../../src/gateway/answer-fields.js';
import { bestCpuMs } from '../helpers/cpu-time.js';

test('SSE events are cut the same way for LF, CRLF and CR-only line endings, also across chunk edges', () => {
  for (const eol of ['\n', '\r\n', '\r']) {
    const stream = `data: {"a":1}${eol}${eol}: ping${eol}${eol}event: e${eol}data: 1${eol}data: 2${eol}${eol}data: [DONE]${eol}${eol}`;
    // Every two-way split, so a CR and its LF can arrive in different chunks.
    for (let cut = 0; cut <= stream.length; cut += 1) {
      const s = new SseSplitter(1 << 10);
      const events = [...s.push(Buffer.from(stream.slice(0, cut))), ...s.push(Buffer.from(stream.slice(cut)))];
      assert.equal(s.end(), undefined);
      assert.deepEqual(events, ['data: {"a":1}', ': ping', 'event: e\ndata: 1\ndata: 2', 'data: [DONE]'], JSON.stringify({ eol, cut }));
    }
  }
});

test('an unterminated last event is returned by end(); an event longer than the limit throws', () => {
  const s = new SseSplitter(64);
  assert.deepEqual(s.push(Buffer.from('data: x')), []);
  assert.equal(s.end(), 'data: x');
  assert.throws(() => new SseSplitter(64).push(Buffer.from(`data: ${'y'.repeat(100)}`)), SseTooLargeError);
});

test('parseEvent joins data lines and ignores comments; formatEvent keeps only a plain event name', () => {
  assert.deepEqual(parseEvent('event: e\n: note\ndata: 1\ndata:2\nid: 7'), { event: 'e', data: '1\n2' });
  assert.deepEqual(parseEvent(': keep-alive'), {});
  assert.equal(formatEvent('{}', 'response.delta'), 'event: response.delta\ndata: {}\n\n');
  assert.equal(formatEvent('{}', 'bad name\ndata: x'), 'data: {}\n\n');
});

test('textFields finds every string, names streamed fields by their index, and sets in place', () => {
  const payload = { id: 'c', choices: [{ index: 2, delta: { refusal: 'r', tool_calls: [{ index: 1, type: 'function', function: { arguments: 'a' } }] } }], extra: ['s'] };
  const fields = textFields(payload);
  assert.deepEqual(fields.map((f) => f.key), ['id', 'choices.[2].delta.refusal', 'choices.[2].delta.tool_calls.[1].type', 'choices.[2].delta.tool_calls.[1].function.arguments', 'extra.[0]']);
  assert.deepEqual(fields.filter(isStreamedText).map((f) => f.value), ['r', 'a']);
  fields.forEach((f) => f.set(f.value.toUpperCase()));
  assert.equal(payload.choices[0]!.delta.tool_calls[0]!.function.arguments, 'A');
  assert.equal(payload.extra[0], 'S');
  assert.deepEqual(patchFor(fields.find((f) => f.value === 'a')!.path, 'tail'), { choices: [{ index: 2, delta: { tool_calls: [{ index: 1, type: 'function', function: { arguments: 'tail' } }] } }] });
});

test('an answer nested deeper than the limit cannot be inspected', () => {
  let deep: unknown = 'x';
  for (let i = 0; i <= MAX_ANSWER_DEPTH + 1; i++) deep = [deep];
  assert.throws(() => textFields(deep), AnswerTooDeepError);
});

test('cutting events costs time linear in the stream: a long event in tiny chunks is not rescanned per chunk', () => {
  // A ratio of CPU times, not a ceiling (best of three runs each, test/helpers/cpu-time.ts): a splitter that rescans or re-joins the
  // pending text on every chunk is quadratic (a first version took 31 s for 16k chunks); linear is ~8x here.
  const cost = (chunks: number): number =>
    bestCpuMs(3, () => {
      const s = new SseSplitter(1 << 24);
      const piece = Buffer.from('x'.repeat(16));
      s.push(Buffer.from('data: '));
      for (let i = 0; i < chunks; i++) s.push(piece);
      s.push(Buffer.from('\n\n'));
    });
  cost(4_000);
  const ratio = cost(128_000) / cost(16_000);
  assert.ok(ratio < 32, `8x the chunks took ${ratio.toFixed(1)}x the time (linear ~8, quadratic ~64)`);
});
