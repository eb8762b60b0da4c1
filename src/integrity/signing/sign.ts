/**
 * `sign`: hash a model (directory or file), build the model-signing statement and write `model.sig`.
 *
 * @example
 * const result = await signModel('/models/m', readFileSync('key.pem'), { pool });
 * // result.signaturePath === '/models/m/model.sig'
 */
import { sign as cryptoSign } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildManifest, SIGNATURE_FILE, type Manifest, type SerializationMethod } from '../manifest.js';
import type { HashPool } from '../hash/pool.js';
import { BUNDLE_MEDIA_TYPE, INTOTO_PAYLOAD_TYPE, pae, PREDICATE_TYPE, resourceAlgorithm, STATEMENT_TYPE } from './bundle.js';
import { loadPrivateKey } from './keys.js';

export interface SignOptions {
  pool: HashPool;
  method?: SerializationMethod;
  shardSize?: number;
  /** Where to write the signature; default `<dir>/model.sig` (next to a single file: `<file>.sig`). */
  signaturePath?: string;
}

export interface SignResult {
  signaturePath: string;
  manifest: Manifest;
  /** Hex SHA-256 of the signer's public key PEM. */
  signer: string;
}

/** The in-toto statement for a manifest, key order as model_signing writes it. */
export function statementFor(manifest: Manifest): Record<string, unknown> {
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: manifest.modelName, digest: { sha256: manifest.rootDigest } }],
    predicateType: PREDICATE_TYPE,
    predicate: {
      serialization: manifest.serialization,
      resources: manifest.items.map((item) => ({ name: item.name, algorithm: resourceAlgorithm(manifest.serialization), digest: item.digest })),
    },
  };
}

/** The Sigstore bundle (as a JSON-ready object) that signs `manifest` with `privateKeyPem`. */
export function signManifest(manifest: Manifest, privateKeyPem: string | Buffer): { bundle: Record<string, unknown>; signer: string } {
  const key = loadPrivateKey(privateKeyPem);
  const payload = Buffer.from(JSON.stringify(statementFor(manifest)), 'utf8');
  const signature = cryptoSign(key.hash, pae(INTOTO_PAYLOAD_TYPE, payload), key.key);
  const bundle = {
    mediaType: BUNDLE_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: key.hint }, tlogEntries: [] },
    dsseEnvelope: {
      payload: payload.toString('base64'),
      payloadType: INTOTO_PAYLOAD_TYPE,
      signatures: [{ sig: signature.toString('base64'), keyid: '' }],
    },
  };
  return { bundle, signer: key.hint };
}

export function defaultSignaturePath(modelPath: string): string {
  return statSync(modelPath).isDirectory() ? join(modelPath, SIGNATURE_FILE) : `${modelPath}.sig`;
}

export async function signModel(modelPath: string, privateKeyPem: string | Buffer, options: SignOptions): Promise<SignResult> {
  loadPrivateKey(privateKeyPem); // fail on a bad key before hashing gigabytes
  const manifest = await buildManifest(modelPath, { pool: options.pool, method: options.method ?? 'files', ...(options.shardSize ? { shardSize: options.shardSize } : {}) });
  const { bundle, signer } = signManifest(manifest, privateKeyPem);
  const signaturePath = options.signaturePath ?? defaultSignaturePath(modelPath);
  writeFileSync(signaturePath, JSON.stringify(bundle, null, 2) + '\n', { mode: 0o644 });
  return { signaturePath, manifest, signer };
}
