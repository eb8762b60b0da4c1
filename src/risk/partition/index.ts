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
import type { Logger } from '../../core/index.js';
import type { NatsBus } from '../../events/index.js';
import type { RiskStateRepository } from '../store/types.js';
import type { RiskEngine } from '../types.js';
import { PARTITION_DEFAULTS, RiskPartitions } from './owner.js';
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

export function startRiskPartitions(targets: PartitionTargets): { owned(): number[]; close(): Promise<void> } | undefined {
  const { bus, link, engine, repo, instanceId, logger } = targets;
  if (!bus || !link || !targets.shared) return undefined;
  const router = routeRiskEvents(bus, link, PARTITION_DEFAULTS.buckets);
  const partitions = new RiskPartitions({ link, engine, repo, instanceId, logger });
  partitions.start();
  return {
    owned: () => partitions.owned(),
    close: async () => {
      await router.detach();
      await partitions.close();
    },
  };
}

export { RiskPartitions, partitionName, PARTITION_DEFAULTS, type RiskPartitionsOptions } from './owner.js';
export { bucketOf, principalKeyOf, RISK_STREAM } from './buckets.js';
