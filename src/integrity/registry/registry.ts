/**
 * The asset registry: models and datasets with their location, owner, sensitivity, expected signer and
 * accepted digest. Rows live in the integrity repository (SQLite or, in a cluster, PostgreSQL); a memory
 * copy of the attributes policies need is kept in step with every write made here and reloaded when
 * another instance or the CLI writes (the watcher: at once on PostgreSQL, periodically as well), so that
 * `attributes()` is synchronous on the request path and no decision waits for the database.
 *
 * @example
 * const asset = await registry.add({ kind: 'model', location: '/models/m', owner: 'ml-team' }, { id: 'alice' });
 * registry.attributes('Model', asset.id); // { verified: false, signer: '', lastVerified: 0, suspect: false }
 */
import { basename } from 'node:path';
import { WardenError } from '../../core/index.js';
import type { EventBus } from '../../events/index.js';
import { loadPublicKey } from '../signing/keys.js';
import type { AssetEvidence, AssetState, IntegrityRepository } from '../store/types.js';
import { assetInputSchema, type Actor, type Asset, type AssetInput } from './types.js';

export interface ResourceAttributes {
  verified: boolean;
  signer: string;
  lastVerified: number;
  suspect: boolean;
}

export class AssetRegistry {
  private readonly cache = new Map<string, ResourceAttributes & { kind: string }>();
  /** Count of writes made through this registry, and the count at each asset's latest one (see `reload`). */
  private writes = 0;
  private readonly writtenAt = new Map<string, number>();

  constructor(
    private readonly repo: IntegrityRepository,
    private readonly bus?: EventBus,
  ) {}

  /**
   * Re-reads every asset into the memory copy (picks up changes made by another instance or the CLI). An
   * asset written here while the read was under way keeps the newer copy this process already holds: a
   * slow reload must not bring back, say, `verified: true` for an asset just found tampered.
   */
  async reload(): Promise<void> {
    const since = this.writes;
    const assets = await this.repo.listAssets();
    const fresh = (id: string): boolean => (this.writtenAt.get(id) ?? 0) <= since;
    const ids = new Set(assets.map((a) => a.id));
    for (const id of this.cache.keys()) if (!ids.has(id) && fresh(id)) this.cache.delete(id);
    for (const asset of assets) if (fresh(asset.id)) this.cache.set(asset.id, attributesOf(asset));
  }

  async add(input: AssetInput, actor: Actor): Promise<Asset> {
    const parsed = assetInputSchema.safeParse(input);
    if (!parsed.success) throw new WardenError('validation_failed', `invalid asset: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const a = parsed.data;
    const key = a.signerPublicKey ? loadPublicKey(a.signerPublicKey) : undefined;
    const name = a.name ?? (basename(a.location) || a.location);
    const id = a.id ?? name.replace(/[^A-Za-z0-9._:-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 128);
    if (!id) throw new WardenError('validation_failed', 'cannot derive an asset id: give one');
    const serialization = { method: a.method, ...(a.method === 'shards' ? { shardSize: a.shardSize ?? 1_000_000_000 } : {}) };
    const inserted = await this.repo.insertAsset({
      id,
      kind: a.kind,
      name,
      location: a.location,
      owner: a.owner,
      sensitivity: a.sensitivity,
      expectedSigner: key?.hint ?? null,
      signerPublicKey: a.signerPublicKey ?? null,
      serialization,
      createdBy: actor.id,
      createdAt: new Date().toISOString(),
    });
    if (!inserted) throw new WardenError('conflict', `asset \`${id}\` already exists`);
    const asset = await this.require(id);
    this.remember(asset);
    this.bus?.publish({ type: 'asset', assetId: id, change: 'registered', actor: { type: actor.type ?? 'User', id: actor.id }, details: { kind: a.kind, location: a.location, owner: a.owner, sensitivity: a.sensitivity, expectedSigner: key?.hint ?? null } });
    return asset;
  }

  get(id: string): Promise<Asset | undefined> {
    return this.repo.getAsset(id);
  }

  async require(id: string): Promise<Asset> {
    const asset = await this.get(id);
    if (!asset) throw new WardenError('not_found', `no asset \`${id}\``);
    return asset;
  }

  list(): Promise<Asset[]> {
    return this.repo.listAssets();
  }

  /** The accepted per-item digests (for diffs) and the digest last reported as tampered. */
  async evidence(id: string): Promise<AssetEvidence> {
    return (await this.repo.assetEvidence(id)) ?? { manifest: null, tamperedDigest: null };
  }

  async update(id: string, state: AssetState): Promise<Asset> {
    const asset = await this.repo.updateAsset(id, state, new Date().toISOString());
    if (!asset) throw new WardenError('not_found', `no asset \`${id}\``);
    this.remember(asset);
    return asset;
  }

  /** Synchronous, from memory: what Cedar sees as `resource.verified`, `.signer`, `.lastVerified`, `.suspect`. */
  attributes(resourceType: string, resourceId: string): ResourceAttributes | undefined {
    const entry = this.cache.get(resourceId);
    if (!entry) return undefined;
    // `Warden::Model`, `Model` or `model`: only the asset's own kind matches.
    const type = resourceType.slice(resourceType.lastIndexOf(':') + 1).toLowerCase();
    if (type !== entry.kind) return undefined;
    return { verified: entry.verified, signer: entry.signer, lastVerified: entry.lastVerified, suspect: entry.suspect };
  }

  private remember(asset: Asset): void {
    this.writtenAt.set(asset.id, ++this.writes);
    this.cache.set(asset.id, attributesOf(asset));
  }
}

function attributesOf(asset: Asset): ResourceAttributes & { kind: string } {
  return { kind: asset.kind, verified: asset.verified, signer: asset.signer, lastVerified: asset.lastVerified, suspect: asset.suspect };
}
