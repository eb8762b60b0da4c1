/**
 * Finding 6: MFA by exact mapping. `acr` counts only as configured per issuer (exact values); `amr` is
 * read case-insensitively against RFC 8176. The step-up challenge says what is missing (RFC 9470).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMultiFactor } from '../../src/identity/mfa.js';
import { stepUpChallenge } from '../../src/gateway/pipeline.js';
import { mint } from '../helpers/jwks.js';
import { identitySetup } from './setup.js';

test('acr values never count by substring, and count exactly when configured for the issuer', () => {
  for (const acr of ['urn:example:no-mfa', 'not-multifactor', 'aal2-but-not-really', 'phr-nope']) assert.equal(isMultiFactor({ acr }, []), false, acr);
  assert.equal(isMultiFactor({ acr: 'urn:okta:loa:2fa:any' }, ['urn:okta:loa:2fa:any']), true);
  assert.equal(isMultiFactor({ acr: 'phishing-resistant' }, ['phishing-resistant']), true);
  assert.equal(isMultiFactor({ acr: 'Phishing-Resistant' }, ['phishing-resistant']), false, 'exact values');
  assert.equal(isMultiFactor({ acr: 'urn:okta:loa:2fa:any:extra' }, ['urn:okta:loa:2fa:any']), false);
});

test('amr follows RFC 8176, case-insensitively: `mfa`, or factors of two kinds', () => {
  const cases: [string[], boolean][] = [
    [['MFA'], true],
    [['mfa'], true],
    [['pwd', 'otp'], true],
    [['PWD', 'Hwk'], true],
    [['hwk', 'fpt'], true],
    [['pin', 'face'], true],
    [['pwd'], false],
    [['otp'], false],
    [['hwk', 'swk'], false], // two possession factors are one kind
    [['pwd', 'kba'], false],
    [['pwd', 'geo', 'rba', 'user', 'wia', 'mca'], false],
    [['multi-factor-ish'], false],
  ];
  for (const [amr, expected] of cases) assert.equal(isMultiFactor({ amr }, []), expected, amr.join(','));
  assert.equal(isMultiFactor({ amr: 'mfa' }, []), false, 'amr is an array');
});

test('a token from an issuer with configured acr values is MFA; the same acr from another issuer is not', async () => {
  const okta = await identitySetup({ issuer: { mfaAcrValues: ['urn:okta:loa:2fa:any'] } });
  const plain = await identitySetup();
  const claims = { acr: 'urn:okta:loa:2fa:any' };
  assert.equal((await okta.auth.authenticate({ authorization: `Bearer ${await mint(okta.good, { claims })}` })).authentication.mfa, true);
  assert.equal((await plain.auth.authenticate({ authorization: `Bearer ${await mint(plain.good, { claims })}` })).authentication.mfa, false);
  const noMfa = await plain.auth.authenticate({ authorization: `Bearer ${await mint(plain.good, { claims: { acr: 'urn:example:no-mfa' } })}` });
  assert.deepEqual([noMfa.authentication.mfa, noMfa.authentication.strength], [false, 1]);
});

test('the step-up challenge says what is missing: acr_values to authenticate more strongly, max_age to authenticate again', () => {
  const stronger = stepUpChallenge({ acrValues: ['urn:okta:loa:2fa:any'] });
  assert.match(stronger, /error="insufficient_user_authentication"/);
  assert.match(stronger, /acr_values="urn:okta:loa:2fa:any"/);
  assert.doesNotMatch(stronger, /max_age/);
  const again = stepUpChallenge({ maxAge: 900 });
  assert.match(again, /max_age="900"/);
  assert.doesNotMatch(again, /acr_values/);
  assert.match(again, /more recent/);
  assert.doesNotMatch(stepUpChallenge({ acrValues: ['a"b\\c'] }), /a"b/, 'values cannot break out of the quotes');
});
