/**
 * Interoperability check (evaluation only): signatures written by `warden sign` are parsed and verified
 * by Sigstore's own JavaScript libraries (@sigstore/bundle 4, @sigstore/verify 3.1.1, installed under
 * eval/ only), with the public key as trust material and no transparency log, as model_signing's
 * key-based bundles are. Mutants (bit-flipped signature, altered payload, another key) must fail.
 *
 *   node --import tsx eval/integrity/sigstore-interop.ts
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
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
    // sigstore-js verifies every ECDSA signature with SHA-256 (crypto.verify with no digest), whereas
    // model_signing (get_ec_key_hash) signs P-384 with SHA-384: a P-384 model.sig that model_signing
    // accepts is rejected by sigstore-js. Warden follows model_signing; the row documents the difference.
    rows.push({ case: `${curve} signature`, expected: curve === 'P-256', ...sigstoreVerifies(bundle, keys.publicKey) });

    const flipped = structuredClone(bundle);
    const sig = Buffer.from(flipped.dsseEnvelope.signatures[0].sig, 'base64');
    sig[10] = (sig[10] as number) ^ 1;
    flipped.dsseEnvelope.signatures[0].sig = sig.toString('base64');
    rows.push({ case: `${curve} bit-flipped signature`, expected: false, ...sigstoreVerifies(flipped, keys.publicKey) });

    const altered = structuredClone(bundle);
    const statement = JSON.parse(Buffer.from(altered.dsseEnvelope.payload, 'base64').toString('utf8'));
    statement.subject[0].digest.sha256 = '0'.repeat(64);
    altered.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    rows.push({ case: `${curve} altered payload`, expected: false, ...sigstoreVerifies(altered, keys.publicKey) });

    const other = generateKeyPairSync('ec', { namedCurve: curve }).publicKey;
    rows.push({ case: `${curve} other key`, expected: false, ...sigstoreVerifies(bundle, other) });
  }
} finally {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
}
for (const r of rows) console.log(`${r.ok === r.expected ? 'PASS' : 'FAIL'}  ${r.case.padEnd(28)} sigstore: ${r.ok ? 'verified' : `rejected (${r.error ?? ''})`}`);
const failures = rows.filter((r) => r.ok !== r.expected).length;
console.log(`${rows.length - failures}/${rows.length} as expected`);
process.exitCode = failures ? 1 : 0;
