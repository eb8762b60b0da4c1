/** Finding 11: a `jwksFile` is watched: reloaded on change; a broken file keeps the last good keys and reports. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { configSchema } from '../../src/config/schema.js';
import { JwtVerifier } from '../../src/identity/index.js';
import { mint } from '../helpers/jwks.js';
import { identitySetup } from './setup.js';

async function verifierFor(jwksPath: string) {
  const errors: string[] = [];
  const config = configSchema.parse({ identity: { jwt: [{ issuer: 'https://idp.test', audience: 'warden', jwksFile: jwksPath, algorithms: ['RS256'] }] } });
  const verifier = new JwtVerifier(config.identity.jwt, (p) => p, { onJwksFileError: (path, error) => errors.push(`${path}: ${error.message}`) });
  return { verifier, errors };
}

test('a rotated key in the file is accepted after a reload; a broken file keeps the last good keys', async () => {
  const { good, other, jwksPath } = await identitySetup();
  const { verifier, errors } = await verifierFor(jwksPath);
  const rotated = await mint(other);
  await assert.rejects(verifier.verify(rotated), /kid|key/);
  writeFileSync(jwksPath, JSON.stringify({ keys: [good.jwk, other.jwk] }));
  assert.equal(verifier.reloadFiles(), true);
  assert.equal((await verifier.verify(rotated)).payload.sub, 'alice');
  writeFileSync(jwksPath, '{"keys": [');
  assert.equal(verifier.reloadFiles(), false);
  assert.equal((await verifier.verify(rotated)).payload.sub, 'alice', 'the last good keys stay');
  assert.match(errors[0] ?? '', /jwks\.json/);
  writeFileSync(jwksPath, JSON.stringify({ nokeys: true }));
  assert.equal(verifier.reloadFiles(), false);
  assert.equal(errors.length, 2);
});

test('the watcher reloads the file when it changes, without a call', async () => {
  const { good, other, jwksPath } = await identitySetup();
  const { verifier } = await verifierFor(jwksPath);
  verifier.watchFiles(50);
  try {
    writeFileSync(jwksPath, JSON.stringify({ keys: [good.jwk, other.jwk] }));
    const rotated = await mint(other);
    // Wait for the change notification (an event, not a deadline): at most ~10 s of polling.
    let accepted = false;
    for (let i = 0; i < 200 && !accepted; i++) {
      accepted = await verifier.verify(rotated).then(() => true, () => false);
      if (!accepted) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(accepted, 'the rotated key was picked up from the file');
  } finally {
    verifier.close();
  }
});

test('a missing or non-JSON jwksFile at start names the file', async () => {
  await assert.rejects(verifierFor('/nonexistent/jwks.json'), /\/nonexistent\/jwks\.json/);
  const { jwksPath } = await identitySetup();
  writeFileSync(jwksPath, 'not json');
  await assert.rejects(verifierFor(jwksPath), /JWKS file `.*jwks\.json`/);
});
