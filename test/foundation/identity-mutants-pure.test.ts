/**
 * The identity module's pure functions, checked entry by entry for the mutation check
 * (`npm run mutate -- identity`, docs/mutation.md): RFC 8176 factor kinds, the mTLS identity's SAN
 * parsing, the scope vocabulary's bounds and messages, and the directory. No database, no keys: this file
 * runs in well under a second, and every mutant of these functions pays for one run of it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { WardenError } from '../../src/core/errors.js';
import type { Identity } from '../../src/core/types.js';
import { isMultiFactor } from '../../src/identity/mfa.js';
import { identityFromCertificate, verifiedCertificateSha256 } from '../../src/identity/mtls.js';
import { credentialAllows, requireScope, scopeAllows, scopeFor, scopeNotCovered, validateScopes, type ScopeNeed } from '../../src/identity/scopes.js';
import { Directory } from '../../src/identity/directory.js';

/** RFC 8176 section 2's methods that are a factor, by kind. */
const KINDS: Record<string, string[]> = {
  knowledge: ['pwd', 'pin', 'kba'],
  possession: ['hwk', 'swk', 'sc', 'otp', 'sms', 'tel', 'pop'],
  inherence: ['fpt', 'face', 'iris', 'retina', 'vbm'],
};

test('amr: every registered factor counts with one of another kind, never with one of its own kind; other methods never count', () => {
  for (const [kind, methods] of Object.entries(KINDS)) {
    const other = Object.entries(KINDS).find(([k]) => k !== kind)![1][0]!;
    for (const m of methods) {
      assert.equal(isMultiFactor({ amr: [m, other] }, []), true, `${m} + ${other}`);
      assert.equal(isMultiFactor({ amr: [m.toUpperCase(), other] }, []), true, `${m.toUpperCase()} + ${other}`);
      assert.equal(isMultiFactor({ amr: [m] }, []), false, `${m} alone`);
      for (const same of methods) assert.equal(isMultiFactor({ amr: [m, same] }, []), false, `${m} + ${same}: one kind`);
      for (const notAFactor of ['geo', 'rba', 'user', 'wia', 'mca', 'toString', 'constructor', '']) {
        assert.equal(isMultiFactor({ amr: [m, notAFactor] }, []), false, `${m} + ${notAFactor}`);
      }
    }
  }
  assert.equal(isMultiFactor({ amr: ['pwd', 7, 'otp'] }, []), true, 'non-strings are skipped, not fatal');
  assert.equal(isMultiFactor({ amr: [7, 'mfa'] }, []), true);
  assert.equal(isMultiFactor({}, []), false, 'no amr, no acr');
  assert.equal(isMultiFactor({ amr: { 0: 'pwd', 1: 'otp', length: 2 } }, []), false, 'amr must be an array');
});

test('an amr method named like an Object.prototype property is no factor (it counted as a second kind)', () => {
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
    assert.equal(isMultiFactor({ amr: ['pwd', name] }, []), false, `pwd + ${name}`);
    assert.equal(isMultiFactor({ amr: [name, 'valueOf'] }, []), false, `${name} + valueOf`);
  }
});

test('acr: only a configured value, exactly, and only a string', () => {
  assert.equal(isMultiFactor({ acr: 'gold' }, ['silver', 'gold']), true);
  assert.equal(isMultiFactor({ acr: 'gold' }, []), false);
  assert.equal(isMultiFactor({ acr: ['gold'] }, ['gold']), false, 'a list is not an acr value');
  assert.equal(isMultiFactor({ acr: 'gold', amr: ['pwd'] }, ['silver']), false);
  assert.equal(isMultiFactor({ acr: 'bronze', amr: ['pwd', 'otp'] }, ['gold']), true, 'amr still counts when acr does not');
});

function socket(authorized: boolean, cert: Record<string, unknown> | null | undefined): TLSSocket {
  return { authorized, getPeerCertificate: () => cert } as unknown as TLSSocket;
}

