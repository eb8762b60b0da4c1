/**
 * Risk partitioning in `warden start` (issue 12): two Warden processes with NATS and one PostgreSQL schema
 * split the 64 buckets between them, and the requests a principal sends through both instances reach its
 * one baseline in the shared store exactly once each.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Baseline } from '../../src/risk/baseline/principal.js';
import { OWNERS_BUCKET } from '../../src/risk/partition/leases.js';
import { PARTITION_DEFAULTS } from '../../src/risk/partition/owner.js';
import { PgRiskStateRepository } from '../../src/risk/store/postgres.js';
import { sharedKeyDir } from '../audit-ha/helpers.js';
import { startPrivateNats } from '../helpers/nats-server.js';
import { eventually, type EventuallyOptions } from '../helpers/eventually.js';
import { freshSchema } from '../helpers/postgres.js';
import { runCli, startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

/** A minute, with the instances' output on failure: buckets move only when a lease lapses, on a loaded machine. */
const riskWait = (instances: WardenProcess[]): EventuallyOptions => ({ timeoutMs: 60_000, intervalMs: 200, context: () => instances.map((i) => i.output().slice(-2000)).join('\n') });

test('two instances split the risk buckets and every request reaches the shared baseline once', async () => {
  const nats = await startPrivateNats();
  const fresh = await freshSchema('e2e');
  const instances: WardenProcess[] = [];
  let nc: NatsConnection | undefined;
  try {
    const keys = sharedKeyDir();
    const config = {
      principals: [{ id: 'alice', groups: ['engineering'], roles: ['user'] }],
      audit: { signingKeyFile: keys.signingKeyFile, encryption: { kekFile: keys.kekFile } },
    };
    const env = { WARDEN_DATABASE_URL: fresh.url, WARDEN_NATS_URL: nats.url };
    // One after the other: two TypeScript start-ups at once on a loaded 2-core machine can pass a minute.
    for (let i = 0; i < 2; i++) instances.push(await startWarden(config, { logLevel: 'warn', env }));
    const created = await runCli(['keys', 'create', '--principal', 'alice', '--data-dir', tempDir()], { WARDEN_DATABASE_URL: fresh.url });
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim().split('\n').at(-1)!;

    nc = await connect({ servers: nats.url });
    const kv = await new Kvm(nc).open(OWNERS_BUCKET).catch(() => undefined);
    const owners = async (): Promise<Map<string, number>> => {
      const counts = new Map<string, number>();
      const store = kv ?? (await new Kvm(nc!).open(OWNERS_BUCKET));
      for (let bucket = 0; bucket < PARTITION_DEFAULTS.buckets; bucket++) {
        const entry = await store.get(`bucket.${bucket}`);
        const owner = entry ? (JSON.parse(entry.string()) as { owner: string }).owner : '';
        if (owner) counts.set(owner, (counts.get(owner) ?? 0) + 1);
      }
      return counts;
    };
    await eventually('both instances own their share of the buckets', async () => {
      const counts = [...(await owners()).values()];
      return counts.length === 2 && counts.every((n) => n === PARTITION_DEFAULTS.buckets / 2);
    }, riskWait(instances));

    // The key was made by the CLI: a running instance learns it at its next key refresh (every second,
    // ApiKeyStore), and until then refuses it with a 401 whose decision names no principal, so alice's
    // baseline never counts it. Both instances must accept the key before the requests are counted.
    let sent = 0;
    const models = async (url: string): Promise<number> => {
      const res = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      await res.arrayBuffer();
      if (res.status === 200) sent++;
      return res.status;
    };
    for (const instance of instances) await eventually(`${instance.url} accepts the new key`, async () => (await models(instance.url)) === 200, riskWait(instances));
    for (let i = 0; i < 40; i++) assert.equal(await models(instances[i % 2]!.url), 200);
    const repo = await PgRiskStateRepository.open(fresh.pool);
    await eventually(`alice's shared baseline counts the ${sent} requests`, async () => {
      const row = (await repo.loadBaselines('principal')).find((r) => r.key === 'User:alice');
      return row !== undefined && Baseline.fromJSON(row.data).events === sent;
    }, riskWait(instances));
  } finally {
    for (const instance of instances) await instance.stop();
    await nc?.close();
    await nats.stop();
    await fresh.close();
  }
});
