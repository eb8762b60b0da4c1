/** Playbook configuration: mistakes are refused with their key path; the matcher reads triggers exactly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { checkReferences } from '../../src/config/check.js';
import { PlaybookMatcher, fieldAt } from '../../src/response/matcher.js';
import { incidentStats } from '../../src/response/measures.js';
import { responseConfigSchema, type Incident } from '../../src/response/index.js';
import { stampEvent } from '../../src/events/bus.js';
import { tempDir } from '../helpers/warden-process.js';

function load(response: unknown) {
  const dir = tempDir('warden-config-');
  const file = join(dir, 'warden.yaml');
  writeFileSync(file, stringify({ response }));
  return loadConfig({ configFile: file }, {}, dir);
}

function issues(response: unknown): string[] {
  try {
    load(response);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

const trigger = { events: ['detection'] };

test('an invalid playbook is refused with the key path of the mistake', () => {
  assert.match(issues({ playbooks: [{ name: 'p', trigger, actions: [{ type: 'quarantine', mode: 'maybe' }] }] }).join('\n'), /response\.playbooks\.0\.actions\.0\.mode/);
  assert.match(issues({ playbooks: [{ name: 'p', trigger, actions: [{ type: 'explode' }] }] }).join('\n'), /response\.playbooks\.0\.actions\.0\.type/);
  assert.match(issues({ playbooks: [{ name: 'p', trigger, actions: [{ type: 'block_source', network: '10.0.0.0/33' }] }] }).join('\n'), /response\.playbooks\.0\.actions\.0\.network: expected an IP address or a CIDR/);
  assert.match(issues({ playbooks: [{ name: 'p', trigger, actions: [{ type: 'quarantine', durationSecs: 60 }] }] }).join('\n'), /response\.playbooks\.0\.actions\.0\.durationSecs: unknown key; did you mean `durationSeconds`/);
  assert.match(issues({ playbooks: [{ name: 'p', trigger: { events: ['risk'] }, actions: [{ type: 'quarantine' }] }] }).join('\n'), /response\.playbooks\.0\.trigger\.riskAtLeast/);
  const dup = { name: 'p', trigger, actions: [{ type: 'quarantine' }] };
  assert.match(issues({ playbooks: [dup, dup] }).join('\n'), /response\.playbooks\.1\.name: duplicate playbook name/);
  assert.match(issues({ playbooks: [{ name: 'p', trigger, actions: [] }] }).join('\n'), /response\.playbooks\.0\.actions/);
});

test('a notify secret that is not set is a configuration problem', () => {
  const loaded = load({ playbooks: [{ name: 'p', trigger, actions: [{ type: 'notify', url: 'https://hooks.example.com/x', secret: 'env:UNSET_HOOK_SECRET' }] }] });
  assert.deepEqual(checkReferences(loaded, {}).map((p) => p.path), ['response.playbooks.0.actions.0.secret']);
});

test('triggers: detectors with prefixes, severity, entity kinds, field matches, risk crossings, asset changes', () => {
  const config = responseConfigSchema.parse({
    playbooks: [
      { name: 'guard', trigger: { events: ['detection'], detectors: ['guard.*'], minSeverity: 'high', entityKinds: ['User'], match: { 'details.direction': 'input' } }, actions: [{ type: 'quarantine' }] },
      { name: 'risk', trigger: { events: ['risk'], riskAtLeast: 80 }, actions: [{ type: 'require_step_up' }] },
      { name: 'tamper', trigger: { events: ['asset'] }, actions: [{ type: 'quarantine_asset' }] },
    ],
  });
  const m = new PlaybookMatcher(config.playbooks);
  const names = (e: object) => m.match(stampEvent(e as never)).map((x) => x.playbook.name);
  const det = { type: 'detection', detector: 'guard.injection', category: 'c', entity: { type: 'User', id: 'u' }, score: 1, severity: 'high', explanation: 'x', details: { direction: 'input' } };
  assert.deepEqual(names(det), ['guard']);
  assert.deepEqual(names({ ...det, severity: 'medium' }), []);
  assert.deepEqual(names({ ...det, entity: { type: 'Service', id: 's' } }), []);
  assert.deepEqual(names({ ...det, details: { direction: 'output' } }), []);
  assert.deepEqual(names({ ...det, detector: 'risk.travel' }), []);
  assert.deepEqual(names({ type: 'risk', principal: { type: 'User', id: 'u' }, previous: 50, score: 85, factors: [], direction: 'up' }), ['risk']);
  assert.deepEqual(names({ type: 'risk', principal: { type: 'User', id: 'u' }, previous: 81, score: 85, factors: [], direction: 'up' }), [], 'only a crossing fires');
  assert.deepEqual(names({ type: 'asset', assetId: 'm', change: 'tampered' }), ['tamper']);
  assert.deepEqual(names({ type: 'asset', assetId: 'm', change: 'verified' }), []);
  assert.equal(fieldAt({ a: {} }, 'a.__proto__.polluted'), undefined, 'only own properties are walked');
});

test('measures: mean and p90 times, incidents per week by type, false-positive share', () => {
  const t = (s: number) => new Date(Date.UTC(2026, 0, 5) + s * 1000).toISOString();
  const incident = (i: number, detectAfter: number, resolution?: Incident['resolution']): Incident => ({
    id: `i${i}`, kind: 'entity', type: i % 2 ? 'guard.injection' : 'risk', title: '', severity: 'high', state: resolution ? 'resolved' : 'contained', entities: [], indicators: [], detections: [], detectorNames: [], actions: [], notes: [], timeline: [],
    firstEventAt: t(0), firstDetectionAt: t(detectAfter), containedAt: t(detectAfter + 1), lastActivityAt: t(0), createdAt: t(0), updatedAt: t(0),
    ...(resolution ? { resolution, resolvedAt: t(detectAfter + 100), acknowledgedAt: t(detectAfter + 10) } : {}),
  });
  const stats = incidentStats([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => incident(s, s, s <= 4 ? (s === 1 ? 'false_positive' : 'true_positive') : undefined)));
  assert.deepEqual(stats.timeToDetect, { count: 10, meanSeconds: 5.5, p90Seconds: 9 });
  assert.deepEqual(stats.timeToContain, { count: 10, meanSeconds: 1, p90Seconds: 1 });
  assert.deepEqual(stats.timeToResolve, { count: 4, meanSeconds: 100, p90Seconds: 100 });
  assert.deepEqual(stats.perWeek, { '2026-01-05': { 'guard.injection': 5, risk: 5 } });
  assert.equal(stats.falsePositiveShare, 0.25);
});
