/**
 * Generic secret detection on hand-written fixtures: keyed values in every configuration shape, token shapes
 * (known prefixes, CRC32 checksums, unknown prefixes, dotted tokens), look-alikes that must stay clean, and the
 * family switch the leave-one-family-out evaluation relies on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { createSecretDetector, crc32Base62Valid, familyOf, findCandidates, scanText, type DlpFinding } from '../../src/guard/dlp/index.js';
import { base62Checksum } from '../../src/guard/dlp/token-shape.js';

const VALUE = 'q7Rt2VzX9pLm4WnB8sKd';

function secrets(text: string): string[] {
  return scanText(text, { types: new Set(['SECRET', 'URL_CREDENTIALS']) }).map((f) => text.slice(f.start, f.end));
}

test('keyed values are found in every configuration shape', () => {
  const shapes = [
    `API_TOKEN=${VALUE}`, // env file
    `export SERVICE_SECRET="${VALUE}"`, // shell
    `service:\n  api_key: ${VALUE}`, // YAML
    `{"clientSecret": "${VALUE}"}`, // JSON
    `<password>${VALUE}</password>`, // XML element
    `<add key="StorageApiKey" value="${VALUE}" />`, // XML attribute pair (.NET config)
    `[db]\npassword = ${VALUE}`, // INI
    `spring.datasource.password=${VALUE}`, // properties
    `mytool --api-key ${VALUE} --verbose`, // CLI flag, space separated
    `mytool --auth-token=${VALUE}`, // CLI flag with =
    `GET /v1/items?access_token=${VALUE}&page=2`, // URL query
    `X-Api-Key: ${VALUE}`, // HTTP header
    `Authorization: Bearer ${VALUE}`, // HTTP authorization header
    `apiKey := "${VALUE}"`, // Go
    `$config['db_password'] => '${VALUE}',`, // PHP
    `client.setSecret("${VALUE}");`, // Java call
    `os.environ["SERVICE_TOKEN"] = "${VALUE}"`, // Python
    `char secret[25] = "${VALUE}";`, // C array
    `var cs = @"${VALUE}"; string password = @"${VALUE}";`, // C# verbatim string
    `getenv("API_TOKEN", "${VALUE}")`, // default argument
    `if (token == "${VALUE}") return;`, // comparison
    `my password is ${VALUE} please keep it`, // prose
  ];
  for (const text of shapes) assert.ok(secrets(text).includes(VALUE), text);
});

test('a URL with userinfo carries its password as a finding', () => {
  assert.deepEqual(secrets(`https://deploy:${VALUE}@git.example.com/repo.git`), [VALUE]);
});

test('keys that name metadata, placeholders, code and shell expansions are not secrets', () => {
  for (const text of [
    `token_url = "https://auth.example.com/token"`,
    `secret_name: prod-db-${VALUE.slice(0, 4)}`,
    `password_hint: "${VALUE}"`,
    `api_key = "\${API_KEY}"`,
    `API_KEY=$(vault read -field=key secret/api)`,
    'Authorization: Bearer $(gcloud auth print-access-token)',
    `token = config.get_token()`,
    'password = "changeme-please"',
    'authenticity_token = "x7Rt2VzX9pLm4WnB8sKdQ"',
    'api_key = "abcdefghijklmnop1234"',
    'The keyboard shortcut for the password manager is Ctrl+K.',
    'author: Jane Smith, tokens: 4096',
    `credentialsId: "29f63271-dc2f-4734-8221-5b31b5169bac"`,
  ]) assert.deepEqual(secrets(text), [], text);
});

test('GitHub-style CRC32 checksums verify tokens of any service that uses the format', () => {
  assert.ok(crc32Base62Valid('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'));
  assert.ok(!crc32Base62Valid('ghp_wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUy'), 'one character changed');
  const random = 'Zq8RkTn2WbVc5XyLp0MdFg7HsJa3Ue';
  const token = `zxq_${random}${base62Checksum(crc32(random))}`;
  assert.ok(crc32Base62Valid(token));
  const found = scanText(`deploy with ${token} today`);
  assert.equal(found[0]?.subtype, 'checksum-token');
});

test('token shapes: unknown prefixes and dotted tokens are found, digests and words are not', () => {
  assert.deepEqual(secrets('use qzx_live_4fT9kLm2Qw8ZrV1xNc7BpJ3dH6 in staging'), ['qzx_live_4fT9kLm2Qw8ZrV1xNc7BpJ3dH6']);
  const dotted = 'xk3Lm9Qw2Er5Ty8Ui1Op4As7DfRt5Yp.Gh6Jk9.Zx2Cv5Bn8Mq1Wr4Et7Yu0Io3Pa6';
  assert.deepEqual(secrets(`token ${dotted}`), [dotted]);
  for (const text of [
    'integrity sha512-9xQk2Vn7RtLm4WbZp8Cs1Yd6Fg3Hj0KaTuEo5Iw2Ny9Mr6Qx3Lz8Vb1Pk4Jc7Dh0',
    'see docs/api-reference/authentication-and-authorization-guide.md',
    'java package org.springframework.boot.autoconfigure.security.oauth2',
    'id api_org_96726c78_4ae3_402f_b08b_7a78c6903d2a',
    'bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t',
    'commit 3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a',
  ]) assert.deepEqual(secrets(text), [], text);
});

test('families: a fold without GitHub still finds a GitHub token generically, never through the GitHub rules', () => {
  assert.equal(familyOf('github-pat'), 'github');
  assert.equal(familyOf('slack-legacy-bot-token'), 'slack');
  assert.equal(familyOf('ibm_cos_hmac'), 'ibm');
  assert.equal(familyOf('keyword'), 'generic');
  const text = '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';
  const run = (exclude: string[]): DlpFinding[] => {
    const out: DlpFinding[] = [];
    createSecretDetector({ excludeFamilies: new Set(exclude) })(text, out, findCandidates(text));
    return out;
  };
  assert.ok(run([]).some((f) => f.subtype === 'github-pat'));
  const withoutGithub = run(['github']);
  assert.ok(withoutGithub.length > 0, 'found without the dedicated rule');
  assert.ok(withoutGithub.every((f) => familyOf(f.subtype ?? '') !== 'github'), JSON.stringify(withoutGithub));
});

test('the fused pass marks digit clusters and token runs, and nothing in plain prose', () => {
  const c = findCandidates('call +1 (415) 555-2671 or use 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');
  assert.equal(c.numeric.length, 2);
  assert.ok(c.runs.length >= 2);
  const prose = findCandidates('The quick brown fox jumps over the lazy dog, twice a day in 2024.');
  assert.deepEqual(prose.numeric, []);
  assert.deepEqual(prose.runs, []);
});
