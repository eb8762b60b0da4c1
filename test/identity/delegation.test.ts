/** Finding 15: delegation through a JWT `act` claim passes the same `mayActFor` check as the header path. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mint } from '../helpers/jwks.js';
import { code, identitySetup } from './setup.js';

test('a JWT `act` naming an agent that may not act for the subject is refused, like the header', async () => {
  const { auth, good, apiKeys } = await identitySetup();
  // bot may act only for group:engineering; carol is in security.
  const token = await mint(good, { subject: 'carol', claims: { act: { sub: 'bot' } } });
  await assert.rejects(auth.authenticate({ authorization: `Bearer ${token}` }), (e) => code(e) === 'forbidden');
  const { key } = await apiKeys.create({ principal: 'bot' });
  await assert.rejects(auth.authenticate({ apiKey: key, onBehalfOf: 'carol' }), (e) => code(e) === 'forbidden');
  // Allowed pair: both paths give the same delegation.
  const viaToken = await auth.authenticate({ authorization: `Bearer ${await mint(good, { subject: 'alice', claims: { act: { sub: 'bot' } } })}` });
  const viaHeader = await auth.authenticate({ apiKey: key, onBehalfOf: 'alice' });
  for (const identity of [viaToken, viaHeader]) {
    assert.equal(identity.principal.id, 'bot');
    assert.equal(identity.delegation?.onBehalfOf.id, 'alice');
  }
});

test('siblings: a user as actor, an unknown actor, a malformed `act` and a header contradicting `act` are refused', async () => {
  const { auth, good } = await identitySetup();
  const reject = async (claims: Record<string, unknown>, expected: string, onBehalfOf?: string) => {
    const token = await mint(good, { subject: 'alice', claims });
    await assert.rejects(auth.authenticate({ authorization: `Bearer ${token}`, ...(onBehalfOf ? { onBehalfOf } : {}) }), (e) => code(e) === expected);
  };
  await reject({ act: { sub: 'bob' } }, 'forbidden'); // bob is a configured User, not an agent
  await reject({ act: { sub: 'ghost-agent' } }, 'forbidden'); // unknown agent: no mayActFor
  await reject({ act: 'bot' }, 'invalid_token');
  await reject({ act: { sub: 42 } }, 'invalid_token');
  await reject({ act: { sub: 'bot' } }, 'forbidden', 'bob');
});
