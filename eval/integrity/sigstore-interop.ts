/**
 * Interoperability check (evaluation only): signatures written by `warden sign` are parsed and verified
 * by Sigstore's own JavaScript libraries (@sigstore/bundle 4, @sigstore/verify 3.1.1, installed under
 * eval/ only), with the public key as trust material and no transparency log, as model_signing's
 * key-based bundles are. Mutants (bit-flipped signature, altered payload, another key) must fail.
 *
 * P-384: sigstore-js verifies every ECDSA signature over SHA-256, while model_signing (its
 * `get_ec_key_hash`) signs P-384 over SHA-384, and Warden follows model_signing. So a P-384 bundle is
 * parsed by sigstore-js (`bundleFromJSON`, `toSignedEntity`: the format) and its DSSE signature is
 * checked over SHA-384 here with node:crypto, on the PAE computed in this file (independent of Warden's
 * verifier). Every P-384 row can fail: a broken P-384 signature, payload or key makes it FAIL.
 *
 *   node --import tsx eval/integrity/sigstore-interop.ts
 */
import { generateKeyPairSync, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { toSignedEntity, Verifier, type TrustMaterial } from '@sigstore/verify';
import { HashPool, signModel } from '../../src/integrity/index.js';

function trust(publicKey: KeyObject): TrustMaterial {
  return {
    certificateAuthorities: [],
    timestampAuthorities: [],
    tlogs: [],
    ctlogs: [],
    publicKey: () => ({ publicKey, validFor: () => true }),
  };
}

function sigstoreVerifies(bundleJson: unknown, publicKey: KeyObject): { ok: boolean; error?: string } {
  try {
    const bundle = bundleFromJSON(bundleJson);
    const entity = toSignedEntity(bundle);
    new Verifier(trust(publicKey), { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(entity);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** DSSE's pre-authentication encoding (DSSE protocol v1), computed here, not taken from Warden. */
function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** model_signing's P-384 rule: the bundle parses as Sigstore's, the DSSE signature verifies over SHA-384. */
function p384Verifies(bundleJson: unknown, publicKey: KeyObject): { ok: boolean; error?: string } {
  try {
    toSignedEntity(bundleFromJSON(bundleJson));
    const envelope = (bundleJson as { dsseEnvelope: { payload: string; payloadType: string; signatures: { sig: string }[] } }).dsseEnvelope;
    const signature = Buffer.from(envelope.signatures[0]?.sig ?? '', 'base64');
    const ok = cryptoVerify('sha384', pae(envelope.payloadType, Buffer.from(envelope.payload, 'base64')), { key: publicKey, dsaEncoding: 'der' }, signature);
    return ok ? { ok } : { ok, error: 'ECDSA P-384/SHA-384 signature does not verify' };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'warden-eval-sigstore-'));
const pool = new HashPool({ workers: 2 });
const rows: { case: string; expected: boolean; ok: boolean; error?: string }[] = [];
try {
  for (const curve of ['P-256', 'P-384'] as const) {
    const model = join(dir, `model-${curve}`);
    mkdirSync(model);
    writeFileSync(join(model, 'weights.bin'), Buffer.alloc(200_000, 7));
    writeFileSync(join(model, 'config.json'), '{}');
    const keys = generateKeyPairSync('ec', { namedCurve: curve });
    const signed = await signModel(model, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }), { pool });
    const bundle = JSON.parse(readFileSync(signed.signaturePath, 'utf8'));
    const verifies = curve === 'P-256' ? sigstoreVerifies : p384Verifies;
    rows.push({ case: `${curve} signature`, expected: true, ...verifies(bundle, keys.publicKey) });

    const flipped = structuredClone(bundle);
    const sig = Buffer.from(flipped.dsseEnvelope.signatures[0].sig, 'base64');
    sig[10] = (sig[10] as number) ^ 1;
    flipped.dsseEnvelope.signatures[0].sig = sig.toString('base64');
    rows.push({ case: `${curve} bit-flipped signature`, expected: false, ...verifies(flipped, keys.publicKey) });

    const altered = structuredClone(bundle);
    const statement = JSON.parse(Buffer.from(altered.dsseEnvelope.payload, 'base64').toString('utf8'));
    statement.subject[0].digest.sha256 = '0'.repeat(64);
    altered.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    rows.push({ case: `${curve} altered payload`, expected: false, ...verifies(altered, keys.publicKey) });

    const other = generateKeyPairSync('ec', { namedCurve: curve }).publicKey;
    rows.push({ case: `${curve} other key`, expected: false, ...verifies(bundle, other) });
  }
} finally {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
}
for (const r of rows) {
  const by = r.case.startsWith('P-384') ? 'sigstore-js parse + SHA-384' : 'sigstore-js';
  console.log(`${r.ok === r.expected ? 'PASS' : 'FAIL'}  ${r.case.padEnd(28)} ${by}: ${r.ok ? 'verified' : `rejected (${r.error ?? ''})`}`);
}
const failures = rows.filter((r) => r.ok !== r.expected).length;
console.log(`${rows.length - failures}/${rows.length} as expected`);
process.exitCode = failures ? 1 : 0;
