/** Finding 2: what API key scopes mean (routes, actions, models), as a vocabulary checked without sockets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WardenError } from '../../src/core/errors.js';
import type { Identity } from '../../src/core/types.js';
import { buildContext } from '../../src/policy/context.js';
import { scopeAllows, scopeNotCovered, validateScopes, type ScopeNeed } from '../../src/identity/index.js';

const chat = (model: string): ScopeNeed => ({ kind: 'llm', operation: 'chat', model });
const embed = (model: string): ScopeNeed => ({ kind: 'llm', operation: 'embeddings', model });

test('each scope allows its own routes, actions and models and nothing else', () => {
  const cases: [string[], ScopeNeed, boolean][] = [
    [['*'], { kind: 'admin', area: 'keys' }, true],
    [['chat'], chat('demo-chat'), true],
    [['chat'], embed('demo-embed'), false],
    [['chat'], { kind: 'admin', area: 'keys' }, false],
    [['chat'], { kind: 'route', name: 'datasets', action: 'read' }, false],
    [['chat'], { kind: 'authorize' }, false],
    [['chat:demo-chat'], chat('demo-chat'), true],
    [['chat:demo-chat'], chat('demo-chat-secure'), false],
    [['chat:llama3:8b'], chat('llama3:8b'), true],
    [['chat:llama3'], chat('llama3:8b'), false],
    [['embeddings'], embed('demo-embed'), true],
    [['embeddings'], chat('demo-chat'), false],
    [['routes'], { kind: 'route', name: 'datasets', action: 'write' }, true],
    [['route:datasets'], { kind: 'route', name: 'datasets', action: 'write' }, true],
    [['route:datasets:read'], { kind: 'route', name: 'datasets', action: 'write' }, false],
    [['route:datasets:read'], { kind: 'route', name: 'datasets', action: 'read' }, true],
    [['route:datasets'], { kind: 'route', name: 'vectors', action: 'read' }, false],
    [['admin'], { kind: 'admin', area: 'policies' }, true],
    [['admin:keys'], { kind: 'admin', area: 'keys' }, true],
    [['admin:keys'], { kind: 'admin', area: 'policies' }, false],
    [['authorize'], { kind: 'authorize' }, true],
    [[], chat('demo-chat'), false],
    // Anything outside the vocabulary grants nothing (a stored legacy value, a typo).
    [['Chat'], chat('demo-chat'), false],
    [['chat*'], chat('demo-chat'), false],
  ];
  for (const [scopes, need, expected] of cases) assert.equal(scopeAllows(scopes, need), expected, `${JSON.stringify(scopes)} ${JSON.stringify(need)}`);
});

test('a key is never broader than the key that creates it', () => {
  assert.equal(scopeNotCovered(['chat'], ['*']), '*');
  assert.equal(scopeNotCovered(['chat'], ['embeddings']), 'embeddings');
  assert.equal(scopeNotCovered(['chat'], ['chat:demo-chat']), undefined);
  assert.equal(scopeNotCovered(['chat:demo-chat'], ['chat']), 'chat');
  assert.equal(scopeNotCovered(['admin:keys', 'chat'], ['chat', 'admin:keys']), undefined);
  assert.equal(scopeNotCovered(['admin:keys'], ['admin']), 'admin');
  assert.equal(scopeNotCovered(['route:datasets:read'], ['route:datasets']), 'route:datasets');
  assert.equal(scopeNotCovered(['*'], ['routes', 'authorize']), undefined);
});

test('unknown scopes are refused when a key is created', () => {
  for (const bad of ['', 'chat:', 'route', 'route:a:b:c', 'admin:', 'write', 'chat:*', 'CHAT']) {
    assert.throws(() => validateScopes([bad]), (e) => e instanceof WardenError && e.code === 'bad_request', bad);
  }
  validateScopes(['*', 'chat', 'chat:org/model', 'embeddings:e', 'routes', 'route:datasets:read', 'admin', 'admin:keys', 'authorize']);
});

test('policies see the credential\'s scopes in context.authn.scopes', () => {
  const identity: Identity = { principal: { kind: 'User', id: 'alice', attributes: {}, groups: [], roles: [] }, authentication: { method: 'apikey', strength: 1, mfa: false, scopes: ['chat:demo-chat'] } };
  const context = buildContext({ now: new Date(), sourceIp: '127.0.0.1', identity, risk: { score: 0, factors: [] }, request: { bytes: 0, stream: false, method: 'POST', path: '/' } });
  assert.deepEqual((context.authn as { scopes: string[] }).scopes, ['chat:demo-chat']);
});
