/**
 * Sibling of finding 1 (a client claim believed): the source address policies and risk see. Only what
 * trusted proxies appended to X-Forwarded-For is believed; the client's own entries are not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { clientIp } from '../../src/gateway/http.js';

const req = (peer: string, xff?: string | string[]): IncomingMessage => ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;
const proxies = new Set(['10.0.0.1', '10.0.0.2']);

test('a client cannot choose its address by sending X-Forwarded-For through a trusted proxy', () => {
  // The client sent "1.2.3.4"; the proxy appended the address it really saw.
  assert.equal(clientIp(req('10.0.0.1', '1.2.3.4, 203.0.113.9'), proxies), '203.0.113.9');
  // Two trusted proxies in a row.
  assert.equal(clientIp(req('10.0.0.1', '1.2.3.4, 203.0.113.9, 10.0.0.2'), proxies), '203.0.113.9');
  assert.equal(clientIp(req('10.0.0.1', ['1.2.3.4', '203.0.113.9']), proxies), '203.0.113.9');
  assert.equal(clientIp(req('10.0.0.1', '203.0.113.9'), proxies), '203.0.113.9');
  assert.equal(clientIp(req('::ffff:10.0.0.1', '203.0.113.9'), proxies), '203.0.113.9', 'an IPv4 peer on a dual-stack socket');
});

test('from anyone else the header is ignored', () => {
  assert.equal(clientIp(req('198.51.100.7', '1.2.3.4'), proxies), '198.51.100.7');
  assert.equal(clientIp(req('198.51.100.7', '1.2.3.4'), new Set()), '198.51.100.7');
  assert.equal(clientIp(req('10.0.0.1'), proxies), '10.0.0.1');
});
