/**
 * Shared fast state: the in-process table (loader then changes), the JetStream KV implementation across
 * two connections to a private nats-server (propagation, the loader of an instance that starts later,
 * writes made while NATS is away), and the hooks into the API key store, the policy manager and risk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { NatsLink } from '../../src/cluster/nats-link.js';
import { NatsSharedState } from '../../src/cluster/nats-shared-state.js';
import { InProcessSharedState, type StateChange } from '../../src/cluster/shared-state.js';
import { shareState } from '../../src/cluster/share.js';
import { createLogger } from '../../src/core/logger.js';
import { InProcessBus } from '../../src/events/bus.js';
import { PolicyDecisionPoint, PolicyManager, SqlitePolicyRepository, demoPolicyDir, readBundle } from '../../src/policy/index.js';
import { openDatabase } from '../../src/store/index.js';
import { startPrivateNats } from '../helpers/nats-server.js';
import { sqliteKeyStore } from '../helpers/key-store.js';
import { tempDir } from '../helpers/warden-process.js';

const logger = createLogger(process.env.TEST_LOG ?? 'silent');

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('in process: a watcher gets the existing entries, then every change; one failing listener does not stop the others', async () => {
  const errors: unknown[] = [];
  const state = new InProcessSharedState('one', (e) => errors.push(e));
  await state.put('quarantine', 'User:"mallory"', { until: 'later' });
  const seen: StateChange[] = [];
  state.watch('quarantine', () => {
    throw new Error('broken listener');
  });
  state.watch('quarantine', (c) => seen.push(c));
  await state.put('quarantine', 'Agent:"bot"', { until: 'soon' });
  await state.remove('quarantine', 'User:"mallory"');
  assert.deepEqual(
    seen.map((c) => [c.key, c.value]),
    [
      ['User:"mallory"', { until: 'later' }],
      ['Agent:"bot"', { until: 'soon' }],
      ['User:"mallory"', undefined],
    ],
  );
  assert.equal(state.get('quarantine', 'User:"mallory"'), undefined);
  assert.equal(errors.length, 3, 'the broken listener was isolated each time');
});

test('over NATS KV: changes reach another instance, a later instance loads them, writes made while NATS is away are sent after', async () => {
  const nats = await startPrivateNats();
  const links: NatsLink[] = [];
  const states: NatsSharedState[] = [];
  const open = (id: string): NatsSharedState => {
    const link = new NatsLink({ url: nats.url, logger, retryMs: 50 });
    const state = new NatsSharedState({ link, instanceId: id, logger });
    link.start();
    links.push(link);
    states.push(state);
    return state;
  };
  try {
    const a = open('a');
    const b = open('b');
    await Promise.all([a.loaded(), b.loaded()]);
    const atB: StateChange[] = [];
    b.watch('apikey-revocation', (c) => atB.push(c));
    // Keys with characters NATS subjects do not allow travel intact.
    await a.put('apikey-revocation', 'key with spaces: "quoted" ✓', { at: '2026-01-01T00:00:00Z' });
    await until(() => atB.length === 1, 'the change at b');
    assert.deepEqual(atB[0], { kind: 'apikey-revocation', key: 'key with spaces: "quoted" ✓', value: { at: '2026-01-01T00:00:00Z' }, origin: 'a' });

    const later = open('c');
    await later.loaded();
    assert.deepEqual(later.get('apikey-revocation', 'key with spaces: "quoted" ✓'), { at: '2026-01-01T00:00:00Z' }, 'loaded before the first decision');

    await nats.kill();
    await until(() => !links[0]!.connected, 'a to notice');
    await a.put('subject-revocation', 'alice', { before: '2026-02-01T00:00:00Z' });
    assert.deepEqual(a.get('subject-revocation', 'alice'), { before: '2026-02-01T00:00:00Z' }, 'in force here at once');
    assert.equal(a.pendingWrites, 1);
    await nats.restart();
    await until(() => b.get('subject-revocation', 'alice') !== undefined, 'the deferred write at b', 30_000);
    assert.equal(a.pendingWrites, 0);
  } finally {
    for (const s of states) await s.close();
    for (const l of links) await l.close();
    await nats.stop();
  }
});

test('the hooks: revocations go out and come in, a remote activation loads at once, the higher risk score counts', async () => {
  const nats = await startPrivateNats();
  const dir = tempDir();
  const db = openDatabase(dir);
  const links = [new NatsLink({ url: nats.url, logger }), new NatsLink({ url: nats.url, logger })];
  const state = new NatsSharedState({ link: links[0]!, instanceId: 'here', logger });
  const elsewhere = new NatsSharedState({ link: links[1]!, instanceId: 'elsewhere', logger });
  try {
    for (const link of links) link.start();
    await Promise.all([state.loaded(), elsewhere.loaded()]);
    const bus = new InProcessBus();
    const apiKeys = await sqliteKeyStore(db);
    const bundle = readBundle(demoPolicyDir(), '', '');
    const policies = new PolicyManager(new SqlitePolicyRepository(db), new PolicyDecisionPoint('compiled'), logger);
    await policies.bootstrap(bundle, 'test');
    let localScore = 10;
    const shared = shareState(state, { apiKeys, policies, risk: { snapshot: () => ({ score: localScore, factors: [] }) }, bus, logger });

    const mine = await apiKeys.create({ principal: 'alice' });
    await apiKeys.revoke(mine.record.id);
    await until(() => elsewhere.get('apikey-revocation', mine.record.id) !== undefined, 'the local revocation elsewhere');

    const theirs = await apiKeys.create({ principal: 'bob' });
    assert.equal(apiKeys.verify(theirs.key).principal, 'bob');
    await elsewhere.put('apikey-revocation', theirs.record.id, { at: new Date().toISOString() });
    await until(() => state.get('apikey-revocation', theirs.record.id) !== undefined, 'the remote revocation here');
    assert.throws(() => apiKeys.verify(theirs.key), /revoked/);

    // Another instance activated a version in the shared store: this manager loads it without polling.
    const other = new PolicyManager(new SqlitePolicyRepository(db), new PolicyDecisionPoint('compiled'), logger);
    const next = { ...bundle, files: { ...bundle.files, 'extra.cedar': '@id("extra") forbid (principal, action, resource) when { false };' } };
    const report = await other.publish(next, 'elsewhere');
    assert.notEqual(policies.pdp.version, report.version);
    await elsewhere.put('policy-activation', 'active', { version: report.version });
    await until(() => policies.pdp.version === report.version, 'the activation here');

    await elsewhere.put('risk-snapshot', 'User:alice', { score: 80, factors: [{ name: 'impossible_travel', weight: 80 }] });
    await elsewhere.put('risk-snapshot', 'User:bob', { score: 1e9, factors: [] });
    await until(() => state.get('risk-snapshot', 'User:bob') !== undefined, 'the snapshots here');
    assert.equal(shared.risk.snapshot({ type: 'User', id: 'alice' }).score, 80, 'the higher remote score');
    localScore = 90;
    assert.equal(shared.risk.snapshot({ type: 'User', id: 'alice' }).score, 90, 'the higher local score');
    localScore = 0;
    assert.equal(shared.risk.snapshot({ type: 'User', id: 'bob' }).score, 0, 'an out-of-range snapshot is ignored');

    bus.publish({ type: 'risk', principal: { type: 'User', id: 'carol' }, previous: 0, score: 55, threshold: 50, direction: 'up', factors: [] });
    await until(() => elsewhere.get('risk-snapshot', 'User:carol') !== undefined, "this instance's crossing elsewhere");
    assert.deepEqual(elsewhere.get('risk-snapshot', 'User:carol'), { score: 55, factors: [] });
    shared.close();
  } finally {
    await state.close();
    await elsewhere.close();
    for (const link of links) await link.close();
    db.close();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
