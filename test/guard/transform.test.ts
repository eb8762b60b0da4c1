import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyActions, maskValue, scanText, TokenVault, createRedactionState } from '../../src/guard/dlp/index.js';

test('mask keeps enough to recognise, never enough to reuse', () => {
  assert.equal(maskValue('EMAIL', 'jane@example.com'), 'j***@example.com');
  assert.equal(maskValue('CREDIT_CARD', '4111 1111 1111 1111'), '**** **** **** 1111');
  assert.equal(maskValue('SSN', '123-45-6780'), '***-**-6780');
  assert.equal(maskValue('SECRET', 'short'), '********');
  assert.ok(!maskValue('SECRET', 'ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5').includes('aB3d'));
});

test('redact numbers values consistently across messages of one request', () => {
  const state = createRedactionState();
  const t1 = 'a@x.io and b@x.io and a@x.io';
  const r1 = applyActions(t1, scanText(t1), () => 'redact', undefined, state);
  assert.equal(r1.text, '[EMAIL_1] and [EMAIL_2] and [EMAIL_1]');
  const t2 = 'again b@x.io';
  assert.equal(applyActions(t2, scanText(t2), () => 'redact', undefined, state).text, 'again [EMAIL_2]');
});

test('tokenize is reversible through the vault; block is reported', () => {
  const vault = new TokenVault();
  const text = 'mail jane@example.com now';
  const r = applyActions(text, scanText(text), () => 'tokenize', vault);
  assert.equal(r.text, 'mail [EMAIL_1] now');
  assert.equal(vault.detokenize('Sent to [EMAIL_1]; [EMAIL_9] is unknown'), 'Sent to jane@example.com; [EMAIL_9] is unknown');
  assert.equal(applyActions(text, scanText(text), () => 'block').blocked, true);
  assert.equal(TokenVault.pendingTokenPrefix('see [EMAI'), 5);
  assert.equal(TokenVault.pendingTokenPrefix('see [note] x'), 0);
});

test('a full vault falls back to redaction', () => {
  const vault = new TokenVault({ maxEntries: 1 });
  const text = 'a@x.io b@x.io';
  const r = applyActions(text, scanText(text), () => 'tokenize', vault);
  assert.equal(vault.size, 1);
  assert.equal(r.text, '[EMAIL_1] [EMAIL_2]');
  assert.equal(vault.detokenize(r.text), 'a@x.io [EMAIL_2]', 'the redacted value is not restored');
});
