/**
 * Selecting NATS: `cluster.natsUrl` in the file (validated, unknown keys refused with their path) or
 * `WARDEN_NATS_URL` (wins, validated the same); neither means the in-process bus, exactly as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { natsUrlFrom } from '../../src/cluster/select.js';
import { createCluster } from '../../src/cluster/create.js';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/logger.js';
import { InProcessBus } from '../../src/events/bus.js';
import { tempDir } from '../helpers/warden-process.js';

function load(cluster: unknown): ReturnType<typeof loadConfig> {
  const dir = tempDir();
  try {
    const file = join(dir, 'warden.yaml');
    writeFileSync(file, stringify({ dataDir: 'data', cluster }));
    return loadConfig({ configFile: file }, {}, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('cluster.natsUrl is validated and unknown cluster keys are refused with their path', () => {
  assert.equal(load({ natsUrl: 'nats://a:4222,nats://b:4222' }).config.cluster.natsUrl, 'nats://a:4222,nats://b:4222');
  assert.equal(load({}).config.cluster.natsUrl, undefined);
  assert.throws(() => load({ natsUrl: 'http://a:4222' }), (e: ConfigError) => e.issues?.some((i) => i.path === 'cluster.natsUrl') === true);
  assert.throws(() => load({ natsUrl: 'nats://a:4222, nats://b' }), ConfigError, 'spaces are not part of a server list');
  assert.throws(() => load({ natsURL: 'nats://a:4222' }), (e: ConfigError) => e.issues?.some((i) => i.path === 'cluster.natsURL') === true);
});

test('WARDEN_NATS_URL wins over the file and is validated the same way', () => {
  const { config } = load({ natsUrl: 'nats://file:4222' });
  assert.equal(natsUrlFrom(config, {}), 'nats://file:4222');
  assert.equal(natsUrlFrom(config, { WARDEN_NATS_URL: '' }), 'nats://file:4222');
  assert.equal(natsUrlFrom(config, { WARDEN_NATS_URL: 'tls://env:4222' }), 'tls://env:4222');
  assert.throws(() => natsUrlFrom(config, { WARDEN_NATS_URL: 'redis://x' }), /WARDEN_NATS_URL/);
});

test('without a NATS URL the bus is the in-process one and /readyz has nothing to add', async () => {
  const dir = tempDir();
  try {
    const cluster = await createCluster({ natsUrl: undefined, dataDir: dir, instanceId: 'one', logger: createLogger('silent'), onSubscriberError: () => {} });
    assert.ok(cluster.bus instanceof InProcessBus);
    assert.equal(cluster.natsBus, undefined);
    assert.equal(cluster.status(), undefined);
    await cluster.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
