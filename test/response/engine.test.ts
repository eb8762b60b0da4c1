/**
 * The response engine over real components: playbooks fire on bus events, actions take effect in memory
 * at once and are stored; dry-run, approval, rate limit, protected principals, undo, expiry, restart,
 * false-positive resolution.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Identity } from '../../src/core/types.js';
import { ResponseEngine, ResponseGate, responseConfigSchema, type ActionRecord } from '../../src/response/index.js';
import { harness, injection, quarantinePlaybook } from './helpers.js';

const user = (id: string, authn: Partial<Identity['authentication']> = {}): Identity => ({
  principal: { kind: 'User', id, attributes: {}, groups: [], roles: [] },
  authentication: { method: 'jwt', strength: 1, mfa: false, scopes: ['*'], ...authn },
});

test('three injection attempts quarantine the principal: in force at once, stored, audited, incident contained', async () => {
  const h = await harness({ playbooks: [quarantinePlaybook()] });
  const gate = new ResponseGate(h.engine.state);
  await h.emit(injection('mallory'));
  await h.emit(injection('mallory'));
  assert.equal(gate.facts(user('mallory')).response, undefined, 'two attempts are not enough');
  await h.emit(injection('mallory'));
  assert.deepEqual(gate.facts(user('mallory')).response?.quarantined, true);
  assert.equal(gate.facts(user('alice')).response, undefined, 'only the principal concerned');
  const [action] = await h.repo.listActions({ status: ['active'] });
  assert.equal(action?.type, 'quarantine');
  const audited = h.events.filter((e) => e.type === 'response' && e.action === 'quarantine');
  assert.equal(audited.length, 1);
  const incident = await h.engine.incidents.get(action!.incidentId!);
  assert.equal(incident.state, 'contained');
  assert.deepEqual(incident.timeline.map((t) => t.kind).slice(0, 2), ['first_malicious_event', 'detection']);
  assert.ok(incident.timeline.some((t) => t.kind === 'action' && t.ref === action!.id));
  assert.equal(incident.detections.length, 3, 'all three attempts are in one incident');
  // Idempotent: three more attempts do not stack a second quarantine.
  for (let i = 0; i < 3; i++) await h.emit(injection('mallory'));
  assert.equal((await h.repo.listActions({ status: ['active'] })).length, 1);
  await h.close();
});

test('an active quarantine survives a restart', async () => {
  const h = await harness({ playbooks: [quarantinePlaybook({ trigger: { events: ['detection'] } })] });
  await h.emit(injection('mallory'));
  await h.close();
  const again = await harness({ playbooks: [] }, h.dir);
  assert.equal(new ResponseGate(again.engine.state).facts(user('mallory')).response?.quarantined, true);
  await again.close();
});

test('revoke_credentials revokes API keys and refuses tokens issued before it, not after', async () => {
  const h = await harness({ playbooks: [{ name: 'revoke', trigger: { events: ['detection'] }, actions: [{ type: 'revoke_credentials' }] }] });
  const { record } = await h.apiKeys.create({ principal: 'mallory' });
  await h.apiKeys.create({ principal: 'alice' });
  const before = Math.floor(Date.now() / 1000) - 5;
  await h.emit(injection('mallory'));
  assert.ok((await h.apiKeys.list('mallory')).every((k) => k.revokedAt), 'the key is revoked');
  assert.equal((await h.apiKeys.list('alice'))[0]!.revokedAt, null, 'nobody else is touched');
  const [action] = await h.repo.listActions({ status: ['active'] });
  assert.deepEqual(action?.params.revokedKeys, [record.id]);
  const gate = new ResponseGate(h.engine.state);
  assert.equal(gate.revoked(user('mallory', { issuedAt: before })), true);
  assert.equal(gate.revoked(user('mallory')), true, 'a token without iat cannot show it is newer');
  assert.equal(gate.revoked(user('mallory', { issuedAt: Math.floor(Date.now() / 1000) + 5 })), false);
  assert.equal(gate.revoked(user('alice', { issuedAt: before })), false);
  await h.close();
});

test('dry-run records what it would do and enforces nothing', async () => {
  const h = await harness({ playbooks: [quarantinePlaybook({ dryRun: true, trigger: { events: ['detection'] } })] });
  await h.emit(injection('mallory'));
  assert.equal(new ResponseGate(h.engine.state).facts(user('mallory')).response, undefined);
  const [action] = await h.repo.listActions();
  assert.equal(action?.status, 'dry_run');
  const event = h.events.find((e) => e.type === 'response' && e.action === 'quarantine');
  assert.equal(event?.type === 'response' && event.details?.dryRun, true);
  await h.close();
});

test('approval: nothing until approved; rejected or late approvals change nothing', async () => {
  const h = await harness({ playbooks: [quarantinePlaybook({ trigger: { events: ['detection'] }, actions: [{ type: 'quarantine', approval: { deadlineSeconds: 600 } }] })] });
  const gate = new ResponseGate(h.engine.state);
  await h.emit(injection('mallory'));
  await h.emit(injection('erin'));
  const pending = await h.repo.listActions({ status: ['pending'] });
  assert.equal(pending.length, 2);
  assert.equal(gate.facts(user('mallory')).response, undefined);
  const mallory = pending.find((a) => a.target.id === 'mallory')!;
  const erin = pending.find((a) => a.target.id === 'erin')!;
  assert.equal((await h.engine.approve(mallory.id, 'carol')).status, 'active');
  assert.equal(gate.facts(user('mallory')).response?.quarantined, true);
  assert.equal((await h.engine.reject(erin.id, 'carol')).status, 'rejected');
  await assert.rejects(h.engine.approve(erin.id, 'carol'), /only a pending action/);
  // A deadline that passed: the approval is refused and the sweep records the rejection.
  const late: ActionRecord = { ...erin, id: 'act_late', status: 'pending', expiresAt: new Date(Date.now() - 1000).toISOString() };
  await h.repo.saveAction(late);
  await assert.rejects(h.engine.approve('act_late', 'carol'), /deadline/);
  await h.engine.refresh();
  assert.equal((await h.repo.getAction('act_late'))?.status, 'rejected');
  await h.close();
});

test('a flood of detections for many principals: the rate limit holds, the rest wait for a person, no event lost', async () => {
  const h = await harness({ playbooks: [quarantinePlaybook({ trigger: { events: ['detection'] }, rateLimit: { maxTargets: 3, windowSeconds: 3600 } })] });
  for (let i = 0; i < 40; i++) h.bus.publish(injection(`user${i}`));
  await h.bus.drain();
  const active = await h.repo.listActions({ status: ['active'] });
  const pending = await h.repo.listActions({ status: ['pending'] });
  assert.equal(active.length, 3);
  assert.equal(pending.length, 37);
  assert.ok(pending.every((a) => a.params.escalated === 'rate limit'));
  assert.equal((await h.repo.listIncidents()).length, 40, 'every detection is in an incident');
  await h.close();
});

test('protected principals are stepped up, never locked out', async () => {
  const h = await harness({ protectedPrincipals: ['breakglass'], playbooks: [{ name: 'lock', trigger: { events: ['detection'] }, actions: [{ type: 'quarantine' }, { type: 'revoke_credentials' }] }] });
  await h.apiKeys.create({ principal: 'breakglass' });
  await h.emit(injection('breakglass'));
  const gate = new ResponseGate(h.engine.state);
  const facts = gate.facts(user('breakglass')).response;
  assert.deepEqual({ quarantined: facts?.quarantined, stepUp: facts?.stepUpRequired }, { quarantined: false, stepUp: true });
  assert.equal(gate.revoked(user('breakglass', { issuedAt: 1 })), false);
  assert.equal((await h.apiKeys.list('breakglass'))[0]!.revokedAt, null);
  assert.deepEqual((await h.repo.listActions()).map((a) => a.type).sort(), ['quarantine', 'require_step_up']);
  await h.close();
});

test('undo lifts an action; undoing twice is a no-op; an expired action cannot be undone', async () => {
  const h = await harness({ playbooks: [quarantinePlaybook({ trigger: { events: ['detection'] } })] });
  await h.emit(injection('mallory'));
  const [action] = await h.repo.listActions({ status: ['active'] });
  assert.equal((await h.engine.undo(action!.id, 'carol')).status, 'undone');
  assert.equal(new ResponseGate(h.engine.state).facts(user('mallory')).response, undefined);
  assert.equal((await h.engine.undo(action!.id, 'carol')).status, 'undone');
  await h.repo.saveAction({ ...action!, id: 'act_old', status: 'active', expiresAt: new Date(Date.now() - 1000).toISOString() });
  await assert.rejects(h.engine.undo('act_old', 'carol'), (e: Error & { code?: string }) => e.code === 'conflict' && /already expired/.test(e.message));
  await assert.rejects(h.engine.undo('act_missing', 'carol'), (e: Error & { code?: string }) => e.code === 'not_found');
  await h.close();
});

test('an unknown principal is contained by id; an entity that is no principal fails the action with a reason', async () => {
  const h = await harness({ playbooks: [{ name: 'q', trigger: { events: ['detection'] }, actions: [{ type: 'quarantine' }, { type: 'revoke_credentials' }] }] });
  await h.emit(injection('ghost'));
  assert.equal(new ResponseGate(h.engine.state).facts(user('ghost')).response?.quarantined, true);
  const revoke = (await h.repo.listActions()).find((a) => a.type === 'revoke_credentials');
  assert.deepEqual(revoke?.params.revokedKeys, []);
  await h.emit({ type: 'detection', detector: 'risk.volume', category: 'volume', entity: { type: 'Device', id: 'd1' }, score: 0.9, severity: 'high', explanation: 'x' });
  const failed = await h.repo.listActions({ status: ['failed'] });
  assert.equal(failed.length, 2);
  assert.match(String(failed[0]!.params.error), /names no principal/);
  await h.close();
});

test('block_source, isolate_device and quarantine_asset apply to addresses, devices and assets', async () => {
  const h = await harness({
    playbooks: [
      { name: 'net', trigger: { events: ['detection'], detectors: ['risk.*'] }, actions: [{ type: 'block_source', network: '203.0.113.0/24' }, { type: 'isolate_device' }] },
      { name: 'tamper', trigger: { events: ['asset'] }, actions: [{ type: 'quarantine_asset' }] },
    ],
  });
  await h.emit({ type: 'detection', detector: 'risk.impossible_travel', category: 'travel', entity: { type: 'User', id: 'bob' }, score: 0.9, severity: 'high', explanation: 'x', details: { device: 'bob-laptop' } });
  await h.emit({ type: 'asset', assetId: 'sentiment-v3', change: 'tampered' });
  const s = h.engine.state;
  assert.ok(s.sourceBlock('203.0.113.77') && s.sourceBlock('::ffff:203.0.113.1'));
  assert.equal(s.sourceBlock('198.51.100.1'), undefined);
  assert.equal(s.deviceIsolated('bob-laptop'), true);
  assert.equal(s.assetSuspect('sentiment-v3'), true);
  await h.close();
});

test('resolving as false positive undoes the actions and clears the risk those detections added', async () => {
  const h = await harness({ playbooks: [quarantinePlaybook({ trigger: { events: ['detection'] } })] });
  const detection = await h.emit(injection('mallory'));
  h.risk.process(detection);
  assert.ok(h.risk.snapshot({ type: 'User', id: 'mallory' }).score > 0);
  const [action] = await h.repo.listActions({ status: ['active'] });
  const incident = await h.engine.resolveIncident(action!.incidentId!, 'false_positive', 'carol', 'a red-team exercise');
  assert.equal(incident.state, 'resolved');
  assert.equal((await h.repo.getAction(action!.id))?.status, 'undone');
  assert.equal(h.risk.snapshot({ type: 'User', id: 'mallory' }).score, 0);
  await assert.rejects(h.engine.resolveIncident(incident.id, 'true_positive', 'carol'), /already resolved/);
  await h.close();
});

test('changes made by the CLI (another engine, no bus) are published by the running one, once', async () => {
  const h = await harness({ playbooks: [quarantinePlaybook({ trigger: { events: ['detection'] } })] });
  await h.emit(injection('mallory'));
  const [action] = await h.repo.listActions({ status: ['active'] });
  const cli = new ResponseEngine({ repo: h.repo, config: responseConfigSchema.parse({}), credentials: h.apiKeys, env: {} });
  await cli.undo(action!.id, 'cli:carol');
  await cli.incidents.note(action!.incidentId!, 'looking into it', 'cli:carol');
  const before = h.events.length;
  await h.engine.refresh();
  await h.bus.drain();
  const published = h.events.slice(before);
  assert.ok(published.some((e) => e.type === 'response' && e.details?.status === 'undone'));
  assert.ok(published.some((e) => e.type === 'response' && e.action === 'incident.update' && /looking into it by cli:carol/.test(e.reason)));
  await h.engine.refresh();
  await h.bus.drain();
  assert.equal(h.events.length, before + published.length, 'published once');
  assert.equal(new ResponseGate(h.engine.state).facts(user('mallory')).response, undefined);
  await h.close();
});
