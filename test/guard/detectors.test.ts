import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanText, GITLEAKS_RULE_COUNT, GITLEAKS_DROPPED } from '../../src/guard/dlp/index.js';
import { GITLEAKS_RULES } from '../../src/guard/dlp/gitleaks/rules.generated.js';

function found(text: string, type?: string): string[] {
  return scanText(text)
    .filter((f) => !type || f.type === type)
    .map((f) => `${f.type}:${text.slice(f.start, f.end)}`);
}

test('personal data types with validation', () => {
  assert.deepEqual(found('write to jane.doe@example.com.', 'EMAIL'), ['EMAIL:jane.doe@example.com']);
  assert.deepEqual(found('card 4111 1111 1111 1111 exp 12/29', 'CREDIT_CARD'), ['CREDIT_CARD:4111 1111 1111 1111']);
  assert.deepEqual(found('card 4111 1111 1111 1112', 'CREDIT_CARD'), [], 'Luhn fails');
  assert.deepEqual(found('IBAN DE89 3704 0044 0532 0130 00 please', 'IBAN'), ['IBAN:DE89 3704 0044 0532 0130 00']);
  assert.deepEqual(found('IBAN DE89 3704 0044 0532 0130 01', 'IBAN'), [], 'mod-97 fails');
  assert.deepEqual(found("my SSN is 123-45-6780", 'SSN'), ['SSN:123-45-6780']);
  assert.deepEqual(found('id 666-45-6780', 'SSN'), [], 'area 666 is never issued');
  assert.deepEqual(found('call me at +1 415-555-2671 tomorrow', 'PHONE'), ['PHONE:+1 415-555-2671']);
  assert.deepEqual(found('from 10.1.2.3 and fe80::1%eth0', 'IP'), ['IP:10.1.2.3', 'IP:fe80::1%eth0']);
  assert.deepEqual(found('version 1.2.3.4.5 and std::vector and 10:30:00', 'IP'), []);
  assert.deepEqual(found('mac 00:1A:2B:3C:4D:5E', 'MAC_ADDRESS'), ['MAC_ADDRESS:00:1A:2B:3C:4D:5E']);
  assert.deepEqual(found('send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', 'CRYPTO_WALLET'), ['CRYPTO_WALLET:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2']);
  assert.deepEqual(found('DNI 12345678Z', 'NATIONAL_ID'), ['NATIONAL_ID:12345678Z']);
  assert.deepEqual(found('see https://bob:S3cr3tPw@example.com/x', 'URL_CREDENTIALS'), ['URL_CREDENTIALS:S3cr3tPw']);
});

test('secrets: provider keys (gitleaks), private keys, JWTs, connection strings, keyed values', () => {
  const gh = 'ghp_' + 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5';
  assert.deepEqual(found(`token ${gh}`, 'SECRET'), [`SECRET:${gh}`]);
  assert.equal(scanText(`export AWS_ACCESS_KEY_ID=AKIAQYLPMN5HHHFPZAM2`)[0]?.subtype, 'aws-access-token');
  assert.deepEqual(found('AKIAIOSFODNN7EXAMPLE', 'SECRET'), [], 'the documented example key is allow-listed');
  const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1x3tNHS+eXAMPLEbase64payloadAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END RSA PRIVATE KEY-----';
  assert.equal(scanText(`key:\n${pem}`)[0]?.subtype, 'private-key');
  const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
  assert.equal(found(`Authorization: Bearer ${jwt}`, 'SECRET').length, 1);
  assert.deepEqual(found('Server=db;User Id=sa;Password=Xy7!pQ2#zL9;', 'SECRET'), ['SECRET:Xy7!pQ2#zL9']);
  assert.deepEqual(found('postgres://app:pA55w0rd-x9@db.internal:5432/app', 'SECRET'), ['SECRET:pA55w0rd-x9']);
  assert.deepEqual(found('db_password = "Zx9#qL2!vR7@"', 'SECRET'), ['SECRET:Zx9#qL2!vR7@']);
});

test('look-alikes are not secrets: placeholders, low entropy, metadata keys, UUIDs', () => {
  for (const text of [
    'password = "changeme"',
    'api_key: <YOUR_API_KEY>',
    'token = ${GITHUB_TOKEN}',
    'password: xxxxxxxxxxxx',
    'credentialsId: "29f63271-dc2f-4734-8221-5b31b5169bac"',
    'secret_name = "prod-db-password"',
    'sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    'The password reset link was sent to the user.',
  ]) assert.deepEqual(found(text, 'SECRET'), [], text);
});

test('overlaps resolve to the strongest type', () => {
  const f = scanText('key: sk_live_4eC39HqLyjWDarjtT1zdp7dc');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.type, 'SECRET');
});

test('odd input never throws', () => {
  for (const text of ['', '\u0000\u0001', '\uD800', 'a'.repeat(100_000), '@'.repeat(5000), '1'.repeat(5000), ':'.repeat(3000), '-----BEGIN PRIVATE KEY-----']) {
    assert.doesNotThrow(() => scanText(text));
  }
});

test('the generated gitleaks rule set compiles and says what it dropped', () => {
  assert.equal(GITLEAKS_RULE_COUNT, GITLEAKS_RULES.length);
  assert.ok(GITLEAKS_RULE_COUNT > 200);
  for (const r of GITLEAKS_RULES) assert.doesNotThrow(() => new RegExp(r.source, r.flags), r.id);
  assert.ok(GITLEAKS_DROPPED.every((d) => d.reason.length > 0));
});
