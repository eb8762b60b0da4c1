/**
 * Interoperability with the real model_signing format, against its published test vectors: the payload
 * goldens of sigstore/model-transparency (Apache-2.0), `tests/_signing/testdata/signing/TestPayload/`
 * `sample_model_folder` and `sample_model_folder_small_shards` (commits 2129d390 and 90b8ca4c), which
 * its own `tests/_signing/signing_test.py` compares model_signing's statements with. The model is
 * rebuilt here exactly as its `tests/conftest.py` fixture `sample_model_folder` writes it. Warden's
 * manifest must give the same resources, digests and root digest, and name the same algorithms; a
 * statement in model_signing's own serialisation (numbers as protobuf JSON writes them) must verify.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildManifest, HashPool, INTOTO_PAYLOAD_TYPE, keyHint, pae, statementFor, verifyBundle, BUNDLE_MEDIA_TYPE } from '../../src/integrity/index.js';
import { tempDir } from './helpers.js';

const tmp = tempDir('warden-model-signing-vectors-');
const pool = new HashPool({ workers: 1 });
after(async () => {
  await pool.close();
  tmp.cleanup();
});

/** conftest.py `sample_model_folder`. */
function sampleModelFolder(): string {
  const root = join(tmp.dir, 'sample_model');
  mkdirSync(root);
  for (let i = 0; i < 2; i++) {
    mkdirSync(join(root, `d${i}`));
    for (let j = 0; j < 3; j++) writeFileSync(join(root, `d${i}`, `f${i}${j}`), `This is file f${i}${j} in d${i}.`);
  }
  for (let i = 0; i < 4; i++) writeFileSync(join(root, `f${i}`), `This is file f${i} in root.`);
  return root;
}
const model = sampleModelFolder();

// golden `sample_model_folder` (method files)
const FILES_ROOT = '143cc682e555951649f18e2761c3d526d2502996f5e32dc187ef7f8a614f8df7';
const FILES: [string, string][] = [
  ['d0/f00', 'fdd8925354242a7fd1515e79534317b800015607a609cd306e0b4dcfe6c92249'],
  ['d0/f01', 'e16940b5e44ce981150bda37c4ba95881a749a521b4a297c5cdf97bdcfe965e6'],
  ['d0/f02', '407822246ea8f9e26380842c3f4cd10d7b23e78f1fe7c74c293608682886a426'],
  ['d1/f10', '6a3b08b5df77c4d418ceee1ac136a9ad49fc7c41358b5e82c1176daccb21ff3f'],
  ['d1/f11', 'a484b3d8ea5e99b75f9f123f9a42c882388693edc7d85d82ccba54834712cadf'],
  ['d1/f12', '8f577930f5f40c2c2133cb299d36f9527fde98c1608569017cae6b5bcd01abb3'],
  ['f0', '997b37cc51f1ca1c7a270466607e26847429cd7264c30148c1b9352e224083fc'],
  ['f1', 'c88a04d48353133fb065ba2c8ab369abab21395b9526aa20373ad828915fa7ae'],
  ['f2', '700e3ba5065d8dd47e41fd928ea086670d628f891ba363be0ca3c31d20d7d719'],
  ['f3', '912bcf5ebdf44dc7b4085b07940e0a81d157fba24b276e73fd911121d4544c4a'],
];

// golden `sample_model_folder_small_shards` (method shards, shard size 8): every resource's algorithm is
// `sha256-sharded-8`. The 23- and 24-byte files give three shards each; equal 8-byte prefixes share digests.
const SHARDS_ROOT = '2139af57fd2a4f324ac7cd0fc04898cce73d0871b363c8eb3fc07ab7da4c8445';
const P = 'a37010c994067764d86540bf479d93b4d0c3bb3955de7b61f951caf2fd0301b0'; // "This is "
const D0 = '003b089e217915b12ca9509b2f8a01be7cfe662ffadeb1cd3cf3f430c7b9773a'; // " in d0."
const D1 = 'e6607ae1f591bd75d53b4a52bcd86ecf08643270814d20950ce4e762a99f773d'; // " in d1."
const R = 'df42fcbd1023b80c82e869872ea01e1e1b0bbd60ab4c68c4054e7343ff0ce581'; // "n root."
const SHARDS: [string, string][] = [
  ['d0/f00:0:8', P], ['d0/f00:8:16', '03d5bb235fbf6771da18a650a7d01c1d6b85ada9de9cc62d27752a1c2a05548b'], ['d0/f00:16:23', D0],
  ['d0/f01:0:8', P], ['d0/f01:8:16', '819b976b5670c9c78a8bed6c2819757b5e2740db5e54e0a4da4b9bb1e5e80234'], ['d0/f01:16:23', D0],
  ['d0/f02:0:8', P], ['d0/f02:8:16', '635d7a05841e44a98e10ee9ac8346b8ed51653001a28d5c513a742c1408c7f33'], ['d0/f02:16:23', D0],
  ['d1/f10:0:8', P], ['d1/f10:8:16', 'be0c2a2c271b113e22b02f495a1fa9b09bcc420b6ce969911827846519533811'], ['d1/f10:16:23', D1],
  ['d1/f11:0:8', P], ['d1/f11:8:16', '3a9436f3f057b24fd7f830c6a230a08922b7b5d6f8255ae987bec4773a2d6152'], ['d1/f11:16:23', D1],
  ['d1/f12:0:8', P], ['d1/f12:8:16', '93b0ae318b7ff95d0e9afdb975e1c6e7dca2d655d16a6801e0aa128bdfa65726'], ['d1/f12:16:23', D1],
  ['f0:0:8', P], ['f0:8:16', '6ceb6f182993c238d6ce291d3f72f0de743d81faff85f4b038f4dffcc0eea50b'], ['f0:16:24', R],
  ['f1:0:8', P], ['f1:8:16', 'be0c7e3632df2704636ebb173240d67568b7736a5e4c86c3e3cdee24e765fe92'], ['f1:16:24', R],
  ['f2:0:8', P], ['f2:8:16', '336bbabbb79a106f9eecbdeb3f2f6c4949735fdb307c1703dc41a65fbba4faf5'], ['f2:16:24', R],
  ['f3:0:8', P], ['f3:8:16', '2a40ca276886e04559e3babe13a9baf15fb2e2820befa5db7a0105449a55e77d'], ['f3:16:24', R],
];

