/** Records of the asset registry, change control and lineage, and the zod schemas of their inputs. */
import { z } from 'zod';

export const assetIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'asset ids are 1-128 letters, digits, `.`, `_`, `:` or `-`');

export const assetInputSchema = z.object({
  id: assetIdSchema.optional(),
  kind: z.enum(['model', 'dataset']),
  name: z.string().min(1).max(200).optional(),
  /** A local path (file or directory) or a URI; only local paths are hashed and watched. */
  location: z.string().min(1).max(4096),
  owner: z.string().min(1).max(200),
  sensitivity: z.enum(['public', 'internal', 'confidential', 'restricted']).default('internal'),
  /** PEM public key (P-256/P-384) of the expected signer; without one the asset is tracked but unsigned. */
  signerPublicKey: z.string().max(10_000).optional(),
  method: z.enum(['files', 'shards']).default('files'),
  shardSize: z.number().int().min(4096).optional(),
});
export type AssetInput = z.input<typeof assetInputSchema>;

export type AssetStatus = 'unverified' | 'unsigned' | 'verified' | 'failed' | 'tampered' | 'unavailable';

export interface Asset {
  id: string;
  kind: 'model' | 'dataset';
  name: string;
  location: string;
  owner: string;
  sensitivity: string;
  /** Hex SHA-256 of the expected signer's public key PEM (model_signing's key hint), or null. */
  expectedSigner: string | null;
  signerPublicKey: string | null;
  serialization: { method: 'files' | 'shards'; shardSize?: number };
  /** Root digest accepted as current (signed, baselined or approved through change control). */
  verifiedDigest: string | null;
  verified: boolean;
  signer: string;
  /** Epoch seconds of the last successful verification (0 = never). */
  lastVerified: number;
  status: AssetStatus;
  statusDetail: string | null;
  suspect: boolean;
  suspectReason: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface ChangeRequest {
  id: string;
  assetId: string;
  requestedBy: string;
  reason: string;
  expectedDigest: string | null;
  status: 'pending' | 'approved' | 'rejected' | 'applied' | 'expired';
  decidedBy: string | null;
  decisionNote: string | null;
  createdAt: string;
  decidedAt: string | null;
  appliedAt: string | null;
  appliedDigest: string | null;
}

export interface LineageEdge {
  id: number;
  upstreamId: string;
  downstreamId: string;
  runId: string | null;
  upstreamDigest: string | null;
  downstreamDigest: string | null;
  recordedBy: string;
  recordedAt: string;
}

/** Who did something: a principal id plus its roles (for change approval). */
export interface Actor {
  id: string;
  type?: string;
  roles?: string[];
}