test('mTLS: SAN entries are trimmed and the first spiffe URI is the id; the certificate hash needs a verified certificate', () => {
  const raw = Buffer.from('der');
  const first = identityFromCertificate(socket(true, { raw, subjectaltname: 'URI:spiffe://a.test/one,URI:spiffe://a.test/two', subject: { CN: 'cn' } }));
  assert.equal(first?.id, 'spiffe://a.test/one', 'the first spiffe URI, no separators kept');
  assert.equal(identityFromCertificate(socket(true, { raw, subjectaltname: 'DNS:x,   URI:spiffe://a.test/svc   ', subject: {} }))?.spiffeId, 'spiffe://a.test/svc');
  assert.equal(identityFromCertificate(socket(true, { raw, subjectaltname: 'DNS:spiffe://a.test/svc, URI:spiffe:/a.test', subject: { CN: 'cn' } }))?.id, 'cn', 'only URI entries with spiffe://');
  assert.equal(identityFromCertificate(socket(true, { raw, subject: { CN: '' } })), undefined, 'an empty CN');
  assert.equal(identityFromCertificate(socket(true, { raw, subject: { CN: [] } })), undefined, 'an empty CN list');
  assert.equal(identityFromCertificate(socket(true, { raw })), undefined, 'no subject');
  assert.equal(identityFromCertificate(socket(true, null)), undefined);
  assert.equal(verifiedCertificateSha256(socket(true, { raw })), createHash('sha256').update(raw).digest('hex'), 'SHA-256 of the DER bytes, in hex');
  assert.equal(verifiedCertificateSha256(socket(false, { raw })), undefined, 'not verified');
  assert.equal(verifiedCertificateSha256(socket(true, {})), undefined, 'no DER bytes');
  assert.equal(verifiedCertificateSha256(socket(true, null)), undefined);
});

const apiKey = (scopes: string[]): Identity => ({ principal: { kind: 'User', id: 'alice', attributes: {}, groups: [], roles: [] }, authentication: { method: 'apikey', strength: 1, mfa: false, scopes } });

test('scopes: mcp and admin areas, route actions, and the narrowest scope each request needs', () => {
  const mcp = (server: string): ScopeNeed => ({ kind: 'mcp', server });
  const cases: [string[], ScopeNeed, boolean][] = [
    [['mcp'], mcp('github'), true],
    [['mcp:github'], mcp('github'), true],
    [['mcp:github'], mcp('jira'), false],
    [['mcp'], { kind: 'admin', area: 'keys' }, false],
    [['admin'], mcp('github'), false],
    [['routes'], mcp('github'), false],
    [['route:datasets:read'], { kind: 'route', name: 'vectors', action: 'read' }, false],
    [['chat:m'], { kind: 'llm', operation: 'embeddings', model: 'm' }, false],
    [['embeddings:m'], { kind: 'llm', operation: 'embeddings', model: 'm' }, true],
    [['authorize'], mcp('github'), false],
    [['bogus', 'mcp:jira'], mcp('jira'), true],
    // a need outside the vocabulary is refused whatever is held (here a server name with a space)
    [['*'], mcp('two words'), false],
    [['*'], { kind: 'route', name: 'a:b', action: 'read' }, false],
  ];
  for (const [scopes, need, expected] of cases) assert.equal(scopeAllows(scopes, need), expected, `${JSON.stringify(scopes)} ${JSON.stringify(need)}`);
  assert.equal(scopeFor({ kind: 'llm', operation: 'embeddings', model: 'org/m:1' }), 'embeddings:org/m:1');
  assert.equal(scopeFor({ kind: 'route', name: 'datasets', action: 'read' }), 'route:datasets:read');
  assert.equal(scopeFor({ kind: 'admin', area: 'keys' }), 'admin:keys');
  assert.equal(scopeFor({ kind: 'authorize' }), 'authorize');
  assert.equal(scopeFor(mcp('github')), 'mcp:github');
});

test('scopes: names up to 100 characters, models up to 200 without spaces or stars', () => {
  validateScopes([`admin:${'a'.repeat(100)}`, `mcp:${'m'.repeat(100)}`, `route:${'r'.repeat(100)}:${'x'.repeat(100)}`, `chat:${'c'.repeat(200)}`, 'route:a.b_c-D9']);
  for (const bad of [`admin:${'a'.repeat(101)}`, `mcp:${'m'.repeat(101)}`, `route:${'r'.repeat(101)}`, `route:r:${'x'.repeat(101)}`, `chat:${'c'.repeat(201)}`, 'chat:a b', 'embeddings:*', 'mcp:a/b', 'route::read', 'admin:a b', 'routes:x', 'authorize:x', '*:x']) {
    assert.throws(() => validateScopes(['chat', bad]), (e) => e instanceof WardenError && e.code === 'bad_request', bad);
  }
  // the message names the scope, cut to 100 characters, and lists the vocabulary
  assert.throws(() => validateScopes([`x${'y'.repeat(150)}`]), (e) => e instanceof WardenError && e.message.startsWith(`unknown scope \`x${'y'.repeat(99)}\`: use \`*\``) && e.message.includes('`mcp[:SERVER]`'));
  assert.equal(scopeNotCovered(['bogus'], ['chat']), 'chat', 'held scopes outside the vocabulary cover nothing');
  assert.equal(scopeNotCovered(['*'], ['chat', 'bogus']), 'bogus', 'a requested scope outside the vocabulary is never covered');
  assert.equal(scopeNotCovered(['mcp'], ['mcp:github', 'mcp']), undefined);
});

