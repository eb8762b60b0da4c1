import assert from 'node:assert/strict';
import { test } from 'node:test';
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, totpCode } from '../../src/mfa/totp.js';

// RFC 6238 appendix B, SHA-1 seed "12345678901234567890", 8 digits.
const SEED = Buffer.from('12345678901234567890');
const VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

test('RFC 6238 test vectors (SHA-1)', () => {
  for (const [seconds, expected] of VECTORS) assert.equal(hotp(SEED, Math.floor(seconds / 30), 8), expected, `T=${seconds}`);
});

test('RFC 4226 appendix D HOTP values', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  expected.forEach((code, counter) => assert.equal(hotp(SEED, counter), code));
});

test('a code matches its step and one either side, nothing further, and only six digits', () => {
  const now = 1_700_000_000_000;
  const code = totpCode(SEED, now);
  assert.equal(matchTotp(SEED, code, now), Math.floor(now / 30_000));
  assert.equal(matchTotp(SEED, code, now + 30_000), Math.floor(now / 30_000));
  assert.equal(matchTotp(SEED, code, now + 90_000), undefined);
  assert.equal(matchTotp(SEED, `${code}0`, now), undefined);
  assert.equal(matchTotp(SEED, 'abcdef', now), undefined);
});

test('base32 round-trips and the otpauth URI carries the secret and issuer', () => {
  assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI');
  assert.deepEqual(base32Decode('MZXW6YTBOI======'), Buffer.from('foobar'));
  assert.match(otpauthUri(SEED, 'Warden', 'alice'), /^otpauth:\/\/totp\/Warden:alice\?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Warden/);
});
