/**
 * The risk engine learns each agent's tool baseline from its MCP decision events: the first call of a tool
 * it never used (once its baseline is learnt), unusual volume of calls, and calls at unusual hours.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WardenEvent } from '../../src/core/events.js';
import { access, DAY, HOUR, T0, testEngine, type TestEngine } from '../risk/helpers.js';

const agent = { type: 'Agent', groups: ['agents'] };

/** A decision on `Warden::Tool::"<server>/<tool>"` (the helper's `Type:id` shorthand cannot hold `::`). */
function call(id: string, t: number, tool: string, bytes = 0): WardenEvent {
  return { ...access(id, t, 'call_tool', 'Tool:x', { ...agent, bytes }), resource: { type: 'Warden::Tool', id: tool } };
}

function feed(te: TestEngine, events: WardenEvent[]): ReturnType<TestEngine['engine']['process']>[number][] {
  const out = [];
  for (const e of events) {
    te.clock.now = Date.parse(e.time);
    out.push(...te.engine.process(e));
  }
  return out;
}

/** Two weeks of an agent calling `search_docs` a few times each working hour. */
function usual(id: string): WardenEvent[] {
  const out: WardenEvent[] = [];
  for (let d = 0; d < 14; d++) {
    const wd = new Date(T0 + d * DAY).getUTCDay();
    if (wd === 0 || wd === 6) continue;
    for (let h = 9; h < 17; h++) for (let i = 0; i < 3; i++) out.push(call(id, T0 + d * DAY + h * HOUR + i * 600_000, 'demo-tools/search_docs', 2000));
  }
  return out;
}

test('an agent calling a tool it never used is reported once, after its baseline is learnt', () => {
  const te = testEngine();
  assert.ok(!feed(te, usual('bot')).some((f) => f.detector === 'risk.tool_first_use'), 'the tool it always uses is not new');
  const at = T0 + 15 * DAY + 10 * HOUR;
  const found = feed(te, [call('bot', at, 'demo-tools/delete_ticket')]);
  const d = found.find((f) => f.detector === 'risk.tool_first_use');
  assert.ok(d, 'first use reported');
  assert.match(d.explanation, /first call of MCP tool `demo-tools\/delete_ticket` by this principal/);
  const again = feed(te, [call('bot', at + 60_000, 'demo-tools/delete_ticket')]);
  assert.ok(!again.some((f) => f.detector === 'risk.tool_first_use'), 'only the first call');
});

test('an agent\'s unusual volume of tool calls and calls at unusual hours are reported', () => {
  const te = testEngine();
  feed(te, usual('bot'));
  const night = T0 + 15 * DAY + 3 * HOUR;
  const burst = Array.from({ length: 150 }, (_, i) => call('bot', night + i * 10_000, 'demo-tools/search_docs', 400_000));
  const found = feed(te, burst);
  assert.ok(found.some((f) => f.detector === 'risk.unusual_hours'), 'unusual hours');
  assert.ok(found.some((f) => f.detector === 'risk.volume'), 'unusual volume');
  assert.ok(te.engine.snapshot({ type: 'Agent', id: 'bot' }).score > 0);
});
