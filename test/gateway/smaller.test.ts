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
  s = await startSetup({ server: { metrics: { port: 0 } } });
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

test('/metrics on the API port needs the `metrics` or `admin` role; anybody else gets the JSON error shape', async () => {
  const anonymous = await fetch(`${s.warden.url}/metrics`);
  assert.equal(anonymous.status, 401);
  assert.equal(((await anonymous.json()) as { error: { code: string } }).error.code, 'unauthenticated');
  const user = await fetch(`${s.warden.url}/metrics`, { headers: { authorization: `Bearer ${s.keys.user}` } });
  assert.equal(user.status, 403);
  assert.ok(!(await user.text()).includes('warden_'), 'no metric in a refusal');
  for (const key of [s.keys.scraper, s.keys.admin]) {
    const ok = await fetch(`${s.warden.url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /warden_decisions_total/);
  }
});

test('server.metrics: a separate listener serves GET /metrics without credentials, and nothing else', async () => {
  const url = /"metricsUrl":"(http:\/\/[^"]+)"/.exec(s.warden.output())?.[1];
  assert.ok(url, 'the metrics listener is logged');
  assert.notEqual(new URL(url).port, new URL(s.warden.url).port);
  const ok = await fetch(url);
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /warden_decisions_total/);
  const other = await fetch(new URL('/v1/models', url), { headers: { authorization: `Bearer ${s.keys.admin}` } });
  assert.equal(other.status, 404);
  assert.equal(((await other.json()) as { error: { code: string } }).error.code, 'not_found');
  assert.equal((await fetch(url, { method: 'POST', body: '{}' })).status, 405);
});

test('admin routes refuse unknown and repeated query parameters, on every route', async () => {
  const admin = { authorization: `Bearer ${s.keys.admin}` };
  const get = async (path: string) => {
    const res = await fetch(`${s.warden.url}/admin${path}`, { headers: admin });
    return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
  };
  for (const path of ['/keys', '/decisions', '/policies', '/policies/active', '/audit/checkpoints', '/audit/entries', '/audit/key', '/export/status', '/detections', '/integrity/assets', '/integrity/changes', '/risk/User/alice']) {
    assert.equal((await get(path)).status, 200, path);
    const unknown = await get(`${path}?decisonId=x`);
    assert.equal(unknown.status, 400, `${path}?decisonId=x`);
    assert.equal(unknown.body.error?.code, 'validation_failed');
    assert.match(unknown.body.error!.message, /unknown query parameter `decisonId`/);
  }
  const repeated = await get('/decisions?limit=1&limit=1000');
  assert.equal(repeated.status, 400);
  assert.match(repeated.body.error!.message, /more than once/);
  // A POST route with no query parameters refuses them too (before its body is read).
  const post = await fetch(`${s.warden.url}/admin/keys?principal=carol`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify({ principal: 'alice' }) });
  assert.equal(post.status, 400);
});

test('/admin/decisions?decisionId= returns that decision only', async () => {
  const denied = await fetch(`${s.warden.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${s.keys.user}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }) });
  assert.equal(denied.status, 200);
  // Several decisions exist; the one asked for is found by the id the client saw.
  const all = (await (await fetch(`${s.warden.url}/admin/decisions?limit=1000`, { headers: { authorization: `Bearer ${s.keys.admin}` } })).json()) as { items: { decisionId: string }[] };
  assert.ok(all.items.length > 2);
  const wanted = all.items[1]!.decisionId;
  const one = (await (await fetch(`${s.warden.url}/admin/decisions?decisionId=${wanted}`, { headers: { authorization: `Bearer ${s.keys.admin}` } })).json()) as { items: { decisionId: string }[] };
  assert.deepEqual(one.items.map((i) => i.decisionId), [wanted]);
  const none = (await (await fetch(`${s.warden.url}/admin/decisions?decisionId=no-such-id`, { headers: { authorization: `Bearer ${s.keys.admin}` } })).json()) as { items: unknown[] };
  assert.equal(none.items.length, 0);
});

test('models.retrieve: GET /v1/models/{id} answers for a usable model and 404s in the JSON error shape otherwise', async () => {
  const get = (id: string, key = s.keys.user) => fetch(`${s.warden.url}/v1/models/${id}`, { headers: { authorization: `Bearer ${key}` } });
  const ok = await get('chat');
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { id: 'chat', object: 'model', created: 0, owned_by: 'warden' });
  for (const id of ['vault', 'nope', '', encodeURIComponent('a/b'), '%E0%A4%A']) {
    const missing = await get(id);
    assert.equal(missing.status, 404, id);
    assert.match(missing.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'unknown_model');
  }
  assert.equal((await fetch(`${s.warden.url}/v1/models/chat`)).status, 401);
  assert.equal((await fetch(`${s.warden.url}/v1/models/chat`, { method: 'DELETE', headers: { authorization: `Bearer ${s.keys.user}` } })).status, 405);
});
