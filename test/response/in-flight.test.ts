/**
 * The registry of requests in flight over a real HTTP server: cutting a principal ends its allowed
 * requests (and those made on its behalf), and leaves other principals' and already refused ones alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Identity } from '../../src/core/types.js';
import { Exchange } from '../../src/gateway/exchange.js';
import { InFlightRequests } from '../../src/gateway/in-flight.js';

const identity = (id: string, onBehalfOf?: string): Identity => ({
  principal: { kind: onBehalfOf ? 'Agent' : 'User', id, attributes: {}, groups: [], roles: [] },
  authentication: { method: 'apikey', strength: 1, mfa: false, scopes: ['*'] },
  ...(onBehalfOf ? { delegation: { actor: { kind: 'Agent', id, attributes: {}, groups: [], roles: [] }, onBehalfOf: { kind: 'User', id: onBehalfOf, attributes: {}, groups: [], roles: [] } } } : {}),
});

test('cut ends the principal\'s allowed streams, also those on its behalf, and nothing else', async () => {
  const registry = new InFlightRequests();
  const server = createServer((req, res) => {
    const ex = new Exchange(req, '127.0.0.1');
    const [who, behalf, outcome] = (req.url ?? '/').slice(1).split('/');
    ex.identity = identity(who!, behalf || undefined);
    ex.outcome = outcome === 'deny' ? 'deny' : 'allow';
    registry.track(ex, res);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: first\n\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const open = async (path: string) => {
    const reader = (await fetch(`${base}${path}`)).body!.getReader();
    await reader.read();
    return reader;
  };
  const mallory = await open('/mallory/');
  const agent = await open('/bot/mallory/');
  const alice = await open('/alice/');
  const refused = await open('/mallory//deny');
  assert.equal(registry.size, 4);
  assert.equal(registry.cut({ type: 'User', id: 'mallory' }), 2);
  await assert.rejects(mallory.read());
  await assert.rejects(agent.read());
  assert.equal(registry.size, 2, 'alice and the refused request remain');
  assert.equal(registry.cut({ type: 'User', id: 'alice' }), 1);
  await assert.rejects(alice.read());
  void refused.cancel().catch(() => undefined);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
