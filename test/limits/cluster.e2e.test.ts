/**
 * End-to-end: two Warden processes share their limit counters through Redis (127.0.0.1:6379, a random key
 * prefix for this file, deleted after), in front of the real demo upstream, which reports token usage.
 * A limit holds across both instances whichever one a request hits; a token budget is charged the usage
 * the upstream reported (for a streamed answer, its final usage chunk); policies see `context.limits`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startDemoUpstream, type DemoUpstream } from '../../src/demo/upstream.js';
import { makeKey, mint } from '../helpers/jwks.js';
import { ROOT, startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

const REDIS_URL = process.env.WARDEN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `warden-e2e:${randomBytes(6).toString('hex')}:`;
const PRINCIPALS = ['alice', 'bob', 'dave', 'carol', 'frank'];
let upstream: DemoUpstream;
const wardens: WardenProcess[] = [];
/** Bearer tokens from one identity provider (a JWKS file both instances read), one per principal. */
const tokens: Record<string, string> = {};
/** Bob's token budget: exactly the usage of his first two requests, plus one token. */
let bobBudget = 0;
let policies: string;

const ASK = { model: 'demo-chat', messages: [{ role: 'user', content: 'tell me about zero trust' }] };
const ASK_STREAM = { ...ASK, messages: [{ role: 'user', content: 'and about rate limits please' }], stream: true };

