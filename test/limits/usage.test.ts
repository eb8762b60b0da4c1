/** Token usage read from answers (JSON and a stream's final chunk) and what a token budget is charged. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usageOf } from '../../src/gateway/usage.js';
import { answerRelay } from '../../src/gateway/output-guard.js';
import { tokensUsed } from '../../src/gateway/limit-gate.js';
import type { AnswerUsage } from '../../src/gateway/usage.js';

test('only plausible counts are believed', () => {
  assert.deepEqual(usageOf({ usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } }), { promptTokens: 3, completionTokens: 4 });
  assert.deepEqual(usageOf({ usage: { prompt_tokens: 12 } }), { promptTokens: 12 });
  for (const usage of [null, 'x', [], { prompt_tokens: -1 }, { prompt_tokens: 1.5 }, { prompt_tokens: 1e12 }, { prompt_tokens: '5' }, {}]) assert.equal(usageOf({ usage }), undefined, JSON.stringify(usage));
  assert.equal(usageOf(null), undefined);
});

test("a stream's final usage chunk reaches the budget, whatever the line endings and chunking", () => {
  const seen: AnswerUsage[] = [];
  const relay = answerRelay({ maxEventBytes: 1 << 20, onUsage: (u) => seen.push(u) }, 'sse', { findings: [] });
  const stream = 'data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\r\n\r\ndata: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2}}\r\n\r\ndata: [DONE]\r\n\r\n';
  let out = '';
  // Split mid-event: usage arrives in pieces.
  for (let i = 0; i < stream.length; i += 7) out += String(relay.transform!(Buffer.from(stream.slice(i, i + 7))).data);
  out += String(relay.flush!().data);
  assert.deepEqual(seen, [{ promptTokens: 5, completionTokens: 2 }]);
  // The client receives the usage chunk too.
  assert.match(out, /"usage":\{"prompt_tokens":5,"completion_tokens":2\}/);
});

test('a budget is charged the reported usage, else an estimate from the bytes (never nothing)', () => {
  assert.equal(tokensUsed({ promptTokens: 30, completionTokens: 12, requestBytes: 9000, responseBytes: 9000 }), 42);
  assert.equal(tokensUsed({ completionTokens: 12 }), 12);
  assert.equal(tokensUsed({ requestBytes: 401, responseBytes: 800 }), 301);
  assert.equal(tokensUsed({}), 0);
});