test('scopes bind API keys only, and the refusal names the missing scope', () => {
  const need: ScopeNeed = { kind: 'admin', area: 'keys' };
  assert.equal(credentialAllows(apiKey(['chat']), need), false);
  assert.equal(credentialAllows(apiKey(['admin']), need), true);
  for (const method of ['jwt', 'mtls', 'session'] as const) {
    const identity = apiKey([]);
    identity.authentication.method = method;
    assert.equal(credentialAllows(identity, need), true, `${method} is not scoped by Warden`);
  }
  requireScope(apiKey(['admin:keys']), need);
  assert.throws(() => requireScope(apiKey(['chat']), need), (e) => {
    assert.ok(e instanceof WardenError, String(e));
    assert.deepEqual({ code: e.code, message: e.message, details: e.details }, { code: 'insufficient_scope', message: 'the API key lacks the scope `admin:keys`', details: { scope: 'admin:keys' } });
    return true;
  });
});

test('directory: configured principals are copies; delegation by user id or group:NAME only; unknown devices have no posture', () => {
  const directory = new Directory(
    [
      { id: 'alice', kind: 'User', groups: ['eng'], roles: ['user'], attributes: { team: 'core' }, mayActFor: [] },
      { id: 'bot', kind: 'Agent', groups: [], roles: [], attributes: {}, mayActFor: ['group:eng', 'carol', 'eng'] },
    ],
    [{ id: 'laptop', managed: true, compliant: false, osPatched: true, diskEncrypted: false, platform: 'linux', certificates: ['ab'.repeat(32)] }],
  );
  const alice = directory.principal('alice');
  alice.groups.push('admins');
  alice.roles.push('admin');
  alice.attributes.team = 'changed';
  assert.deepEqual(directory.principal('alice'), { kind: 'User', id: 'alice', attributes: { team: 'core' }, groups: ['eng'], roles: ['user'] }, 'a caller cannot change the directory');
  assert.deepEqual(directory.principal('zed'), { kind: 'User', id: 'zed', attributes: {}, groups: [], roles: [] });
  assert.equal(directory.principal('zed', 'Agent').kind, 'Agent');
  assert.equal(directory.principal('bot', 'User').kind, 'Agent', "the configured kind wins over the caller's fallback");
  assert.equal(directory.has('bot'), true);
  assert.equal(directory.has('zed'), false);
  const user = (id: string, groups: string[] = []) => ({ kind: 'User' as const, id, attributes: {}, groups, roles: [] });
  assert.equal(directory.mayActFor('bot', user('dave', ['eng'])), true, 'by group');
  assert.equal(directory.mayActFor('bot', user('carol')), true, 'by id');
  assert.equal(directory.mayActFor('bot', user('eng')), true, 'a bare entry is a user id');
  assert.equal(directory.mayActFor('bot', user('erin', ['group:eng', 'carol'])), false, 'a bare entry is not a group');
  assert.equal(directory.mayActFor('bot', user('frank', ['ops'])), false);
  assert.equal(directory.mayActFor('alice', user('dave', ['eng'])), false, 'nothing configured');
  assert.equal(directory.mayActFor('nobody', user('carol')), false, 'not configured at all');
  assert.deepEqual(directory.device('laptop', 'certificate'), {
    id: 'laptop', managed: true, compliant: false, osPatched: true, diskEncrypted: false, platform: 'linux', proof: 'certificate',
    sources: { managed: 'config', compliant: 'config', osPatched: 'config', diskEncrypted: 'config' },
  });
  assert.deepEqual(directory.device('phone', 'proxy'), { id: 'phone', managed: false, compliant: false, osPatched: false, diskEncrypted: false, platform: 'unknown', proof: 'proxy' });
  assert.equal(directory.deviceIdForCertificate('ab'.repeat(32)), 'laptop');
  assert.equal(directory.deviceIdForCertificate('cd'.repeat(32)), undefined);
  assert.deepEqual(directory.listPrincipals().map((p) => p.id), ['alice', 'bot']);
});
