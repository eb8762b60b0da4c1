import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseLog } from '../../src/risk/index.js';
import { splitJsonRecords } from '../../src/risk/connectors/records.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

test('CloudTrail: console logins, S3 data events with bytes, denials; a record without eventTime is reported by line', () => {
  const r = parseLog(fixture('cloudtrail.json'), 'cloudtrail');
  assert.equal(r.records, 5);
  assert.deepEqual(r.errors, [{ line: 66, message: 'missing `eventTime`' }]);
  const [login, get, put, root] = r.events as never as Record<string, never>[];
  assert.equal(login!.type, 'authentication');
  assert.equal(login!.outcome, 'success');
  assert.equal(login!.mfa, true);
  assert.deepEqual(get!.principal, { type: 'Service', id: 'ml-training' });
  assert.deepEqual(get!.resource, { type: 'S3Object', id: 'ml-datasets/training/corpus-v3.parquet' });
  assert.equal((get!.usage as unknown as { responseBytes: number }).responseBytes, 73400320);
  assert.equal(get!.credentialId, 'ASIAEXAMPLEKEY000001');
  assert.equal(put!.outcome, 'deny');
  assert.equal(put!.status, 403);
  assert.equal(put!.action, 's3:PutObject');
  assert.equal(root!.outcome, 'failure');
  assert.deepEqual(root!.principal, { type: 'User', id: 'root' });
});

test('Entra ID: Graph sign-ins keep location and device; a bad time is reported by its line', () => {
  const r = parseLog(fixture('entra-signins.json'), 'entra');
  assert.equal(r.records, 4);
  assert.equal(r.events.length, 3);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.line, 33);
  const first = r.events[0] as never as { principal: { id: string }; origin: Record<string, unknown>; device: string; mfa: boolean };
  assert.equal(first.principal.id, 'dana.lee@contoso.com');
  assert.deepEqual(first.origin, { system: 'entra', country: 'GB', city: 'London', lat: 51.5142, lon: -0.0931 });
  assert.equal(first.device, 'c3a4f1e2-7a6b-4f8c-9d0e-1f2a3b4c5d6e');
  assert.equal(first.mfa, true);
  assert.equal((r.events[2] as never as { outcome: string }).outcome, 'failure');
});

test('Entra ID: audit records in diagnostic and Graph shape; malformed lines counted', () => {
  const r = parseLog(fixture('entra-audit.jsonl'), 'entra');
  assert.equal(r.records, 4);
  assert.equal(r.events.length, 2);
  assert.deepEqual(r.errors.map((e) => e.line), [3, 4]);
  const [role, cred] = r.events as never as { action: string; principal: { type: string; id: string }; outcome: string }[];
  assert.equal(role!.action, 'entra:Add member to role');
  assert.deepEqual(cred!.principal, { type: 'Service', id: 'ci-deployer' });
  assert.equal(cred!.outcome, 'deny');
});

test('Okta: sessions, SSO, failures and admin events; malformed lines counted', () => {
  const r = parseLog(fixture('okta.jsonl'), 'okta');
  assert.equal(r.records, 6);
  assert.equal(r.events.length, 4);
  assert.deepEqual(r.errors, [
    { line: 5, message: 'missing `published`' },
    { line: 6, message: 'not valid JSON' },
  ]);
  const start = r.events[0] as never as { credentialId: string; origin: { asn: number; lat: number } ; device: string };
  assert.equal(start.credentialId, '102ExampleSessionA');
  assert.equal(start.origin.asn, 5089);
  assert.equal(start.device, 'f1e2d3c4b5a697887766554433221100');
  assert.equal((r.events[3] as never as { type: string; action: string }).action, 'okta:group.user_membership.add');
});

test('record splitting survives a cut-off file and braces inside strings', () => {
  const text = '{"Records": [\n{"a": "}{\\"]"},\n{"b": 1},\n{"c": [1, 2\n';
  const r = splitJsonRecords(text);
  assert.deepEqual(r.records.map((x) => x.line), [2, 3]);
  assert.deepEqual(r.errors, [{ line: 4, message: 'record is cut off: the file ends inside it' }]);
  const many = parseLog(Array.from({ length: 1000 }, (_, i) => (i === 500 ? '{oops' : '{"published":"x"}')).join('\n'), 'okta', { maxErrors: 3 });
  assert.equal(many.errorCount, 1000);
  assert.equal(many.errors.length, 3);
});
