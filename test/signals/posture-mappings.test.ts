/** MDM/EDR payloads → posture observations: Warden's generic shape and the Intune-, Jamf- and CrowdStrike-like mappings. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WardenError } from '../../src/core/errors.js';
import { mapPosture } from '../../src/signals/devices/mappings.js';

const NOW = Date.parse('2026-06-01T12:00:00.000Z');
const NOW_ISO = new Date(NOW).toISOString();

test('generic: one device or a list; unstated facts stay unstated; unknown members refused', () => {
  assert.deepEqual(mapPosture('generic', { deviceId: 'd1', compliant: true, observedAt: '2026-06-01T11:00:00Z' }, NOW), [{ device: 'd1', observedAt: '2026-06-01T11:00:00.000Z', facts: { compliant: true } }]);
  assert.deepEqual(mapPosture('generic', { devices: [{ deviceId: 'd1', managed: true, diskEncrypted: false }, { deviceId: 'd2', osPatched: true, platform: 'linux' }] }, NOW), [
    { device: 'd1', observedAt: NOW_ISO, facts: { managed: true, diskEncrypted: false } },
    { device: 'd2', observedAt: NOW_ISO, facts: { osPatched: true, platform: 'linux' } },
  ]);
  assert.throws(() => mapPosture('generic', { deviceId: 'd1', compliant: 'yes' }, NOW), (e) => e instanceof WardenError && e.code === 'validation_failed');
  assert.throws(() => mapPosture('generic', { deviceId: 'd1', trustMe: true }, NOW), WardenError);
  assert.throws(() => mapPosture('generic', { devices: [] }, NOW), WardenError);
});

test('intune: managedDevice fields (complianceState, managementState, isEncrypted, lastSyncDateTime)', () => {
  const body = { value: [{ id: 'intune-1', azureADDeviceId: 'aad-1', complianceState: 'noncompliant', managementState: 'managed', isEncrypted: true, operatingSystem: 'Windows', lastSyncDateTime: '2026-06-01T10:00:00Z', deviceName: 'LAPTOP' }] };
  assert.deepEqual(mapPosture('intune', body, NOW), [{ device: 'aad-1', observedAt: '2026-06-01T10:00:00.000Z', facts: { compliant: false, managed: true, diskEncrypted: true, platform: 'Windows' } }]);
  assert.equal(mapPosture('intune', { id: 'intune-2', complianceState: 'compliant' }, NOW)[0]!.facts.compliant, true);
});

test('jamf: a computer webhook (udid, managed, FileVault status, event time in ms)', () => {
  const body = { webhook: { eventTimestamp: NOW - 60_000, webhookEvent: 'ComputerInventoryCompleted' }, event: { computer: { udid: 'UDID-1', managed: true, fileVault2Status: 'ALL_ENCRYPTED', osPatched: false } } };
  assert.deepEqual(mapPosture('jamf', body, NOW), [{ device: 'UDID-1', observedAt: new Date(NOW - 60_000).toISOString(), facts: { managed: true, osPatched: false, diskEncrypted: true, platform: 'macOS' } }]);
});

test('crowdstrike: Zero Trust Assessment score, and a contained host is never compliant', () => {
  const body = { resources: [{ aid: 'aid-1', assessment: { overall: 72, os: 40 }, modified_time: '2026-06-01T11:30:00Z', platform: 'Windows' }, { aid: 'aid-2', assessment: { overall: 95 }, status: 'contained' }] };
  assert.deepEqual(mapPosture('crowdstrike', body, NOW), [
    { device: 'aid-1', observedAt: '2026-06-01T11:30:00.000Z', facts: { compliant: true, osPatched: false, platform: 'Windows' } },
    { device: 'aid-2', observedAt: NOW_ISO, facts: { compliant: false } },
  ]);
});
