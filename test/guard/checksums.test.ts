import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base58CheckValid, bech32Valid, ibanValid, luhnValid, NATIONAL_ID_CHECKS, shannonEntropy, ssnValid } from '../../src/guard/dlp/checksums.js';
import { re2ToJs } from '../../src/guard/dlp/gitleaks/re2-to-js.js';

test('Luhn accepts test card numbers and rejects a changed digit', () => {
  for (const n of ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117']) assert.equal(luhnValid(n), true, n);
  assert.equal(luhnValid('4111111111111112'), false);
  assert.equal(luhnValid(''), false);
});

test('IBAN: registry length and mod-97', () => {
  assert.equal(ibanValid('GB82 WEST 1234 5698 7654 32'), true);
  assert.equal(ibanValid('DE89370400440532013000'), true);
  assert.equal(ibanValid('DE89370400440532013001'), false, 'check digits');
  assert.equal(ibanValid('DE8937040044053201300'), false, 'length');
  assert.equal(ibanValid('XX89370400440532013000'), false, 'unknown country');
});

test('SSN area, group and serial rules', () => {
  assert.equal(ssnValid('123456780'), true);
  for (const bad of ['000123456', '666123456', '900123456', '123001234', '123450000', '078051120']) assert.equal(ssnValid(bad), false, bad);
});

test('wallet checksums (Base58Check, Bech32)', () => {
  assert.equal(base58CheckValid('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2'), true);
  assert.equal(base58CheckValid('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3'), false);
  assert.equal(bech32Valid('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq'), true);
  assert.equal(bech32Valid('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx'), false);
});

test('national ids with check digits', () => {
  assert.equal(NATIONAL_ID_CHECKS.ES_NIF!('12345678Z'), true);
  assert.equal(NATIONAL_ID_CHECKS.ES_NIF!('12345678A'), false);
  assert.equal(NATIONAL_ID_CHECKS.PL_PESEL!('44051401359'), true);
  assert.equal(NATIONAL_ID_CHECKS.UK_NHS!('9434765919'), true);
  assert.equal(NATIONAL_ID_CHECKS.CA_SIN!('046454286'), true);
  assert.equal(NATIONAL_ID_CHECKS.FI_HETU!('131052-308T'), true);
  assert.equal(NATIONAL_ID_CHECKS.TR_TCKN!('10000000146'), true);
});

test('Shannon entropy', () => {
  assert.equal(shannonEntropy('aaaa'), 0);
  assert.equal(shannonEntropy('abcd'), 2);
});

test('RE2 to JS: scoped case-insensitivity, \\z, named groups, literal ] in a class', () => {
  const a = re2ToJs('\\b(p8e-(?i)[a-z0-9]{4})\\z');
  assert.equal(a.source, '\\b(p8e-[a-z0-9A-Z]{4})$');
  assert.ok(new RegExp(a.source, a.flags).test('p8e-AbC1'));
  assert.ok(!new RegExp(a.source, a.flags).test('P8E-abc1'), 'the prefix stays case-sensitive');
  const b = re2ToJs('(?i)key(?-i:[Aa]pi|API)');
  assert.equal(b.flags, '');
  const re = new RegExp(b.source, b.flags);
  assert.ok(re.test('KEYapi') && re.test('keyAPI') && !re.test('keyaPI'));
  assert.equal(re2ToJs('(?i)abc').flags, 'i');
  assert.equal(re2ToJs('(?P<alg>x)').source, '(?<alg>x)');
  const c = re2ToJs('[^:]+:\\[[^]]+]');
  assert.ok(new RegExp(c.source).test('a:[b]'));
  assert.equal(re2ToJs('(?s:.)').source, '(?:[\\s\\S])');
  assert.throws(() => re2ToJs('\\p{Greek}'));
});
