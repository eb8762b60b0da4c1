/**
 * Risk partitioning for a cluster (docs/deploy.md, "Risk partitioning"): turned on when an instance has
 * both the JetStream bus and a cluster database, where the baselines can be shared; otherwise the engine
 * learns from the local bus exactly as a single instance does.
 *
 * @example
 * const partitions = startRiskPartitions({ bus: cluster.natsBus, link: cluster.link, engine, repo: stores.risk, shared: true, instanceId, logger });
 * if (!partitions) engine.subscribeTo(bus);
 */
import type { NatsLink } from '../../cluster/index.js';
import { type Logger, type WardenEvent, WardenError, type EntityRef } from '../../core/index.js';
import type { NatsBus } from '../../events/index.js';
import type { NatsConnection } from '@nats-io/transport-node';
import type { RiskStateRepository } from '../store/types.js';
import type { RiskEngine } from '../types.js';
import { PARTITION_DEFAULTS, RiskPartitions } from './owner.js';
import { ImportPublishError, publishForgive, publishImported, type ImportReceipt } from './publish.js';
import { routeRiskEvents } from './router.js';

export interface PartitionTargets {
  bus: NatsBus | undefined;
  link: NatsLink | undefined;
  engine: RiskEngine;
  repo: RiskStateRepository;
  /** True when `repo` is the cluster's database (on an instance's own SQLite nothing could be shared). */
  shared: boolean;
  instanceId: string;
  logger: Logger;
}

export interface StartedPartitions {
  owned(): number[];
  /** Imported events onto their buckets' subjects, for the owners (`POST /admin/ingest` in a cluster). */
  publishImported(events: readonly WardenEvent[]): Promise<ImportReceipt>;
  /** Sends a forgive to the principal's owner, to apply in order with its events. */
  forgive(principal: EntityRef, detectors: readonly string[], until: number): Promise<void>;
  close(): Promise<void>;
}

export function startRiskPartitions(targets: PartitionTargets): StartedPartitions | undefined {
  const { bus, link, engine, repo, instanceId, logger } = targets;
  if (!bus || !link || !targets.shared) return undefined;
  const router = routeRiskEvents(bus, link, PARTITION_DEFAULTS.buckets);
  const partitions = new RiskPartitions({ link, engine, repo, instanceId, logger });
  partitions.start();
  /** Fails closed: without JetStream nothing can reach the owners, and nothing is said to have been. */
  const connection = (): NatsConnection => {
    if (!link.connection || !link.connected) throw new WardenError('not_ready', 'the partitioned risk stream (NATS JetStream) is unreachable: nothing was published; retry shortly');
    return link.connection;
  };
  return {
    owned: () => partitions.owned(),
    publishImported: async (events) => {
      const nc = connection();
      try {
        return await publishImported(nc, events, PARTITION_DEFAULTS.buckets);
      } catch (error) {
        const stored = error instanceof ImportPublishError ? error.acknowledged : 0;
        throw new WardenError('not_ready', `the partitioned risk stream did not store every event (${stored} of ${events.length} acknowledged; sending the same batch again stores the others once); retry shortly`, { cause: error });
      }
    },
    forgive: (principal, detectors, until) => publishForgive(connection(), principal, detectors, until, PARTITION_DEFAULTS.buckets),
    close: async () => {
      await router.detach();
      await partitions.close();
    },
  };
}

export { RiskPartitions, partitionName, PARTITION_DEFAULTS, type RiskPartitionsOptions } from './owner.js';
export { bucketOf, principalKeyOf, RISK_STREAM } from './buckets.js';
export { ImportPublishError, publishImported, waitForCheckpoints, type ImportReceipt } from './publish.js';
