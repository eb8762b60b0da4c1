/**
 * End-to-end: Warden with its Redis unreachable. By default (failOpen: false) a request that a limit rule
 * applies to is refused with 503 `limits_unavailable` and the instance reports itself not ready; with
 * failOpen: true it is served, and the log says so. Requests no rule applies to are served either way.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeKey, mint } from '../helpers/jwks.js';
import { startDemoUpstream, type DemoUpstream } from '../../src/demo/upstream.js';
import { startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

/** Nothing listens on port 1: connections are refused at once. */
const DEAD_REDIS = 'redis://127.0.0.1:1';
let upstream: DemoUpstream;
let failingClosed: WardenProcess;
let failingOpen: WardenProcess;
let dir: string;
/** Bearer tokens from one identity provider (a JWKS file), per principal. */
const token: Record<string, string> = {};

function start(failOpen: boolean, jwksFile: string): Promise<WardenProcess> {
  return startWarden(
    {
      identity: { jwt: [{ issuer: 'https://idp.test', audience: 'warden', jwksFile, algorithms: ['RS256'] }] },
      principals: [
        { id: 'alice', groups: ['engineering'] },
        { id: 'bob', groups: ['engineering'] },
      ],
      upstreams: [{ name: 'demo', baseUrl: `${upstream.url}/v1` }],
      models: [{ id: 'demo-chat', upstream: 'demo', sensitivity: 'internal' }],
      cluster: { redisUrl: DEAD_REDIS },
      limits: { failOpen, redisTimeoutMs: 100, rules: [{ name: 'alice-chat', match: { principals: ['alice'] }, requests: 100, window: '1m' }] },
    },
    { logLevel: 'warn' },
  );
}

before(async () => {
  upstream = await startDemoUpstream();
  dir = tempDir();
  const signing = await makeKey('fail-mode');
  const jwksFile = join(dir, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [signing.jwk] }));
  for (const p of ['alice', 'bob']) token[p] = await mint(signing, { subject: p, expiresIn: '30m' });
  [failingClosed, failingOpen] = await Promise.all([start(false, jwksFile), start(true, jwksFile)]);
});

after(async () => {
  await Promise.all([failingClosed, failingOpen].filter(Boolean).map((w) => w.stop()));
  await upstream?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function chat(warden: WardenProcess, key: string): Promise<Response> {
  return fetch(`${warden.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content: 'hi' }] }),
  });
}

test('fail closed (the default): 503 limits_unavailable, not ready, and the URL is never logged', async () => {
  const warden = failingClosed;
  const res = await chat(warden, token.alice!);
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('retry-after'), '1');
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'limits_unavailable');
  assert.doesNotMatch(JSON.stringify(body), /127\.0\.0\.1|redis:/);
  // A caller no rule applies to is still served.
  assert.equal((await chat(warden, token.bob!)).status, 200);
  assert.equal((await fetch(`${warden.url}/readyz`)).status, 503);
  assert.match(warden.output(), /limits not checked \(counter store unavailable\): refused/);
  assert.doesNotMatch(warden.output(), /redis:\/\/127\.0\.0\.1:1/);
});

test('fail open: served unlimited, with a log line', async () => {
  const warden = failingOpen;
  const res = await chat(warden, token.alice!);
  assert.equal(res.status, 200, await res.text());
  assert.equal((await fetch(`${warden.url}/readyz`)).status, 200);
  assert.match(warden.output(), /limits not checked \(counter store unavailable\): admitted unlimited/);
});
