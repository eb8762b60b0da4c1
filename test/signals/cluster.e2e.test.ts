/**
 * Two Warden processes on one PostgreSQL schema: a SET received by one is refused as a replay by the
 * other, and its revocation applies on the other's next request within the one-second reload.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { SignJWT } from 'jose';
import { CAEP } from '../../src/signals/events.js';
import { sharedKeyDir } from '../audit-ha/helpers.js';
import { makeKey, mint, startJwksServer } from '../helpers/jwks.js';
import { freshSchema } from '../helpers/postgres.js';
import { startWarden, type WardenProcess } from '../helpers/warden-process.js';

const IDP = 'https://idp.test';

test('two instances share SET replay protection and what a signal revoked', async () => {
  const fresh = await freshSchema('ssf');
  const tokenKey = await makeKey('token-1');
  const setKey = await makeKey('set-1', 'ES256');
  const jwks = await startJwksServer([tokenKey, setKey]);
  const instances: WardenProcess[] = [];
  try {
    const keys = sharedKeyDir();
    const config = {
      audit: { signingKeyFile: keys.signingKeyFile, encryption: { kekFile: keys.kekFile } },
      identity: { jwt: [{ issuer: IDP, audience: 'warden', jwksUri: jwks.url, algorithms: ['RS256'] }] },
      principals: [{ id: 'alice', groups: ['staff'], roles: ['user'] }],
      signals: { receiver: { enabled: true, transmitters: [{ issuer: IDP, jwksUri: jwks.url, algorithms: ['ES256'] }] } },
    };
    for (const started of await Promise.all([0, 1].map(() => startWarden(config, { logLevel: 'warn', env: { WARDEN_DATABASE_URL: fresh.url } })))) instances.push(started);
    const [one, two] = instances as [WardenProcess, WardenProcess];
    const token = await mint(tokenKey, { subject: 'alice' });
    const whoami = (base: string) => fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await whoami(two.url)).status, 200);

    const set = await new SignJWT({ sub_id: { format: 'opaque', id: 'alice' }, events: { [`${CAEP}session-revoked`]: {} } })
      .setProtectedHeader({ alg: 'ES256', kid: setKey.kid, typ: 'secevent+jwt' })
      .setIssuer(IDP)
      .setAudience('warden')
      .setIssuedAt()
      .setJti(randomUUID())
      .sign(setKey.privateKey);
    const push = (base: string) => fetch(`${base}/signals/events`, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: set });
    assert.equal((await push(one.url)).status, 202);
    const replay = await push(two.url);
    assert.equal(replay.status, 400, 'the other instance knows the jti');
    assert.match(((await replay.json()) as { description: string }).description, /already received/);

    const deadline = Date.now() + 30_000;
    let status = 200;
    while (status !== 401 && Date.now() < deadline) {
      status = (await whoami(two.url)).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 401, 'the revocation reached the other instance');
  } finally {
    for (const instance of instances) await instance.stop();
    await jwks.close();
    await fresh.close();
  }
});
