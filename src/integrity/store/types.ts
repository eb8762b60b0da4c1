/**
 * The integrity registry's repository (issue 12 storage convention: async interface, `sqlite.ts` and
 * `postgres.ts`, one conformance suite in test/store/integrity.test.ts). It stores assets with their
 * accepted digest, manifest and verification state, change requests with their decisions, and lineage
 * edges. Every check-then-write the registry relies on (an id taken once, a change decided once and only
 * by someone other than its requester, an approval applied once, no lineage cycle) is one conditional
 * write or one transaction here, so two instances or a CLI beside a server cannot break it.
 */
import type { Asset, AssetStatus, ChangeRequest, LineageEdge } from '../registry/types.js';

export type ManifestEntry = { name: string; digest: string };

/** What registration stores; every verification field starts at its default (unverified). */
export type NewAsset = Pick<Asset, 'id' | 'kind' | 'name' | 'location' | 'owner' | 'sensitivity' | 'expectedSigner' | 'signerPublicKey' | 'serialization' | 'createdBy' | 'createdAt'>;

/** Fields the verifier updates together. */
export interface AssetState {
  verifiedDigest?: string | null;
  manifest?: ManifestEntry[] | null;
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

/** Kept out of `Asset`: a manifest can list many thousands of files and only the verifier reads it. */
export interface AssetEvidence {
  manifest: ManifestEntry[] | null;
  /** The digest last reported as tampered (`missing` when the asset was gone), so a state is reported once. */
  tamperedDigest: string | null;
}

export interface ChangeFilter {
  assetId?: string;
  status?: ChangeRequest['status'];
}

export interface ChangeDecision {
  status: 'approved' | 'rejected';
  by: string;
  note: string | null;
  at: string;
}

export interface IntegrityRepository {
  /** Stores a new asset; false (and nothing changed) when the id is already taken. */
  insertAsset(asset: NewAsset): Promise<boolean>;
  getAsset(id: string): Promise<Asset | undefined>;
  /** Every asset, by id. */
  listAssets(): Promise<Asset[]>;
  assetEvidence(id: string): Promise<AssetEvidence | undefined>;
  /** Writes the given fields and `updated_at`; undefined when there is no such asset. */
  updateAsset(id: string, state: AssetState, at: string): Promise<Asset | undefined>;

  insertChange(change: ChangeRequest): Promise<void>;
  getChange(id: string): Promise<ChangeRequest | undefined>;
  /** By creation time, then id. */
  listChanges(filter: ChangeFilter): Promise<ChangeRequest[]>;
  /** Approved changes decided before `cutoff` (ISO) become `expired`. */
  expireApprovals(cutoff: string): Promise<void>;
  /**
   * Decides a change in one conditional write: only while it is pending and only when `decision.by` is not
   * its requester (the two-person rule, enforced here as well as by the caller). Undefined when it did not
   * apply (another decision came first, or the requester tried): the caller re-reads to say why.
   */
  decideChange(id: string, decision: ChangeDecision): Promise<ChangeRequest | undefined>;
  /** approved -> applied with the digest it allowed, once, and only if approved at or after `approvedSince`; true when this call did it. */
  markApplied(id: string, digest: string, at: string, approvedSince: string): Promise<boolean>;

  /**
   * Records the edge unless `upstreamId` is already reachable downstream of `downstreamId` (the edge would
   * close a cycle): the reachability check and the insert are one transaction. Undefined for a cycle.
   */
  addEdge(edge: Omit<LineageEdge, 'id'>): Promise<LineageEdge | undefined>;
  /** The edges leaving (`down`) or entering (`up`) an asset, in the order they were recorded. */
  edges(assetId: string, direction: 'up' | 'down'): Promise<LineageEdge[]>;

  /**
   * Where other processes write the same registry (PostgreSQL): calls `onChange` soon after any committed
   * write to the assets, by this process, another instance or the CLI, and again after a lost connection
   * was re-established (changes may have been missed meanwhile). Failures go to `onError` and are retried;
   * the caller keeps its periodic reload as the safety net. Absent on SQLite (one process serves it).
   */
  watchAssets?(onChange: () => void, onError: (error: unknown) => void): Promise<AssetWatch>;
}

export interface AssetWatch {
  close(): Promise<void>;
}

/** Column of each `AssetState` field, shared by both backends (the keys are the only names put in SQL). */
const ASSET_STATE_COLUMNS: Record<keyof AssetState, string> = {
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

/** The `[column, value]` pairs of a state update, JSON columns encoded; booleans left to the backend. */
export function stateAssignments(state: AssetState): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [key, column] of Object.entries(ASSET_STATE_COLUMNS) as [keyof AssetState, string][]) {
    if (!(key in state)) continue;
    const value = state[key];
    out.push([column, (key === 'manifest' || key === 'serialization') && value !== null && value !== undefined ? JSON.stringify(value) : value]);
  }
  return out;
}

/** The asset columns every read selects (not the manifest: see `AssetEvidence`). */
export const ASSET_COLUMNS =
  'id, kind, name, location, owner, sensitivity, expected_signer, signer_public_key, serialization, verified_digest, verified, signer, last_verified, status, status_detail, suspect, suspect_reason, created_by, created_at, updated_at';

/** An asset row once each backend has decoded its booleans, numbers and times. */
export interface AssetRow {
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
  verified: boolean;
  signer: string;
  last_verified: number;
  status: AssetStatus;
  status_detail: string | null;
  suspect: boolean;
  suspect_reason: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export function assetFromRow(row: AssetRow): Asset {
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
    verified: row.verified,
    signer: row.signer,
    lastVerified: row.last_verified,
    status: row.status,
    statusDetail: row.status_detail,
    suspect: row.suspect,
    suspectReason: row.suspect_reason,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function evidenceFrom(manifest: string | null, tamperedDigest: string | null): AssetEvidence {
  return { manifest: manifest ? (JSON.parse(manifest) as ManifestEntry[]) : null, tamperedDigest };
}

/** A change row with times as ISO text. */
export interface ChangeRow {
  id: string;
  asset_id: string;
  requested_by: string;
  reason: string;
  expected_digest: string | null;
  status: ChangeRequest['status'];
  decided_by: string | null;
  decision_note: string | null;
  created_at: string;
  decided_at: string | null;
  applied_at: string | null;
  applied_digest: string | null;
}

export function changeFromRow(r: ChangeRow): ChangeRequest {
  return { id: r.id, assetId: r.asset_id, requestedBy: r.requested_by, reason: r.reason, expectedDigest: r.expected_digest, status: r.status, decidedBy: r.decided_by, decisionNote: r.decision_note, createdAt: r.created_at, decidedAt: r.decided_at, appliedAt: r.applied_at, appliedDigest: r.applied_digest };
}

/** A lineage row with its id as a number and its time as ISO text. */
export interface EdgeRow {
  id: number;
  upstream_id: string;
  downstream_id: string;
  run_id: string | null;
  upstream_digest: string | null;
  downstream_digest: string | null;
  recorded_by: string;
  recorded_at: string;
}

export function edgeFromRow(r: EdgeRow): LineageEdge {
  return { id: r.id, upstreamId: r.upstream_id, downstreamId: r.downstream_id, runId: r.run_id, upstreamDigest: r.upstream_digest, downstreamDigest: r.downstream_digest, recordedBy: r.recorded_by, recordedAt: r.recorded_at };
}
