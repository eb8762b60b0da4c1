/**
 * The asset registry: models and datasets with their location, owner, sensitivity, expected signer and
 * accepted digest. Rows live in SQLite; a memory copy of the attributes policies need is kept in step so
 * that `attributes()` is synchronous on the request path.
 *
 * @example
 * const asset = registry.add({ kind: 'model', location: '/models/m', owner: 'ml-team' }, { id: 'alice' });
 * registry.attributes('Model', asset.id); // { verified: false, signer: '', lastVerified: 0, suspect: false }
 */
import { basename } from 'node:path';
import { WardenError } from '../../core/errors.js';
import type { EventBus } from '../../events/bus.js';
import type { SqliteDatabase } from '../../store/database.js';
import { loadPublicKey } from '../signing/keys.js';
import { assetInputSchema, type Actor, type Asset, type AssetInput, type AssetStatus } from './types.js';

interface AssetRow {
  id: string;
  kind: 'model' | 'dataset';
  name: string;
  location: string;
  owner: string;
  sensitivity: string;
  expected_signer: string | null;
  signer_public_key: string | null;
  serialization: string;
  verified_digest: string | null;
  manifest: string | null;
  verified: number;
  signer: string;
  last_verified: number;
  status: AssetStatus;
  status_detail: string | null;
  tampered_digest: string | null;
  suspect: number;
  suspect_reason: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface ResourceAttributes {
  verified: boolean;
  signer: string;
  lastVerified: number;
  suspect: boolean;
}

function toAsset(row: AssetRow): Asset {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    location: row.location,
    owner: row.owner,
    sensitivity: row.sensitivity,
    expectedSigner: row.expected_signer,
    signerPublicKey: row.signer_public_key,
    serialization: JSON.parse(row.serialization) as Asset['serialization'],
    verifiedDigest: row.verified_digest,
    verified: row.verified === 1,
    signer: row.signer,
    lastVerified: row.last_verified,
    status: row.status,
    statusDetail: row.status_detail,
    suspect: row.suspect === 1,
    suspectReason: row.suspect_reason,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Fields the verifier updates together. */
export interface AssetState {
  verifiedDigest?: string | null;
  manifest?: { name: string; digest: string }[] | null;
  verified?: boolean;
  signer?: string;
  lastVerified?: number;
  status?: AssetStatus;
  statusDetail?: string | null;
  tamperedDigest?: string | null;
  suspect?: boolean;
  suspectReason?: string | null;
  serialization?: Asset['serialization'];
}

const COLUMNS: Record<keyof AssetState, string> = {
  verifiedDigest: 'verified_digest',
  manifest: 'manifest',
  verified: 'verified',
  signer: 'signer',
  lastVerified: 'last_verified',
  status: 'status',
  statusDetail: 'status_detail',
  tamperedDigest: 'tampered_digest',
  suspect: 'suspect',
  suspectReason: 'suspect_reason',
  serialization: 'serialization',
};

export class AssetRegistry {
  private readonly cache = new Map<string, ResourceAttributes & { kind: string }>();

  constructor(
    private readonly db: SqliteDatabase,
    private readonly bus?: EventBus,
  ) {
    this.reload();
  }

  /** Re-reads every asset into the memory copy (picks up changes made by another process, e.g. the CLI). */
  reload(): void {
    const rows = this.db.prepare('SELECT * FROM integrity_assets').all() as AssetRow[];
    const ids = new Set(rows.map((r) => r.id));
    for (const id of this.cache.keys()) if (!ids.has(id)) this.cache.delete(id);
    for (const row of rows) this.remember(toAsset(row));
  }

  add(input: AssetInput, actor: Actor): Asset {
    const parsed = assetInputSchema.safeParse(input);
    if (!parsed.success) throw new WardenError('validation_failed', `invalid asset: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const a = parsed.data;
    const key = a.signerPublicKey ? loadPublicKey(a.signerPublicKey) : undefined;
    const name = a.name ?? (basename(a.location) || a.location);
    const id = a.id ?? name.replace(/[^A-Za-z0-9._:-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 128);
    if (!id) throw new WardenError('validation_failed', 'cannot derive an asset id: give one');
    if (this.get(id)) throw new WardenError('conflict', `asset \`${id}\` already exists`);
    const now = new Date().toISOString();
    const serialization = { method: a.method, ...(a.method === 'shards' ? { shardSize: a.shardSize ?? 1_000_000_000 } : {}) };
    this.db
      .prepare(
        `INSERT INTO integrity_assets (id, kind, name, location, owner, sensitivity, expected_signer, signer_public_key, serialization,
          created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, a.kind, name, a.location, a.owner, a.sensitivity, key?.hint ?? null, a.signerPublicKey ?? null, JSON.stringify(serialization), actor.id, now, now);
    const asset = this.require(id);
    this.remember(asset);
    this.bus?.publish({ type: 'asset', assetId: id, change: 'registered', actor: { type: actor.type ?? 'User', id: actor.id }, details: { kind: a.kind, location: a.location, owner: a.owner, sensitivity: a.sensitivity, expectedSigner: key?.hint ?? null } });
    return asset;
  }

  get(id: string): Asset | undefined {
    const row = this.db.prepare('SELECT * FROM integrity_assets WHERE id = ?').get(id) as AssetRow | undefined;
    return row ? toAsset(row) : undefined;
  }

  require(id: string): Asset {
    const asset = this.get(id);
    if (!asset) throw new WardenError('not_found', `no asset \`${id}\``);
    return asset;
  }

  list(): Asset[] {
    return (this.db.prepare('SELECT * FROM integrity_assets ORDER BY id').all() as AssetRow[]).map(toAsset);
  }

  /** The accepted per-item digests (for diffs) and the digest last reported as tampered. */
  stored(id: string): { manifest: { name: string; digest: string }[] | null; tamperedDigest: string | null } {
    const row = this.db.prepare('SELECT manifest, tampered_digest FROM integrity_assets WHERE id = ?').get(id) as Pick<AssetRow, 'manifest' | 'tampered_digest'> | undefined;
    return { manifest: row?.manifest ? (JSON.parse(row.manifest) as { name: string; digest: string }[]) : null, tamperedDigest: row?.tampered_digest ?? null };
  }

  update(id: string, state: AssetState): Asset {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [key, column] of Object.entries(COLUMNS) as [keyof AssetState, string][]) {
      if (!(key in state)) continue;
      const value = state[key];
      sets.push(`${column} = ?`);
      values.push(typeof value === 'boolean' ? (value ? 1 : 0) : (key === 'manifest' || key === 'serialization') && value !== null ? JSON.stringify(value) : value);
    }
    sets.push('updated_at = ?');
    values.push(new Date().toISOString(), id);
    this.db.prepare(`UPDATE integrity_assets SET ${sets.join(', ')} WHERE id = ?`).run(...values);
    const asset = this.require(id);
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
    this.cache.set(asset.id, { kind: asset.kind, verified: asset.verified, signer: asset.signer, lastVerified: asset.lastVerified, suspect: asset.suspect });
  }
}
