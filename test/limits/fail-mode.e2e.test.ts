/**
 * End-to-end: Warden with its Redis unreachable. By default (failOpen: false) a request that a limit rule
 * applies to is refused with 503 `limits_unavailable` and the instance reports itself not ready; with
 * failOpen: true it is served, and the log says so. Requests no rule applies to are served either way.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDemoUpstream, type DemoUpstream } from '../../src/demo/upstream.js';
import { runCli, startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

/** Nothing listens on port 1: connections are refused at once. */
const DEAD_REDIS = 'redis://127.0.0.1:1';
let upstream: DemoUpstream;
const started: WardenProcess[] = [];

before(async () => {
  upstream = await startDemoUpstream();
});

after(async () => {
  await Promise.all(started.map((w) => w.stop()));
  await upstream?.close();
});

async function start(failOpen: boolean): Promise<{ warden: WardenProcess; key: Record<string, string> }> {
  const dir = tempDir();
  mkdirSync(join(dir, 'data'));
  const key: Record<string, string> = {};
  for (const p of ['alice', 'bob']) {
    const r = await runCli(['keys', 'create', '--principal', p, '--data-dir', join(dir, 'data')]);
    assert.equal(r.code, 0, r.stderr);
    key[p] = r.stdout.trim().split('\n').at(-1)!;
  }
  const warden = await startWarden(
    {
      principals: [
        { id: 'alice', groups: ['engineering'] },
        { id: 'bob', groups: ['engineering'] },
      ],
      upstreams: [{ name: 'demo', baseUrl: `${upstream.url}/v1` }],
      models: [{ id: 'demo-chat', upstream: 'demo', sensitivity: 'internal' }],
      cluster: { redisUrl: DEAD_REDIS },
      limits: { failOpen, redisTimeoutMs: 100, rules: [{ name: 'alice-chat', match: { principals: ['alice'] }, requests: 100, window: '1m' }] },
    },
    { dir, logLevel: 'warn' },
  );
  started.push(warden);
  return { warden, key };
}

function chat(warden: WardenProcess, key: string): Promise<Response> {
  return fetch(`${warden.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content: 'hi' }] }),
  });
}

test('fail closed (the default): 503 limits_unavailable, not ready, and the URL is never logged', async () => {
  const { warden, key } = await start(false);
  const res = await chat(warden, key.alice!);
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('retry-after'), '1');
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'limits_unavailable');
  assert.doesNotMatch(JSON.stringify(body), /127\.0\.0\.1|redis:/);
  // A caller no rule applies to is still served.
  assert.equal((await chat(warden, key.bob!)).status, 200);
  assert.equal((await fetch(`${warden.url}/readyz`)).status, 503);
  assert.match(warden.output(), /limits not checked \(counter store unavailable\): refused/);
  assert.doesNotMatch(warden.output(), /redis:\/\/127\.0\.0\.1:1/);
});

test('fail open: served unlimited, with a log line', async () => {
  const { warden, key } = await start(true);
  const res = await chat(warden, key.alice!);
  assert.equal(res.status, 200, await res.text());
  assert.equal((await fetch(`${warden.url}/readyz`)).status, 200);
  assert.match(warden.output(), /limits not checked \(counter store unavailable\): admitted unlimited/);
});
