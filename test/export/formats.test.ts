import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultFormatContext, toCef, toEcs, toOcsf, toNative, escapeCefValue } from '../../src/export/formats/index.js';
import { CLASSES, validateOcsf } from './ocsf-validator.js';
import { sampleEvent } from './helpers.js';
import type { AuditRecord } from '../../src/audit/index.js';

const ctx = defaultFormatContext('warden-test');
const record = (i: number): AuditRecord => ({ index: i, leafHash: i.toString(16).padStart(64, '0'), event: sampleEvent(i) });

test('every sample event maps to a valid OCSF event of the expected class', () => {
  const expected = [3002, 3002, 6003, 2004, 1001, 3003, 6003, 2004, 2005];
  const seen = new Set<number>();
  for (let i = 0; i < 18; i++) {
    const ocsf = toOcsf(record(i), ctx);
    const errors = validateOcsf(ocsf);
    assert.deepEqual(errors, [], `event ${i} (${sampleEvent(i).type}) -> class ${ocsf.class_uid}: ${errors.join('; ')}`);
    if (i % 9 !== 8) assert.equal(ocsf.class_uid, expected[i % 9], `event ${i}`);
    seen.add(ocsf.class_uid);
    assert.equal((ocsf.metadata as { sequence: number }).sequence, i);
    assert.deepEqual((ocsf.unmapped as { warden: unknown }).warden, { log_index: i, leaf_hash: record(i).leafHash, event_type: sampleEvent(i).type });
  }
  // All six classes of the issue are produced and have fixture schemas.
  assert.deepEqual([...seen].sort(), [1001, 2004, 2005, 3002, 3003, 6003, 7001]);
  assert.deepEqual([...CLASSES.keys()].sort(), [1001, 2004, 2005, 3002, 3003, 6003, 7001]);
});

test('the validator catches missing required attributes, bad types and bad enum values', () => {
  const good = toOcsf(record(0), ctx);
  const missingUser = { ...good };
  delete (missingUser as Record<string, unknown>).user;
  assert.match(validateOcsf(missingUser).join(';'), /user: required attribute missing/);
  assert.match(validateOcsf({ ...good, severity_id: 7 }).join(';'), /severity_id: 7 is not an enum value/);
  assert.match(validateOcsf({ ...good, time: '2026-11-21' }).join(';'), /time: expected timestamp_t/);
  assert.match(validateOcsf({ ...good, type_uid: 300202 }).join(';'), /type_uid/);
  assert.match(validateOcsf({ ...good, activity_id: 42, type_uid: 300242 }).join(';'), /activity_id: 42 is not an enum value/);
  assert.match(validateOcsf({ ...good, made_up: 1 }).join(';'), /made_up: attribute not in the schema/);
  assert.match(validateOcsf({ ...good, metadata: { version: '1.5.0', product: { name: 'Warden' } } }).join(';'), /metadata.product.vendor_name: required/);
  assert.match(validateOcsf({ ...good, src_endpoint: { ip: 'not-an-ip' } }).join(';'), /src_endpoint.ip: expected ip_t/);
  const finding = toOcsf(record(3), ctx);
  assert.match(validateOcsf({ ...finding, finding_info: { title: 'x' } }).join(';'), /finding_info.uid: required/);
});

test('OCSF maps outcomes, severities and activities', () => {
  const authFail = toOcsf(record(1), ctx);
  assert.equal(authFail.status_id, 2);
  assert.equal(authFail.status_detail, 'invalid_api_key');
  assert.equal(authFail.auth_protocol_id, 99);
  const decision = toOcsf(record(2), ctx);
  assert.equal(decision.activity_id, 1); // POST -> Create
  assert.equal((decision.api as { operation: string }).operation, 'Warden::Action::"invoke"');
  const detection = toOcsf(record(3), ctx);
  assert.equal(detection.severity_id, 4);
  assert.equal(detection.confidence_score, 93);
  const tampered = toOcsf(record(13), ctx);
  assert.equal(tampered.class_uid, 1001);
  assert.equal(tampered.activity_id, 3);
  assert.equal(tampered.status_id, 2);
  const roles = toOcsf(record(5), ctx);
  assert.deepEqual(roles.iam_roles, [{ name: 'admin' }, { name: 'auditor' }]);
  assert.deepEqual((roles.metadata as { profiles: string[] }).profiles, ['host']);
  const incident = toOcsf(record(17), ctx);
  assert.equal(incident.class_uid, 2005);
  assert.equal(incident.status_id, 1);
});

test('ECS documents carry position, leaf hash and the usual fields', () => {
  for (let i = 0; i < 9; i++) {
    const doc = toEcs(record(i), ctx) as Record<string, Record<string, unknown>>;
    assert.equal(doc['@timestamp'] as unknown, sampleEvent(i).time);
    assert.equal(doc.event!.sequence, i);
    assert.equal(doc.event!.hash, record(i).leafHash);
    assert.equal((doc.ecs as { version: string }).version, '8.11.0');
    assert.ok(['event', 'alert', 'metric'].includes(doc.event!.kind as string));
    assert.ok(Array.isArray(doc.event!.category));
  }
  const decision = toEcs(record(2), ctx) as Record<string, Record<string, unknown>>;
  assert.deepEqual(decision.source, { ip: '203.0.113.7' });
  assert.equal(decision.event!.outcome, 'success');
});

test('CEF lines escape header and extension values and carry position and leaf hash', () => {
  const line = toCef(record(1), ctx);
  assert.match(line, /^CEF:0\|Warden\|Warden\|0\.1\.0\|authentication:failure\|apikey authentication failure\|3\|/);
  assert.match(line, / cn1=1 cn1Label=wardenLogIndex cs1=0{63}1 cs1Label=wardenLeafHash /);
  const detection = toCef(record(3), ctx);
  assert.ok(detection.includes('msg=guard.injection: ignore previous instructions\\nseen'), detection);
  assert.ok(!detection.includes('\n'));
  assert.equal(escapeCefValue('a=b\\c\r\nd'), 'a\\=b\\\\c\\nd');
  // Header pipes are escaped; extension pipes are not.
  const weird = toCef({ index: 0, leafHash: 'h', event: { ...sampleEvent(6), operation: 'a|b' } as ReturnType<typeof sampleEvent> }, ctx);
  assert.match(weird, /\|admin:a\\\|b\|/);
});

test('native records keep the event as logged', () => {
  assert.deepEqual(toNative(record(4)), { log_index: 4, leaf_hash: record(4).leafHash, event: sampleEvent(4) });
});
