/** A tool call's decision event as the SIEM sees it (OCSF API Activity) and as the risk engine reads it (a resource per tool). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DecisionEvent } from '../../src/core/events.js';
import { defaultFormatContext, toOcsf } from '../../src/export/formats/index.js';
import { fromDecision } from '../../src/risk/normalize.js';
import { validateOcsf } from '../export/ocsf-validator.js';

const event: DecisionEvent = {
  id: '0193a0c4-0000-7000-8000-000000000001',
  time: '2026-12-07T03:00:00.000Z',
  type: 'decision',
  requestId: 'r-1',
  decisionId: 'd-1',
  principal: { type: 'Agent', id: 'support-bot', groups: ['agents'] },
  delegation: { actor: { type: 'Agent', id: 'support-bot', groups: ['agents'] }, onBehalfOf: { type: 'User', id: 'alice' } },
  action: 'call_tool',
  resource: { type: 'Warden::Tool', id: 'demo-tools/delete_ticket' },
  route: 'mcp.demo-tools',
  method: 'POST',
  path: '/mcp/demo-tools',
  sourceIp: '127.0.0.1',
  outcome: 'deny',
  enforced: true,
  policyIds: ['mcp-session-untrusted-content'],
  status: 200,
  errorCode: 'mcp_approval_required',
  usage: { requestBytes: 12 },
  latencyMs: { total: 1.2 },
};

test('a tool call exports as OCSF API Activity naming the tool', () => {
  const ocsf = toOcsf({ index: 0, leafHash: '0'.repeat(64), event }, defaultFormatContext('t')) as unknown as Record<string, unknown>;
  assert.equal(ocsf.class_uid, 6003);
  assert.deepEqual(validateOcsf(ocsf as never), []);
  assert.match(JSON.stringify(ocsf), /demo-tools\/delete_ticket/);
});

test('the risk engine reads each tool as its own resource of the acting agent', () => {
  const activity = fromDecision(event, Date.parse(event.time), new Set());
  assert.equal(activity!.resource, 'Warden::Tool:demo-tools/delete_ticket');
  assert.equal(activity!.principal.id, 'support-bot');
  assert.equal(activity!.success, false);
});
