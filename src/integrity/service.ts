/**
 * The integrity service that Warden's composition root wires in: registry, change control, lineage, verifier and
 * watcher over one repository (`StateStores.integrity`: SQLite, or PostgreSQL in a cluster), plus the
 * synchronous `resourceAttributes` the gateway gives to Cedar.
 *
 * @example
 * const integrity = await createIntegrity({ repo: stores.integrity, bus, config: integrityConfigSchema.parse({}) });
 * await integrity.watcher.start();
 * integrity.resourceAttributes('Warden::Model', 'sentiment-v3'); // { verified, signer, lastVerified, suspect }
 * await integrity.close();
 */
import type { EventBus } from '../events/index.js';
import { integrityConfigSchema, type IntegrityConfig } from './config.js';
import { HashPool } from './hash/pool.js';
import { AssetRegistry, type ResourceAttributes } from './registry/registry.js';
import { ChangeControl } from './registry/changes.js';
import { Lineage } from './registry/lineage.js';
import type { Actor, Asset, AssetInput, ChangeRequest } from './registry/types.js';
import type { IntegrityRepository } from './store/types.js';
import { AssetVerifier, type CheckOutcome } from './verifier.js';
import { AssetWatcher, type WatcherLogger } from './watcher.js';

export interface IntegrityOptions {
  repo: IntegrityRepository;
  bus?: EventBus;
  config?: IntegrityConfig;
  logger?: WatcherLogger;
}

export interface Integrity {
  config: IntegrityConfig;
  registry: AssetRegistry;
  changes: ChangeControl;
  lineage: Lineage;
  verifier: AssetVerifier;
  watcher: AssetWatcher;
  /** Registers an asset and checks it once (baseline digest, signature). */
  addAsset(input: AssetInput, actor: Actor): Promise<{ asset: Asset; check: CheckOutcome }>;
  /** Approves a change, then re-checks the asset so an already-made change is accepted at once. */
  approveChange(id: string, approver: Actor, note?: string): Promise<{ change: ChangeRequest; check?: CheckOutcome }>;
  /** Synchronous, from memory; undefined when the resource is not a registered asset. */
  resourceAttributes(resourceType: string, resourceId: string): ResourceAttributes | undefined;
  /** Clears the suspect mark of an asset (after review). */
  clearSuspect(id: string, actor: Actor): Promise<Asset>;
  close(): Promise<void>;
}

/** Builds the service and loads the attributes Cedar reads into memory (so it rejects when the store is away). */
export async function createIntegrity(options: IntegrityOptions): Promise<Integrity> {
  const config = options.config ?? integrityConfigSchema.parse({});
  const registry = new AssetRegistry(options.repo, options.bus);
  await registry.reload();
  const changes = new ChangeControl(options.repo, registry, { approverRoles: config.approverRoles, approvalTtlSeconds: config.approvalTtlSeconds }, options.bus);
  const lineage = new Lineage(options.repo, registry, options.bus);
  let pool: HashPool | undefined;
  const getPool = (): HashPool => (pool ??= new HashPool({ workers: config.hashWorkers, chunkBytes: config.readChunkBytes }));
  const verifier = new AssetVerifier({ registry, changes, lineage, pool: getPool, ...(options.bus ? { bus: options.bus } : {}) });
  const feed = options.repo.watchAssets?.bind(options.repo);
  const watcher = new AssetWatcher({ registry, verifier, config, ...(options.logger ? { logger: options.logger } : {}), ...(feed ? { changes: feed } : {}) });

  return {
    config,
    registry,
    changes,
    lineage,
    verifier,
    watcher,
    async addAsset(input, actor) {
      const asset = await registry.add(input, actor);
      const check = await verifier.check(asset.id, 'registered');
      await watcher.sync();
      return { asset: await registry.require(asset.id), check };
    },
    async approveChange(id, approver, note) {
      const change = await changes.approve(id, approver, note);
      try {
        const check = await verifier.check(change.assetId, 'change-approved');
        return { change: await changes.require(id), check };
      } catch (error) {
        options.logger?.warn({ assetId: change.assetId, err: error }, 'check after approval failed');
        return { change };
      }
    },
    resourceAttributes: (type, id) => registry.attributes(type, id),
    async clearSuspect(id, actor) {
      const asset = await registry.update(id, { suspect: false, suspectReason: null });
      options.bus?.publish({ type: 'admin', actor: { type: actor.type ?? 'User', id: actor.id }, operation: 'integrity.clear_suspect', target: id, outcome: 'success' });
      return asset;
    },
    async close() {
      await watcher.stop();
      await verifier.idle();
      await pool?.close();
      pool = undefined;
    },
  };
}
