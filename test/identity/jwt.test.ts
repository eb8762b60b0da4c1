/**
 * JWT verification: the claims Warden requires and signatures under a known key (issue 11: a verifier that
 * drops `exp`/`sub` or skips the signature for a known `kid` must fail here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { code, identitySetup, nowSeconds, signRaw } from './setup.js';

const base = () => ({ iss: 'https://idp.test', aud: 'warden', sub: 'alice', exp: nowSeconds() + 300 });

test('a token without `exp` is refused although everything else is valid', async () => {
  const { auth, good } = await identitySetup();
  const { exp: _exp, ...claims } = base();
  await assert.rejects(auth.authenticate({ authorization: `Bearer ${await signRaw(good, claims)}` }), (e) => code(e) === 'invalid_token' && /`exp`/.test(String((e as Error).message)));
  // The control: the same claims with `exp` pass, so the refusal is about `exp`.
  assert.equal((await auth.authenticate({ authorization: `Bearer ${await signRaw(good, base())}` })).principal.id, 'alice');
});

test('a token without `sub` is refused, also when the principal is read from another claim', async () => {
  // With `claims.subject: preferred_username` the principal does not need `sub`: only the verifier's own
  // required-claims check can refuse the token.
  const { auth, good } = await identitySetup({ issuer: { claims: { subject: 'preferred_username' } } });
  const { sub: _sub, ...claims } = { ...base(), preferred_username: 'alice' };
  await assert.rejects(auth.authenticate({ authorization: `Bearer ${await signRaw(good, claims)}` }), (e) => code(e) === 'invalid_token' && /`sub`/.test(String((e as Error).message)));
  assert.equal((await auth.authenticate({ authorization: `Bearer ${await signRaw(good, { ...claims, sub: 'x' })}` })).principal.id, 'alice');
});

test('a token whose `kid` names a trusted key but whose signature is wrong is refused', async () => {
  const { auth, good, other } = await identitySetup();
  // Signed by another key under the trusted key's kid: the key lookup succeeds, the signature must not.
  const forged = await signRaw({ ...other, kid: good.kid }, base());
  await assert.rejects(auth.authenticate({ authorization: `Bearer ${forged}` }), (e) => code(e) === 'invalid_token' && /signature/.test(String((e as Error).message)));
  // A valid token with one signature byte flipped.
  const valid = await signRaw(good, base());
  const [h, p, s] = valid.split('.');
  const sig = Buffer.from(s!, 'base64url');
  sig[10] = sig[10]! ^ 0x01;
  await assert.rejects(auth.authenticate({ authorization: `Bearer ${h}.${p}.${sig.toString('base64url')}` }), (e) => code(e) === 'invalid_token');
});
