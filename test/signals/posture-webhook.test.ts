/** MDM/EDR posture webhooks without sockets: HMAC authentication (and its refusals), storage with the source. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WardenError } from '../../src/core/errors.js';
import { InProcessBus } from '../../src/events/index.js';
import { signWebhook } from '../../src/response/webhook.js';
import { signalsConfigSchema } from '../../src/signals/config.js';
import { PostureWebhooks } from '../../src/signals/devices/webhooks.js';
import { SignalState } from '../../src/signals/state.js';
import { SqliteSignalsRepository } from '../../src/signals/store/sqlite.js';
import { openDatabase } from '../../src/store/index.js';
import { tempDir } from '../helpers/warden-process.js';

test('an Intune-like webhook signed with the shared secret is stored as `webhook:<name>`; a bad or old signature is refused', async () => {
  const repo = new SqliteSignalsRepository(openDatabase(tempDir()));
  const state = new SignalState(repo, 3600_000);
  const bus = new InProcessBus();
  const events: string[] = [];
  bus.subscribe((e) => void (e.type === 'detection' && events.push(e.detector)));
  const { webhooks } = signalsConfigSchema.parse({ posture: { webhooks: [{ name: 'intune', format: 'intune', secret: 'env:MDM_SECRET' }] } }).posture;
  const hooks = new PostureWebhooks({ repo, state, bus, instanceId: 'test', webhooks, env: { MDM_SECRET: 'shared-secret' }, clockSkewSeconds: 60 });
  const body = JSON.stringify({ value: [{ azureADDeviceId: 'aad-1', complianceState: 'noncompliant', managementState: 'managed' }] });
  const now = Date.now();
  const signed = signWebhook('shared-secret', body, now).headers;
  assert.deepEqual(await hooks.receive('intune', signed, Buffer.from(body), now), { received: 1, stored: 1 });
  assert.deepEqual(state.postureRecords('aad-1').map((r) => [r.source, r.facts]), [['webhook:intune', { compliant: false, managed: true }]]);
  await bus.drain();
  assert.deepEqual(events, ['posture.noncompliant'], 'a non-compliance report is a detection playbooks can act on');

  const refused = async (headers: Record<string, string>) => assert.rejects(hooks.receive('intune', headers, Buffer.from(body), now), (e) => e instanceof WardenError && e.code === 'unauthenticated');
  await refused(signWebhook('wrong-secret', body, now).headers);
  await refused(signWebhook('shared-secret', body, now - 600_000).headers);
  await refused({});
  await assert.rejects(hooks.receive('jamf', signed, Buffer.from(body), now), (e) => e instanceof WardenError && e.code === 'not_found');
});
