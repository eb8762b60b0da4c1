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
import { checkReferences } from '../../src/config/check.js';
import type { LoadedConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';

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

test('config check names a missing signals secret and duplicate names', () => {
  const config = configSchema.parse({
    signals: {
      transmitter: { enabled: true, signingKey: 'env:NO_SUCH_KEY', receivers: [{ name: 'idp', url: 'https://idp.test/e', audience: 'a', authorization: 'env:NO_TOKEN' }, { name: 'idp', url: 'https://idp.test/f', audience: 'b' }] },
      posture: { webhooks: [{ name: 'mdm', secret: 'env:NO_SECRET' }] },
    },
  });
  const loaded: LoadedConfig = { config, file: undefined, baseDir: process.cwd() };
  assert.deepEqual(
    checkReferences(loaded, {}).map((p) => p.path),
    ['signals.transmitter.signingKey', 'signals.transmitter.receivers.0.authorization', 'signals.posture.webhooks.0.secret', 'signals.transmitter.receivers.1.name'],
  );
});