interface Resource {
  name: string;
  algorithm: string;
  digest: string;
}

test('method files: the same resources, digests and root as model_signing\'s golden', async () => {
  const manifest = await buildManifest(model, { pool });
  assert.equal(manifest.rootDigest, FILES_ROOT);
  const statement = statementFor(manifest) as { subject: { name: string }[]; predicate: { resources: Resource[] } };
  assert.deepEqual(statement.predicate.resources.map((r) => [r.name, r.digest]), FILES);
  assert.ok(statement.predicate.resources.every((r) => r.algorithm === 'sha256'));
  assert.equal(statement.subject[0]?.name, 'sample_model');
});

test('method shards (size 8): the same shards, digests, root and `sha256-sharded-8` algorithm as the golden', async () => {
  const manifest = await buildManifest(model, { pool, method: 'shards', shardSize: 8 });
  assert.equal(manifest.rootDigest, SHARDS_ROOT);
  const statement = statementFor(manifest) as { predicate: { resources: Resource[] } };
  assert.deepEqual(statement.predicate.resources.map((r) => [r.name, r.digest]), SHARDS);
  assert.ok(statement.predicate.resources.every((r) => r.algorithm === 'sha256-sharded-8'), JSON.stringify(statement.predicate.resources[0]));
});

/** A bundle over `payloadText` exactly as given (model_signing's own serialisation), signed with `key`. */
function bundleOver(payloadText: string, key: ReturnType<typeof generateKeyPairSync>): string {
  const payload = Buffer.from(payloadText, 'utf8');
  const sig = cryptoSign('sha256', pae(INTOTO_PAYLOAD_TYPE, payload), key.privateKey);
  return JSON.stringify({
    mediaType: BUNDLE_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: keyHint(key.publicKey) }, tlogEntries: [] },
    dsseEnvelope: { payload: payload.toString('base64'), payloadType: INTOTO_PAYLOAD_TYPE, signatures: [{ sig: sig.toString('base64'), keyid: '' }] },
  });
}

/** The golden statement text, as model_signing writes it (protobuf JSON: `"shard_size": 8.0`). */
function goldenShardsText(): string {
  const resources = SHARDS.map(([name, digest]) => `      {\n        "algorithm": "sha256-sharded-8",\n        "digest": "${digest}",\n        "name": "${name}"\n      }`).join(',\n');
  return `{\n  "_type": "https://in-toto.io/Statement/v1",\n  "subject": [\n    {\n      "name": "sample_model",\n      "digest": {\n        "sha256": "${SHARDS_ROOT}"\n      }\n    }\n  ],\n  "predicateType": "https://model_signing/signature/v1.0",\n  "predicate": {\n    "serialization": {\n      "method": "shards",\n      "hash_type": "sha256",\n      "allow_symlinks": true,\n      "shard_size": 8.0\n    },\n    "resources": [\n${resources}\n    ]\n  }\n}\n`;
}

test('a statement in model_signing\'s own serialisation verifies; a wrong algorithm or a duplicate key does not', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicPem = key.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const golden = goldenShardsText();
  const ok = verifyBundle(bundleOver(golden, key), publicPem);
  assert.ok('statement' in ok, JSON.stringify(ok));
  assert.equal(ok.statement.predicate.resources.length, 30);

  const wrongAlgorithm = golden.replaceAll('sha256-sharded-8', 'sha256-sharded-9');
  const refused = verifyBundle(bundleOver(wrongAlgorithm, key), publicPem);
  assert.equal('ok' in refused && refused.reason, 'malformed_signature');

  // two `subject` keys: JSON readers differ on which one counts, so the signed statement is ambiguous
  const duplicate = golden.replace('"subject": [', `"subject": [{"name": "other", "digest": {"sha256": "${'0'.repeat(64)}"}}],\n  "subject": [`);
  const ambiguous = verifyBundle(bundleOver(duplicate, key), publicPem);
  assert.equal('ok' in ambiguous && ambiguous.reason, 'malformed_signature');
  assert.match('ok' in ambiguous ? (ambiguous.message) : '', /duplicate key "subject"/);
});
