/**
 * `verify`: check a `model.sig` against a public key, then re-hash the model with the signature's own
 * serialization settings and report every added, removed, renamed or modified file by name.
 *
 * @example
 * const v = await verifyModel('/models/m', readFileSync('pub.pem'), { pool });
 * if (!v.ok) console.log(v.reason, v.diff);
 */
import { JsonSyntaxError, parseJsonLossless } from '../../core/index.js';
import { verify as cryptoVerify } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import { buildManifest, compareItemNames, diffManifests, isEmptyDiff, rootDigestOf, type Manifest, type ManifestDiff, type ManifestItem } from '../manifest.js';
import type { HashPool } from '../hash/pool.js';
import { bundleSchema, INTOTO_PAYLOAD_TYPE, pae, statementSchema, type Statement } from './bundle.js';
import { defaultSignaturePath } from './sign.js';
import { loadPublicKey } from './keys.js';

export type VerifyFailure = 'no_signature' | 'malformed_signature' | 'wrong_key' | 'bad_signature' | 'inconsistent_manifest' | 'files_changed';

export interface VerifyResult {
  ok: boolean;
  reason?: VerifyFailure;
  message: string;
  signer?: string;
  /** Root digest the signature vouches for. */
  signedDigest?: string;
  /** Root digest of the files as they are now (when they were hashed). */
  actualDigest?: string;
  diff?: ManifestDiff;
  manifest?: Manifest;
}

export interface VerifyOptions {
  pool: HashPool;
  signaturePath?: string;
}

function fail(reason: VerifyFailure, message: string, extra: Partial<VerifyResult> = {}): VerifyResult {
  return { ok: false, reason, message, ...extra };
}

/** Checks the signature only (no hashing): the statement it vouches for, or a failure. */
export function verifyBundle(bundleText: string, publicKeyPem: string | Buffer): { statement: Statement; signer: string } | VerifyResult {
  const key = loadPublicKey(publicKeyPem);
  // Read without loss or ambiguity: a key given twice (which copy counts differs between JSON readers,
  // so two verifiers could see two statements under one signature) makes the file malformed.
  let parsed;
  try {
    parsed = bundleSchema.safeParse(parseJsonLossless(bundleText, { numbers: 'double' }));
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return fail('malformed_signature', `the signature file is not valid JSON: ${error.message}`);
  }
  if (!parsed.success) return fail('malformed_signature', `the signature file is not a Sigstore bundle: ${parsed.error.issues[0]?.message ?? ''}`);
  const bundle = parsed.data;
  const hint = bundle.verificationMaterial.publicKey?.hint;
  if (hint !== undefined && hint !== '' && (hint.length !== key.hint.length || !timingSafeEqual(Buffer.from(hint), Buffer.from(key.hint)))) {
    return fail('wrong_key', 'the signature was made with a different key');
  }
  const envelope = bundle.dsseEnvelope;
  if (envelope.payloadType !== INTOTO_PAYLOAD_TYPE) return fail('malformed_signature', `unexpected payload type \`${envelope.payloadType}\``);
  const payload = Buffer.from(envelope.payload, 'base64');
  const signature = Buffer.from(envelope.signatures[0]?.sig ?? '', 'base64');
  let valid = false;
  try {
    valid = cryptoVerify(key.hash, pae(envelope.payloadType, payload), key.key, signature);
  } catch {
    // A key or signature the verifier cannot even read is an invalid signature (fail closed).
    valid = false;
  }
  if (!valid) return fail('bad_signature', 'the signature does not verify with this key');
  let statement: Statement;
  try {
    const result = statementSchema.safeParse(parseJsonLossless(payload.toString('utf8'), { numbers: 'double' }));
    if (!result.success) return fail('malformed_signature', `the signed statement is not a model-signing v1.0 statement: ${result.error.issues[0]?.message ?? ''}`);
    statement = result.data;
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return fail('malformed_signature', `the signed payload is not valid JSON: ${error.message}`);
  }
  const items: ManifestItem[] = statement.predicate.resources.map((r) => ({ name: r.name, digest: r.digest }));
  const subjectDigest = statement.subject[0]?.digest.sha256;
  if (rootDigestOf(items) !== subjectDigest) return fail('inconsistent_manifest', 'the signed resources do not hash to the signed root digest');
  return { statement, signer: key.hint };
}

export async function verifyModel(modelPath: string, publicKeyPem: string | Buffer, options: VerifyOptions): Promise<VerifyResult> {
  const signaturePath = options.signaturePath ?? defaultSignaturePath(modelPath);
  if (!existsSync(signaturePath)) return fail('no_signature', `no signature at \`${signaturePath}\``);
  if (statSync(signaturePath).size > 64 * 1024 * 1024) return fail('malformed_signature', 'the signature file is larger than 64 MiB');
  const checked = verifyBundle(readFileSync(signaturePath, 'utf8'), publicKeyPem);
  if ('ok' in checked) return checked;
  const { statement, signer } = checked;
  const serialization = statement.predicate.serialization;
  const manifest = await buildManifest(modelPath, {
    pool: options.pool,
    method: serialization.method,
    ...(serialization.shard_size ? { shardSize: serialization.shard_size } : {}),
    ...(serialization.ignore_paths ? { ignorePaths: serialization.ignore_paths } : {}),
  });
  const signedItems = statement.predicate.resources.map((r) => ({ name: r.name, digest: r.digest })).sort((a, b) => compareItemNames(a.name, b.name));
  const signedDigest = statement.subject[0]?.digest.sha256 ?? '';
  const diff = diffManifests(signedItems, manifest.items);
  if (manifest.rootDigest !== signedDigest || !isEmptyDiff(diff)) {
    return fail('files_changed', 'the files differ from the signed manifest', { signer, signedDigest, actualDigest: manifest.rootDigest, diff, manifest });
  }
  return { ok: true, message: 'signature valid and every file matches', signer, signedDigest, actualDigest: manifest.rootDigest, diff, manifest };
}