async function usageFromUpstream(body: object): Promise<number> {
  const res = await fetch(`${upstream.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, stream: false }) });
  const { usage } = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
  return usage.prompt_tokens + usage.completion_tokens;
}

before(async () => {
  upstream = await startDemoUpstream();
  bobBudget = (await usageFromUpstream(ASK)) + (await usageFromUpstream(ASK_STREAM)) + 1;
  policies = tempDir('warden-limits-policies-');
  for (const f of readdirSync(join(ROOT, 'demo/policies'))) copyFileSync(join(ROOT, 'demo/policies', f), join(policies, f));
  // Near its limit, dave is refused by policy before the limiter would refuse him.
  writeFileSync(join(policies, 'limits.cedar'), '@id("limits-nearly-spent")\nforbid (principal == Warden::User::"dave", action, resource)\nwhen { context has limits && context.limits.remainingPercent < 50 };\n');
  const signing = await makeKey('limits-e2e');
  const jwksFile = join(policies, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [signing.jwk] }));
  for (const p of PRINCIPALS) tokens[p] = await mint(signing, { subject: p, expiresIn: '30m' });
  const config = {
    identity: { jwt: [{ issuer: 'https://idp.test', audience: 'warden', jwksFile, algorithms: ['RS256'] }] },
    principals: [
      { id: 'alice', groups: ['engineering'] },
      { id: 'bob', groups: ['engineering'] },
      { id: 'dave', groups: ['engineering'] },
      { id: 'carol', groups: ['security'], roles: ['admin'] },
      { id: 'frank', groups: ['engineering'] },
    ],
    upstreams: [{ name: 'demo', baseUrl: `${upstream.url}/v1` }],
    models: [{ id: 'demo-chat', upstream: 'demo', sensitivity: 'internal' }],
    policy: { dir: policies },
    cluster: { redisUrl: REDIS_URL },
    limits: {
      keyPrefix: PREFIX,
      rules: [
        { name: 'chat-per-user', per: ['principal'], match: { principals: ['alice', 'dave'] }, requests: 4, window: '1h' },
        { name: 'frank-burst', per: ['principal'], match: { principals: ['frank'] }, requests: 6, window: '1h' },
        { name: 'bob-tokens', per: ['principal'], match: { principals: ['bob'] }, tokens: bobBudget, window: '1h' },
      ],
    },
  };
  // Both instances start at once: their start-up dominates this file's time on a loaded machine.
  wardens.push(...(await Promise.all([0, 1].map(() => startWarden(config, { logLevel: 'warn' })))));
});

after(async () => {
  await Promise.all(wardens.map((w) => w.stop()));
  await upstream?.close();
  if (policies) rmSync(policies, { recursive: true, force: true });
  const redis = new Redis(REDIS_URL);
  const found = await redis.keys(`${PREFIX}*`);
  if (found.length) await redis.del(...found);
  await redis.quit();
});

function chat(instance: number, principal: string, body: object = ASK): Promise<Response> {
  return fetch(`${wardens[instance]!.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[principal]}` },
    body: JSON.stringify(body),
  });
}

test('a request limit holds across both instances: 4 in total, then 429 with Retry-After on either', async () => {
  for (const instance of [0, 1, 1, 0]) {
    const res = await chat(instance, 'alice');
    assert.equal(res.status, 200, await res.text());
    await res.arrayBuffer().catch(() => undefined);
  }
  for (const instance of [1, 0]) {
    const res = await chat(instance, 'alice');
    assert.equal(res.status, 429);
    const retryAfter = Number(res.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 7200, `Retry-After ${res.headers.get('retry-after')}`);
    const body = (await res.json()) as { error: { code: string; limit: string; retryAfterSeconds: number; decisionId: string } };
    assert.equal(body.error.code, 'limit_exceeded');
    assert.equal(body.error.limit, 'chat-per-user');
    assert.equal(body.error.retryAfterSeconds, retryAfter);
    // The decision event names the limit that fired.
    const query = await fetch(`${wardens[instance]!.url}/admin/decisions?decisionId=${body.error.decisionId}`, { headers: { authorization: `Bearer ${tokens.carol}` } });
    const { items } = (await query.json()) as { items: { outcome: string; status: number; errorCode: string; limit: { rule: string; used: number; limit: number; retryAfterSeconds: number } }[] };
    assert.equal(items.length, 1);
    assert.equal(items[0]!.outcome, 'deny');
    assert.equal(items[0]!.status, 429);
    assert.equal(items[0]!.errorCode, 'limit_exceeded');
    assert.deepEqual({ ...items[0]!.limit }, { rule: 'chat-per-user', unit: 'requests', limit: 4, used: 4, windowSeconds: 3600, retryAfterSeconds: retryAfter });
  }
  // Another principal has counters of its own.
  assert.equal((await chat(1, 'carol')).status, 200);
});

test('a token budget is charged the usage the upstream reported, for a JSON and for a streamed answer', async () => {
  const first = await chat(0, 'bob');
  assert.equal(first.status, 200);
  await first.arrayBuffer();
  // Streamed, on the other instance: Warden asks the upstream for the final usage chunk and charges it.
  const streamed = await chat(1, 'bob', ASK_STREAM);
  assert.equal(streamed.status, 200);
  const text = await streamed.text();
  assert.match(text, /"usage":\{"prompt_tokens":\d+,"completion_tokens":\d+/);
  // Exactly the reported usage was charged: one token is left, so one more request is admitted...
  const third = await chat(0, 'bob');
  assert.equal(third.status, 200, 'the budget had one token of room');
  await third.arrayBuffer();
  // ...and charged, after which the budget is spent on both instances.
  for (const instance of [1, 0]) {
    const res = await chat(instance, 'bob');
    assert.equal(res.status, 429);
    assert.equal(((await res.json()) as { error: { limit: string } }).error.limit, 'bob-tokens');
    assert.ok(Number(res.headers.get('retry-after')) > 0);
  }
});

test('policies see context.limits: dave is refused by policy once half of his limit is used', async () => {
  // remaining after each request: 3 (75%), 2 (50%), then 1 (25%): the policy forbids the third.
  assert.equal((await chat(0, 'dave')).status, 200);
  assert.equal((await chat(1, 'dave')).status, 200);
  const third = await chat(0, 'dave');
  assert.equal(third.status, 403);
  assert.equal(((await third.json()) as { error: { code: string } }).error.code, 'forbidden');
});

test('concurrent requests on both instances at once: exactly the limit is admitted', async () => {
  const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => chat(i % 2, 'frank').then(async (res) => (await res.arrayBuffer(), res.status))));
  assert.equal(answers.filter((s) => s === 200).length, 6, `statuses ${answers.join(',')}`);
  assert.equal(answers.filter((s) => s === 429).length, 10);
});
