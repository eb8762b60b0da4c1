/**
 * Two Warden processes on one PostgreSQL schema and one Redis (127.0.0.1:6379, a random key prefix,
 * deleted after), reached at one public URL as behind a load balancer: a DPoP proof accepted by instance
 * one is refused when replayed to instance two (issues 12, 14). Alice's factor is enrolled and her step-up
 * approved by the CLI on the cluster's stores; instance one issues the DPoP-bound session token. Every wait
 * polls for its condition; the replay is sent only after instance two has accepted a fresh proof for the
 * same token, so its refusal can only be the replay cache's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID, type webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { runCli } from '../../src/cli/run.js';
import { base32Decode, totpCode } from '../../src/mfa/totp.js';
import { sharedKeyDir } from '../audit-ha/helpers.js';
import { makeKey, mint } from '../helpers/jwks.js';
import { eventually } from '../helpers/eventually.js';
import { freshSchema } from '../helpers/postgres.js';
import { startTestUpstream } from '../helpers/upstream.js';
import { startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

const REDIS_URL = process.env.WARDEN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `warden-e2e:mfa:${randomBytes(6).toString('hex')}:`;
/** The one address clients use for both instances (the balancer's): DPoP proofs name it in `htu`. */
const PUBLIC = 'http://warden.test';
const SECRET = 'sk-upstream-secret-cluster-dpop';

async function redisAnswers(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

type ProofKey = { privateKey: webcrypto.CryptoKey; jwk: JWK };

function proof(key: ProofKey, htu: string, accessToken?: string): Promise<string> {
  return new SignJWT({ htm: 'POST', htu, jti: randomUUID(), ...(accessToken ? { ath: createHash('sha256').update(accessToken).digest('base64url') } : {}) })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
    .setIssuedAt()
    .sign(key.privateKey);
}

test('a DPoP proof accepted by one instance is refused when replayed to another', { skip: !(await redisAnswers()) && `no Redis answers at ${REDIS_URL}` }, async () => {
  const fresh = await freshSchema('e2e');
  const upstream = await startTestUpstream(SECRET);
  const instances: WardenProcess[] = [];
  const env = { WARDEN_DATABASE_URL: fresh.url, WARDEN_REDIS_URL: REDIS_URL };
  try {
    const keys = sharedKeyDir();
    const signing = await makeKey('cluster-dpop');
    const jwksFile = join(keys.dir, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [signing.jwk] }));
    const config = {
      identity: { jwt: [{ issuer: 'https://idp.test', audience: 'warden', jwksFile, algorithms: ['RS256'] }] },
      principals: [{ id: 'alice', groups: ['engineering'], roles: ['user'] }],
      audit: { signingKeyFile: keys.signingKeyFile, encryption: { kekFile: keys.kekFile } },
      upstreams: [{ name: 'main', baseUrl: `${upstream.url}/v1`, apiKey: SECRET }],
      models: [{ id: 'secure', upstream: 'main', sensitivity: 'confidential' }],
      mfa: { publicUrl: PUBLIC, redis: { keyPrefix: PREFIX } },
    };
    for (let i = 0; i < 2; i++) instances.push(await startWarden(config, { logLevel: 'warn', env }));
    const [one, two] = instances as [WardenProcess, WardenProcess];
    const cliDir = tempDir();
    const cli = async (...args: string[]): Promise<{ code: number; stdout: string }> => {
      let stdout = '';
      const sink = new Writable({ write: (chunk: Buffer, _e, done) => ((stdout += chunk.toString()), done()) });
      const code = await runCli([...args, '--config', join(one.dir, 'warden.yaml'), '--data-dir', cliDir], { stdout: sink, stderr: sink, env, cwd: cliDir });
      return { code, stdout };
    };

    // Alice's TOTP factor, enrolled and confirmed from a terminal; its recovery codes approve her step-up.
    const enrolled = await cli('mfa', 'totp', '--principal', 'alice');
    assert.equal(enrolled.code, 0, enrolled.stdout);
    const factorId = /factor (\S+) for alice/.exec(enrolled.stdout)![1]!;
    const seed = base32Decode(/secret: ([A-Z2-7]+)/.exec(enrolled.stdout)![1]!);
    const confirmed = await cli('mfa', 'totp', '--principal', 'alice', '--confirm', factorId, '--code', totpCode(seed, Date.now()));
    assert.equal(confirmed.code, 0, confirmed.stdout);
    const recovery = /\b([A-Z2-7]{5}-[A-Z2-7]{5})\b/.exec(confirmed.stdout)![1]!;

    // Alice's IdP token asks for a confidential model on instance one: a step-up, approved by the CLI.
    const jwt = await mint(signing, { subject: 'alice' });
    const chat = (instance: WardenProcess, authorization: string, headers: Record<string, string> = {}) =>
      fetch(`${instance.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization, ...headers }, body: JSON.stringify({ model: 'secure', messages: [{ role: 'user', content: 'hi' }] }) });
    const challenged = await chat(one, `Bearer ${jwt}`);
    assert.equal(challenged.status, 401, await challenged.clone().text());
    const { decisionId } = ((await challenged.json()) as { error: { decisionId: string } }).error;
    // The challenge is written after the answer: `mfa approve` finds it once it is in PostgreSQL.
    await eventually('the CLI approves the step-up', async () => ((await cli('mfa', 'approve', decisionId, '--code', recovery)).code === 0 ? true : undefined));

    // Instance one redeems the completed challenge for a token bound to the client's proof key.
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const key: ProofKey = { privateKey: privateKey as webcrypto.CryptoKey, jwk: await exportJWK(publicKey) };
    const tokenPath = `/auth/step-up/${decisionId}/token`;
    const redeemed = await fetch(`${one.url}${tokenPath}`, { method: 'POST', headers: { authorization: `Bearer ${jwt}`, dpop: await proof(key, PUBLIC + tokenPath) } });
    assert.equal(redeemed.status, 200, await redeemed.clone().text());
    const { access_token: token } = (await redeemed.json()) as { access_token: string };
    const chatUrl = `${PUBLIC}/v1/chat/completions`;

    // Both instances accept the token with fresh proofs: a refusal below can only be the replay.
    for (const instance of [one, two]) {
      const res = await chat(instance, `DPoP ${token}`, { dpop: await proof(key, chatUrl, token) });
      assert.equal(res.status, 200, await res.text());
    }
    const once = await proof(key, chatUrl, token);
    const first = await chat(one, `DPoP ${token}`, { dpop: once });
    assert.equal(first.status, 200, await first.text());
    const replayed = await chat(two, `DPoP ${token}`, { dpop: once });
    assert.equal(replayed.status, 401);
    assert.deepEqual((await replayed.json()) as unknown, { error: { code: 'invalid_dpop_proof', message: 'the DPoP proof was already used' } });
    assert.equal((await chat(one, `DPoP ${token}`, { dpop: once })).status, 401, 'and to the instance that accepted it');
  } finally {
    for (const instance of instances) await instance.stop();
    await upstream.close();
    await fresh.close();
    const redis = new Redis(REDIS_URL);
    const stored = await redis.keys(`${PREFIX}*`);
    if (stored.length) await redis.del(...stored);
    await redis.quit();
  }
});
