/** The replay's request mapping (the decision table's aggregates are in test/store/decisions.test.ts, on both backends). */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { DecisionEvent } from '../../src/core/events.js';
import { configuredAttributes, requestOf } from '../../src/console/replay.js';

function decision(minutesAgo: number, over: Partial<DecisionEvent> = {}): DecisionEvent {
  return {
    type: 'decision', id: randomUUID(), time: new Date(Date.now() - minutesAgo * 60_000).toISOString(), requestId: randomUUID(), decisionId: randomUUID(),
    principal: { type: 'User', id: 'alice' }, action: 'invoke', resource: { type: 'Model', id: 'chat' }, route: 'openai.chat', method: 'POST', path: '/v1/chat/completions',
    sourceIp: '10.0.0.1', outcome: 'allow', enforced: true, policyIds: [], status: 200, latencyMs: { total: 1 }, risk: 5, ...over,
  };
}

test('a recorded decision becomes the request it describes, with configured and integrity attributes', () => {
  const configured = configuredAttributes({ models: [{ id: 'chat', sensitivity: 'internal', owner: 'ml' }] as never, routes: [] });
  const assets = { attributes: (type: string) => (type === 'Model' ? { verified: true } : undefined) };
  const request = requestOf(decision(1, { authMethod: 'jwt', device: { id: 'laptop-1' }, model: 'chat', delegation: { actor: { type: 'Agent', id: 'bot' }, onBehalfOf: { type: 'User', id: 'alice' } } }), { configured, assets });
  assert.deepEqual(request, {
    principal: { type: 'User', id: 'alice' },
    action: 'invoke',
    resource: { type: 'Model', id: 'chat', attributes: { sensitivity: 'internal', owner: 'ml', verified: true } },
    context: { sourceIp: '10.0.0.1', authentication: { method: 'jwt', mfa: false }, deviceId: 'laptop-1', onBehalfOf: 'alice', model: 'chat' },
  });
  const unknown = requestOf(decision(1, { authMethod: 'weird', resource: { type: 'Dataset', id: 'x' } }), { configured, assets });
  assert.equal(unknown.context.authentication!.method, 'none');
  assert.equal(unknown.resource.attributes, undefined);
});
