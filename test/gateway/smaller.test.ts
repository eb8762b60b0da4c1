/**
 * Finding 10.11, request side: authenticate before reading a body; `/metrics` needs a role on the API
 * port; admin query parameters are checked (unknown ones refused, `decisionId` honoured); GET
 * /v1/models/{id} answers for the models the caller may use and 404s in the JSON error shape otherwise.
 * Real process, real HTTP.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startSetup, statusOf, type Setup } from './setup.js';

let s: Setup;
before(async () => {
  s = await startSetup();
});
after(async () => {
  await s?.stop();
});

/**
 * Sends a request head and only the first part of its body, then waits for the answer without ever
 * sending the rest. A server that reads the body before authenticating never answers (the test then
 * fails on its timeout); one that authenticates first answers and closes the connection.
 */
function partialBody(path: string, head: string, firstPart: Buffer): Promise<string> {
  const { hostname, port } = new URL(s.warden.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
    socket.on('error', (error) => (out ? resolve(out) : reject(error)));
    socket.on('close', () => resolve(out));
    socket.write(`POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n${head}\r\n`);
    socket.write(firstPart);
  });
}

test('an unauthenticated 5 MiB body is not read: 401 and the connection closed, before the body is sent', { timeout: 60_000 }, async () => {
  const before = s.upstream.received.length;
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  for (const path of ['/v1/chat/completions', '/v1/embeddings', '/admin/keys', '/v1/authorize']) {
    // Chunked: no declared length to refuse up front; the first chunk of a 5 MiB body is all that is sent.
    const chunked = await partialBody(path, 'transfer-encoding: chunked\r\n', Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
    assert.equal(statusOf(chunked), 401, `${path}: ${chunked.slice(0, 200)}`);
    assert.match(chunked, /\r\nconnection: close\r\n/i);
    assert.match(chunked, /"code":"unauthenticated"/);
    // A declared length under the limit, with only 1 KiB of it sent.
    const declared = await partialBody(path, `content-length: ${3 * 1024 * 1024}\r\n`, chunk.subarray(0, 1024));
    assert.equal(statusOf(declared), 401, `${path}: ${declared.slice(0, 200)}`);
  }
  // A known caller without the role is refused before its body is read as well.
  const forbidden = await partialBody('/admin/keys', `authorization: Bearer ${s.keys.user}\r\ncontent-length: ${3 * 1024 * 1024}\r\n`, chunk.subarray(0, 1024));
  assert.equal(statusOf(forbidden), 403, forbidden.slice(0, 200));
  assert.equal(s.upstream.received.length, before);
});
