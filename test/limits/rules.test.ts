/** The `limits:` configuration, which counters a request touches, and the limiter's verdicts and fail modes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { configSchema } from '../../src/config/schema.js';
import { unknownKeys } from '../../src/config/unknown-keys.js';
import { checkReferences } from '../../src/config/check.js';
import type { LoadedConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/core/logger.js';
import { limitsConfigSchema } from '../../src/limits/config.js';
import { Limiter } from '../../src/limits/limiter.js';
import { countersFor, type LimitSubject } from '../../src/limits/rules.js';
import { MemoryCounterStore } from '../../src/limits/store/memory.js';
import { RedisCounterStore } from '../../src/limits/store/redis.js';
import { limitFacts } from '../../src/gateway/limit-gate.js';

const alice: LimitSubject = { principal: { kind: 'User', id: 'alice', groups: ['eng', 'ml'] }, model: 'gpt-4o', route: 'openai.chat', tokens: true };
const logger = createLogger('silent');

function issues(input: unknown): string[] {
  const r = limitsConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

test('windows are durations with a unit; rules need exactly one of requests or tokens', () => {
  const parsed = limitsConfigSchema.parse({ rules: [{ name: 'a', requests: 5, window: '90s' }, { name: 'b', tokens: 9, window: '1d', algorithm: 'fixed' }] });
  assert.equal(parsed.rules[0]!.window, 90_000);
  assert.deepEqual(parsed.rules[0]!.per, ['principal']);
  assert.equal(parsed.rules[1]!.window, 86_400_000);
  assert.equal(parsed.failOpen, false, 'fail closed by default');
  assert.match(issues({ rules: [{ name: 'a', window: '1m' }] }).join(), /exactly one of `requests` or `tokens`/);
  assert.match(issues({ rules: [{ name: 'a', requests: 1, tokens: 1, window: '1m' }] }).join(), /exactly one/);
  for (const window of ['1', '1w', '0s', '-1m', '1.5h', '60', '32d', '1 m']) assert.ok(issues({ rules: [{ name: 'a', requests: 1, window }] }).length, window);
  assert.match(issues({ rules: [{ name: 'a', requests: 0, window: '1m' }] }).join(), /rules.0.requests/);
  assert.match(issues({ rules: [{ name: 'a', requests: 1, window: '1m' }, { name: 'a', requests: 2, window: '1h' }] }).join(), /same name/);
  assert.match(issues({ rules: [{ name: 'a', requests: 1, window: '1m', per: ['principal', 'principal'] }] }).join(), /named twice/);
  assert.match(issues({ rules: [{ name: 'a b', requests: 1, window: '1m' }] }).join(), /rules.0.name/);
});

test('a group-keyed rule must name its groups, so a token listing many groups cannot make many counters', () => {
  assert.match(issues({ rules: [{ name: 'g', per: ['group'], requests: 1, window: '1m' }] }).join(), /match.groups/);
  const rule = limitsConfigSchema.parse({ rules: [{ name: 'g', per: ['group'], match: { groups: ['eng', 'ops'] }, requests: 1, window: '1m' }] }).rules;
  const many = { ...alice, principal: { ...alice.principal, groups: [...Array.from({ length: 1000 }, (_, i) => `g${i}`), 'eng'] } };
  assert.deepEqual(countersFor(rule, many).map((c) => c.key), ['g:60000:sliding|group=eng']);
});

test('unknown keys under limits and cluster are reported with their path', () => {
  const raw = { limits: { failOpn: true, rules: [{ name: 'a', requests: 1, window: '1m', windw: '1h' }] }, cluster: { redisURL: 'redis://x' } };
  const found = unknownKeys(raw, configSchema.parse(raw)).map((i) => i.path);
  assert.deepEqual(found.sort(), ['cluster.redisURL', 'limits.failOpn', 'limits.rules.0.windw']);
  assert.ok(!configSchema.safeParse({ cluster: { redisUrl: 'http://redis' } }).success);
});

test('rules match by principal, group, model and route; token rules only where usage is reported', () => {
  const { rules } = limitsConfigSchema.parse({
    rules: [
      { name: 'user', requests: 10, window: '1m' },
      { name: 'model', per: ['model'], match: { models: ['gpt-4o'] }, tokens: 1000, window: '1h' },
      { name: 'route-user', per: ['route', 'principal'], match: { routes: ['route.datasets'] }, requests: 5, window: '1m' },
      { name: 'bob-only', match: { principals: ['bob'] }, requests: 1, window: '1m' },
      { name: 'eng', per: [], match: { groups: ['eng'] }, requests: 100, window: '1m' },
    ],
  });
  assert.deepEqual(countersFor(rules, alice).map((c) => c.key), ['user:60000:sliding|principal=User%2Falice', 'model:3600000:sliding|model=gpt-4o', 'eng:60000:sliding']);
  const dataset: LimitSubject = { principal: alice.principal, route: 'route.datasets', tokens: false };
  assert.deepEqual(countersFor(rules, dataset).map((c) => c.rule.name), ['user', 'route-user', 'eng']);
  // Values are encoded: `a|b` as an id cannot forge another counter's key.
  const odd: LimitSubject = { ...alice, principal: { kind: 'User', id: 'a|principal=User/b', groups: [] } };
  assert.equal(countersFor(rules, odd)[0]!.key, 'user:60000:sliding|principal=User%2Fa%7Cprincipal%3DUser%2Fb');
});

test('the limiter refuses with the rule whose counter frees up last, and charges tokens after', async () => {
  const config = limitsConfigSchema.parse({
    rules: [
      { name: 'burst', requests: 2, window: '1m', algorithm: 'fixed' },
      { name: 'budget', tokens: 50, window: '1h', algorithm: 'fixed' },
    ],
  });
  const limiter = new Limiter(config, new MemoryCounterStore(), logger, new Registry());
  const t = 1_800_000_000_000;
  const first = await limiter.admit(alice, t);
  assert.equal(first.outcome, 'admitted');
  if (first.outcome !== 'admitted') return;
  assert.deepEqual(first.admission.states.map((s) => [s.rule, s.unit, s.used, s.remaining]), [['burst', 'requests', 1, 1], ['budget', 'tokens', 0, 50]]);
  assert.deepEqual(limitFacts(first.admission.states), { remainingPercent: 50, tightest: 'burst', requests: { rule: 'burst', limit: 2, used: 1, remaining: 1 }, tokens: { rule: 'budget', limit: 50, used: 0, remaining: 50 } });
  await limiter.charge(first.admission, 60, t + 1);
  const second = await limiter.admit(alice, t + 1000);
  assert.equal(second.outcome, 'exceeded');
  if (second.outcome !== 'exceeded') return;
  // The token budget is spent for the hour, which outlasts the burst window.
  assert.equal(second.fired.rule, 'budget');
  assert.equal(second.retryAfterSeconds, 3600 - 1);
  await limiter.close();
});

test('fail modes: an unreachable Redis refuses (closed, the default) or admits unlimited (open)', async () => {
  for (const failOpen of [false, true]) {
    const config = limitsConfigSchema.parse({ failOpen, rules: [{ name: 'r', requests: 1, window: '1m' }] });
    const registry = new Registry();
    const limiter = new Limiter(config, new RedisCounterStore({ url: 'redis://127.0.0.1:1', keyPrefix: 'x:', timeoutMs: 100 }), logger, registry);
    const result = await limiter.admit(alice);
    assert.deepEqual(result, failOpen ? { outcome: 'admitted', admission: { states: [], tokenCounters: [] } } : { outcome: 'unavailable' });
    assert.match(await registry.metrics(), new RegExp(`warden_limits_unavailable_total\\{mode="${failOpen ? 'open' : 'closed'}"\\} 1`));
    await limiter.close();
  }
});

test('config check: a rule naming an unknown model or route, or a WARDEN_REDIS_URL that is not one, is refused', () => {
  const config = configSchema.parse({
    upstreams: [{ name: 'u', baseUrl: 'http://127.0.0.1:9/v1' }],
    models: [{ id: 'm', upstream: 'u' }],
    routes: [{ name: 'datasets', methods: ['GET'], path: '/d/:id', action: 'read', resource: { type: 'Dataset', id: '{id}' }, upstream: 'u' }],
    limits: { rules: [{ name: 'a', match: { models: ['m', 'gpt-5'], routes: ['route.datasets', 'openai.chat', 'route.nope'] }, requests: 1, window: '1m' }] },
  });
  const loaded: LoadedConfig = { config, file: undefined, baseDir: process.cwd() };
  assert.deepEqual(
    checkReferences(loaded, {}).map((p) => p.path),
    ['limits.rules.0.match.models.1', 'limits.rules.0.match.routes.2'],
  );
  const env = checkReferences(loaded, { WARDEN_REDIS_URL: 'http://user:secret@redis' });
  assert.equal(env.at(-1)!.path, 'cluster.redisUrl');
  assert.doesNotMatch(env.at(-1)!.message, /secret/);
});
