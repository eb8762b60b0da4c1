/** Canonical encoding (RFC 8785) and the C2SP checkpoint / signed-note format. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import canonicalize from 'canonicalize';
import { generateKeyPairSync } from 'node:crypto';
import { canonicalJson, checkpointBody, encodeEntry, decodeEntry, openCheckpoint, parseVerifierKey, verifierKeyString } from '../../src/audit/index.js';
import { claimedIndex } from '../../src/audit/encoding.js';
import { signCheckpoint } from '../../src/audit/checkpoint.js';
import { noteKeyId, rawPublicKey } from '../../src/audit/signing-key.js';
import { EMPTY_ROOT } from '../../src/audit/tree.js';

test('canonical JSON follows RFC 8785 (same bytes as the canonicalize reference package)', () => {
  // RFC 8785 section 3.2.3 example (numbers and strings), and sorting by UTF-16 code units.
  const rfc = { numbers: [333333333.3333333, 1e30, 4.5, 2e-3, 0.000000000000000000000000001], string: '\u20ac$\u000F\u000aA\'\u0042\u0022\u005c\\"/', literals: [null, true, false] };
  assert.equal(canonicalJson(rfc), '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  const sorting = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
  assert.equal(canonicalJson(sorting), canonicalize(sorting));
  // Differential test on random nested values.
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const value = (depth: number): unknown => {
    const r = rnd();
    if (depth > 3 || r < 0.3) return [() => rnd() * 1e6 - 5e5, () => Math.floor(rnd() * 1e9), () => `s${rnd()}\n"\u2028é`, () => rnd() < 0.5, () => null][Math.floor(rnd() * 5)]!();
    if (r < 0.6) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 5) }, () => [`k${Math.floor(rnd() * 100)}${rnd() < 0.2 ? 'é' : ''}`, value(depth + 1)]));
  };
  for (let i = 0; i < 300; i++) {
    const v = value(0);
    assert.equal(canonicalJson(v), canonicalize(v));
  }
  assert.throws(() => canonicalJson({ a: Number.NaN }));
  assert.throws(() => canonicalJson({ a: 1n }));
  assert.equal(canonicalJson({ a: undefined, b: [undefined] }), '{"b":[null]}');
});

test('an entry is {"event","index"} in canonical form, one line, and states its index', () => {
  const bytes = encodeEntry(42, { type: 'admin', z: 'line\nbreak', index: 7, details: { index: 9 } });
  const text = bytes.toString('utf8');
  assert.ok(!text.includes('\n'));
  assert.ok(text.startsWith('{"event":{"details":{"index":9},"index":7,"type":"admin"'));
  assert.ok(text.endsWith(',"index":42}'));
  assert.equal(claimedIndex(bytes), 42);
  assert.equal(decodeEntry(bytes).index, 42);
  assert.equal(claimedIndex(Buffer.from('{"event":{}}')), -1);
});

test('checkpoints are C2SP signed notes; verifier keys round-trip; tampering fails', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  const name = 'example.com/log';
  const signer = { name, keyId: noteKeyId(name, raw), privateKey, publicKey, publicKeyRaw: raw };
  const vkey = verifierKeyString(signer);
  assert.match(vkey, /^example\.com\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
  const verifier = parseVerifierKey(vkey);
  const cp = signCheckpoint({ origin: name, size: 0, rootHash: EMPTY_ROOT, time: '2026-01-01T00:00:00.000Z' }, signer);
  assert.equal(checkpointBody(cp), `${name}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\ntime 2026-01-01T00:00:00.000Z\n`);
  const sigLine = cp.note.split('\n')[5]!;
  assert.match(sigLine, /^\u2014 example\.com\/log [A-Za-z0-9+/]{91}=$/);
  assert.equal(Buffer.from(sigLine.split(' ')[2]!, 'base64').subarray(0, 4).toString('hex'), vkey.split('+')[1]);
  const opened = openCheckpoint(cp.note, verifier);
  assert.ok(opened.ok && opened.checkpoint.size === 0 && opened.checkpoint.time === '2026-01-01T00:00:00.000Z');
  for (const bad of [cp.note.replace('\n0\n', '\n1\n'), cp.note.replace('time 2026', 'time 2027'), cp.note.replace(name + '\n', 'other.org/log\n'), cp.note.slice(0, -2) + 'A\n', 'garbage']) {
    assert.equal(openCheckpoint(bad, verifier).ok, false, bad);
  }
  // A second signature line by another key is ignored; ours still verifies.
  assert.ok(openCheckpoint(cp.note + `\u2014 witness AAAA${'A'.repeat(88)}\n`, verifier).ok);
  assert.throws(() => parseVerifierKey(vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')));
});
