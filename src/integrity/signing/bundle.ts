/**
 * The signature container: an in-toto Statement v1 in a DSSE envelope inside a Sigstore bundle v0.3, as
 * written by sigstore/model-transparency's key signer (`model.sig`).
 */
import { z } from 'zod';

export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPE = 'https://model_signing/signature/v1.0';

/** DSSE pre-authentication encoding: `DSSEv1 <len> <type> <len> <body>`. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

const base64 = z.string().max(64 * 1024 * 1024).regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'expected base64');

export const bundleSchema = z.object({
  mediaType: z.string().startsWith('application/vnd.dev.sigstore.bundle'),
  verificationMaterial: z
    .object({
      publicKey: z.object({ hint: z.string().optional() }).optional(),
    })
    .loose(),
  dsseEnvelope: z.object({
    payload: base64,
    payloadType: z.string(),
    signatures: z.array(z.object({ sig: base64, keyid: z.string().nullable().optional() })).min(1),
  }),
});
export type Bundle = z.infer<typeof bundleSchema>;

const resourceSchema = z.object({ name: z.string().min(1), algorithm: z.string(), digest: z.string().regex(/^[0-9a-f]{64}$/) });

/**
 * The `algorithm` model_signing writes for a resource: `sha256` for a file, `sha256-sharded-<size>` for
 * a shard (its ShardedFileHasher's digest name; checked against the project's published payload
 * goldens in test/integrity/model-signing-vectors.test.ts).
 */
export function resourceAlgorithm(serialization: { method: 'files' | 'shards'; shard_size?: number | undefined }): string {
  return serialization.method === 'shards' ? `sha256-sharded-${serialization.shard_size ?? 0}` : 'sha256';
}

export const statementSchema = z.object({
  _type: z.literal(STATEMENT_TYPE),
  subject: z.array(z.object({ name: z.string(), digest: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }) })).length(1),
  predicateType: z.literal(PREDICATE_TYPE),
  predicate: z.object({
    serialization: z.object({
      method: z.enum(['files', 'shards']),
      hash_type: z.literal('sha256'),
      allow_symlinks: z.union([z.boolean(), z.string()]).optional(),
      shard_size: z.number().int().positive().optional(),
      ignore_paths: z.array(z.string()).optional(),
    }),
    resources: z.array(resourceSchema),
  }),
}).superRefine((statement, ctx) => {
  // Every resource must name the algorithm its serialization implies. Warden before this release wrote
  // plain `sha256` for shards too: still accepted (the digest is the same SHA-256 of the byte range).
  const serialization = statement.predicate.serialization;
  if (serialization.method === 'shards' && serialization.shard_size === undefined) ctx.addIssue({ code: 'custom', message: 'a shards serialization needs `shard_size`' });
  const allowed = new Set([resourceAlgorithm(serialization), 'sha256']);
  statement.predicate.resources.forEach((r, i) => {
    if (!allowed.has(r.algorithm)) ctx.addIssue({ code: 'custom', path: ['predicate', 'resources', i, 'algorithm'], message: `\`${r.algorithm}\` is not the algorithm of a \`${serialization.method}\` serialization` });
  });
});
export type Statement = z.infer<typeof statementSchema>;
