/**
 * Finding 6 over real HTTP: an issuer's configured `acr` counts as MFA, and the RFC 9470 challenge names
 * `acr_values` (from the policy) for a caller without MFA and only `max_age` for one whose MFA is too old.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeKey, mint, type TestKey } from '../helpers/jwks.js';
import { startTestUpstream, type TestUpstream } from '../helpers/upstream.js';
import { startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

let warden: WardenProcess;
let upstream: TestUpstream;
let key: TestKey;

before(async () => {
  const dir = tempDir();
  key = await makeKey('k1');
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [key.jwk] }));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(
    join(dir, 'policies', 'p.cedar'),
    `@id("all") permit (principal, action, resource);
@id("fresh-strong") @on_deny("step_up") @acr_values("urn:okta:loa:2fa:any") @max_age("300")
forbid (principal, action, resource) unless { context.authn.mfa && context.authn has ageSeconds && context.authn.ageSeconds < 300 };
`,
  );
  upstream = await startTestUpstream('upstream-secret');
  warden = await startWarden(
    {
      identity: { jwt: [{ issuer: 'https://idp.test', audience: 'warden', jwksFile: join(dir, 'jwks.json'), algorithms: ['RS256'], mfaAcrValues: ['urn:okta:loa:2fa:any'] }] },
      principals: [{ id: 'alice', groups: ['engineering'] }],
      policy: { dir: join(dir, 'policies') },
      upstreams: [{ name: 'up', baseUrl: `${upstream.url}/v1`, apiKey: 'upstream-secret' }],
      models: [{ id: 'chat', upstream: 'up' }],
    },
    { dir },
  );
});

after(async () => {
  await warden?.stop();
  await upstream?.close();
});

async function chat(claims: Record<string, unknown>): Promise<Response> {
  const token = await mint(key, { claims });
  return fetch(`${warden.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }) });
}

const now = () => Math.floor(Date.now() / 1000);

test('no MFA: the challenge asks for the policy\'s acr_values', async () => {
  const res = await chat({ acr: 'urn:example:no-mfa', auth_time: now() - 10 });
  assert.equal(res.status, 401);
  const challenge = res.headers.get('www-authenticate')!;
  assert.match(challenge, /error="insufficient_user_authentication"/);
  assert.match(challenge, /acr_values="urn:okta:loa:2fa:any"/);
  await res.arrayBuffer();
});

test('MFA too old: the challenge asks only for a more recent authentication (max_age)', async () => {
  const res = await chat({ acr: 'urn:okta:loa:2fa:any', auth_time: now() - 3600 });
  assert.equal(res.status, 401);
  const challenge = res.headers.get('www-authenticate')!;
  assert.match(challenge, /max_age="300"/);
  assert.doesNotMatch(challenge, /acr_values/);
  await res.arrayBuffer();
});

test('fresh MFA by the configured acr value passes', async () => {
  const res = await chat({ acr: 'urn:okta:loa:2fa:any', auth_time: now() - 10 });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
});
