/**
 * Taking a bucket while its former owner, stalled past its lease, still saves (owner.ts, "Take"): the
 * former owner's last save lands between the new owner's read of the checkpoint and its claim. The new
 * owner must start reading after the sequence its loaded baselines include, or it applies those events
 * twice. Deterministic: the repository runs the late save right after the take's first checkpoint read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { NatsLink } from '../../src/cluster/nats-link.js';
import { createLogger } from '../../src/core/logger.js';
import { openMemoryDatabase } from '../../src/risk/index.js';
import { ensureRiskStream, principalKeyOf, riskSubject } from '../../src/risk/partition/buckets.js';
import { partitionName, RiskPartitions } from '../../src/risk/partition/owner.js';
import { SqliteRiskStateRepository } from '../../src/risk/store/sqlite.js';
import type { RiskStateRepository } from '../../src/risk/store/types.js';
import type { RiskEngine } from '../../src/risk/types.js';
import type { WardenEvent } from '../../src/core/events.js';
import { startPrivateNats } from '../helpers/nats-server.js';

const ALICE = 'User:alice';
const PARTITION = partitionName(0);

/** Counts each principal's events: the part of the engine the partitions drive. */
function countingEngine(): RiskEngine {
  const counts = new Map<string, number>();
  const engine: Pick<RiskEngine, 'process' | 'exportPrincipals' | 'adoptPrincipals' | 'dropPrincipals'> = {
    process: (event) => {
      const key = principalKeyOf(event) ?? '';
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return [];
    },
    exportPrincipals: (keys) => [...keys].filter((k) => counts.has(k)).map((key) => ({ key, data: { events: counts.get(key) } })),
    adoptPrincipals: (rows) => {
      for (const { key, data } of rows) counts.set(key, (data as { events: number }).events);
    },
    dropPrincipals: (match) => {
      for (const key of [...counts.keys()]) if (match(key)) counts.delete(key);
    },
  };
  return engine as RiskEngine;
}

test('a save by the former owner between the take and its claim is not applied twice', async () => {
  const nats = await startPrivateNats();
  const logger = createLogger('silent');
  const link = new NatsLink({ url: nats.url, logger, retryMs: 50 });
  let partitions: RiskPartitions | undefined;
  try {
    link.start();
    while (!link.connected) await new Promise((resolve) => setTimeout(resolve, 20));
    const nc = link.connection!;
    await ensureRiskStream(nc);
    for (let i = 0; i < 3; i++) {
      const event = { id: randomUUID(), type: 'decision', time: new Date().toISOString(), principal: { type: 'User', id: 'alice' } } as WardenEvent;
      await jetstream(nc).publish(riskSubject(0), JSON.stringify(event), { msgID: event.id });
    }
    const stored = new SqliteRiskStateRepository(openMemoryDatabase());
    // The former owner (epoch 1) saved alice after stream message 1; it saves her again after message 2
    // once the new owner has read the checkpoint.
    const save = (events: number, seq: number): Promise<boolean> => stored.saveBaselines([{ kind: 'principal', key: ALICE, data: { events }, bucket: 0 }], { partition: PARTITION, seq, epoch: 1 });
    assert.equal(await save(1, 1), true);
    let lateSave: Promise<boolean> | undefined;
    const repo: RiskStateRepository = {
      loadBaselines: (kind, bucket) => stored.loadBaselines(kind, bucket),
      saveBaselines: (rows, checkpoint) => stored.saveBaselines(rows, checkpoint),
      checkpoint: async (partition) => {
        const read = await stored.checkpoint(partition);
        lateSave ??= save(2, 2);
        await lateSave;
        return read;
      },
    };
    partitions = new RiskPartitions({ link, engine: countingEngine(), repo, instanceId: 'new-owner', logger, buckets: 1, leaseMs: 60_000, renewMs: 60_000, checkpointMs: 20 });
    partitions.start();
    const deadline = Date.now() + 20_000;
    while ((await stored.checkpoint(PARTITION)).seq < 3) {
      assert.ok(Date.now() < deadline, 'the new owner never saved message 3');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const alice = (await stored.loadBaselines('principal', 0)).find((r) => r.key === ALICE);
    assert.deepEqual(alice?.data, { events: 3 });
  } finally {
    await partitions?.close();
    await link.close();
    await nats.stop();
  }
});
