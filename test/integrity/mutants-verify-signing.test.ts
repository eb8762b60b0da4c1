/**
 * The signature checks and the manifest they rest on, case by case: what the mutation check
 * (docs/mutation.md, module integrity-verify) found unchecked in src/integrity/signing/*.ts and
 * src/integrity/manifest.ts. Bundles are built by hand here (node:crypto, the model_signing layout) so a
 * check in the verifier cannot pass only because the signer made the same mistake.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildManifest, defaultSignaturePath, diffManifests, HashPool, INTOTO_PAYLOAD_TYPE, keyHint, listModelFiles, loadPrivateKey, loadPublicKey,
  pae, rootDigestOf, signManifest, signModel, statementFor, verifyBundle, verifyModel, type Manifest, type VerifyResult,
} from '../../src/integrity/index.js';
import { compareItemNames, fileDigests, isEmptyDiff, splitShard } from '../../src/integrity/manifest.js';
import { resourceAlgorithm } from '../../src/integrity/signing/bundle.js';
import { ecKeys, tempDir } from './helpers.js';

const tmp = tempDir('warden-mutants-verify-');
const pool = new HashPool({ workers: 1 });
after(async () => {
  await pool.close();
  tmp.cleanup();
});

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const keys = ecKeys();
const hint = loadPublicKey(keys.publicPem).hint;

let n = 0;
function model(files: Record<string, string> = { 'w.bin': 'weights', 'c.json': '{}' }): string {
  const d = join(tmp.dir, `m${n++}`);
  mkdirSync(d, { recursive: true });
  for (const [f, content] of Object.entries(files)) {
    mkdirSync(join(d, f, '..'), { recursive: true });
    writeFileSync(join(d, f), content);
  }
  return d;
}

/** A bundle signed with `privatePem` over `statement` (any JSON text), as model_signing lays it out. */
function bundle(statement: unknown, options: { privatePem?: string; hash?: 'sha256' | 'sha384'; payloadType?: string; hint?: string | null; raw?: string } = {}): Record<string, unknown> {
  const payload = Buffer.from(options.raw ?? JSON.stringify(statement), 'utf8');
  const payloadType = options.payloadType ?? INTOTO_PAYLOAD_TYPE;
  const sig = cryptoSign(options.hash ?? 'sha256', pae(payloadType, payload), options.privatePem ?? keys.privatePem);
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: options.hint === null ? {} : { publicKey: { hint: options.hint ?? hint } },
    dsseEnvelope: { payload: payload.toString('base64'), payloadType, signatures: [{ sig: sig.toString('base64'), keyid: null }] },
  };
}

function statementOf(items: { name: string; digest: string }[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'm', digest: { sha256: rootDigestOf(items) } }],
    predicateType: 'https://model_signing/signature/v1.0',
    predicate: { serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false, ignore_paths: ['model.sig'] }, resources: items.map((i) => ({ ...i, algorithm: 'sha256' })) },
    ...extra,
  };
}

const ITEMS = [{ name: 'a', digest: sha('a') }, { name: 'b', digest: sha('b') }];

function failure(result: ReturnType<typeof verifyBundle>): VerifyResult {
  assert.ok('ok' in result, 'expected a failure, got a verified statement');
  return result as VerifyResult;
}

test('pae is DSSE v1: byte lengths, single spaces', () => {
  assert.equal(pae('t', Buffer.from('ab')).toString('utf8'), 'DSSEv1 1 t 2 ab');
  assert.equal(pae('é', Buffer.from('ünï')).toString('utf8'), 'DSSEv1 2 é 5 ünï', 'lengths are in bytes, not characters');
  assert.equal(pae('', Buffer.alloc(0)).toString('utf8'), 'DSSEv1 0  0 ');
});

test('a hand-made bundle verifies and names the signer; P-384 needs SHA-384 as model_signing uses', () => {
  const ok = verifyBundle(JSON.stringify(bundle(statementOf(ITEMS))), keys.publicPem);
  assert.ok(!('ok' in ok), `verifies: ${JSON.stringify(ok)}`);
  assert.equal(ok.signer, hint);
  assert.deepEqual(ok.statement.predicate.resources.map((r) => r.name), ['a', 'b']);

  const p384 = ecKeys('P-384');
  const good = verifyBundle(JSON.stringify(bundle(statementOf(ITEMS), { privatePem: p384.privatePem, hash: 'sha384', hint: loadPublicKey(p384.publicPem).hint })), p384.publicPem);
  assert.ok(!('ok' in good), 'a P-384 key signs with SHA-384');
  const wrongHash = bundle(statementOf(ITEMS), { privatePem: p384.privatePem, hash: 'sha256', hint: loadPublicKey(p384.publicPem).hint });
  assert.equal(failure(verifyBundle(JSON.stringify(wrongHash), p384.publicPem)).reason, 'bad_signature', 'P-384 with SHA-256 is not the format');
  assert.equal(loadPublicKey(p384.publicPem).hash, 'sha384');
  assert.equal(loadPrivateKey(keys.privatePem).hash, 'sha256');
});

test('the key hint: absent or empty is no claim; any other value must be this key\'s', () => {
  assert.ok(!('ok' in verifyBundle(JSON.stringify(bundle(statementOf(ITEMS), { hint: null })), keys.publicPem)), 'no hint: checked by signature only');
  assert.ok(!('ok' in verifyBundle(JSON.stringify(bundle(statementOf(ITEMS), { hint: '' })), keys.publicPem)), 'empty hint (model_signing writes one for some keys)');
  const sameLength = `${hint.slice(0, -1)}${hint.endsWith('0') ? '1' : '0'}`;
  for (const h of [sameLength, hint.slice(1), `${hint}0`, 'x']) {
    const r = failure(verifyBundle(JSON.stringify(bundle(statementOf(ITEMS), { hint: h })), keys.publicPem));
    assert.deepEqual(r, { ok: false, reason: 'wrong_key', message: 'the signature was made with a different key' }, `hint ${h}`);
  }
});

test('the payload type must be in-toto even when the signature covers the other type', () => {
  const r = failure(verifyBundle(JSON.stringify(bundle(statementOf(ITEMS), { payloadType: 'text/plain' })), keys.publicPem));
  assert.deepEqual(r, { ok: false, reason: 'malformed_signature', message: 'unexpected payload type `text/plain`' });
});

test('only the first signature counts; a missing or empty one does not verify', () => {
  const b = bundle(statementOf(ITEMS)) as { dsseEnvelope: { signatures: { sig: string }[] } };
  const good = b.dsseEnvelope.signatures[0] as { sig: string };
  b.dsseEnvelope.signatures = [{ sig: '' }, good];
  assert.equal(failure(verifyBundle(JSON.stringify(b), keys.publicPem)).reason, 'bad_signature', 'a good second signature does not rescue a bad first');
  b.dsseEnvelope.signatures = [good, { sig: '' }];
  assert.ok(!('ok' in verifyBundle(JSON.stringify(b), keys.publicPem)), 'first good');
  b.dsseEnvelope.signatures = [];
  assert.equal(failure(verifyBundle(JSON.stringify(b), keys.publicPem)).reason, 'malformed_signature', 'no signature at all');
});

test('the bundle\'s shape: media type, base64 fields, JSON; each refusal says why', () => {
  const good = bundle(statementOf(ITEMS)) as { mediaType: string; dsseEnvelope: { payload: string; signatures: { sig: string }[] } };
  const variant = (f: (b: typeof good) => void): string => {
    const b = structuredClone(good);
    f(b);
    return JSON.stringify(b);
  };
  assert.ok(!('ok' in verifyBundle(variant((b) => (b.mediaType = 'application/vnd.dev.sigstore.bundle+json')), keys.publicPem)), 'any sigstore bundle media type');
  const wrongType = failure(verifyBundle(variant((b) => (b.mediaType = 'application/json')), keys.publicPem));
  assert.equal(wrongType.reason, 'malformed_signature');
  assert.match(wrongType.message, /^the signature file is not a Sigstore bundle: .+/);
  for (const bad of [`!${good.dsseEnvelope.payload}`, `${good.dsseEnvelope.payload}!`, `${good.dsseEnvelope.payload}===`]) {
    assert.equal(failure(verifyBundle(variant((b) => (b.dsseEnvelope.payload = bad)), keys.publicPem)).reason, 'malformed_signature', `payload ${bad.slice(0, 4)}…${bad.slice(-4)}`);
  }
  const notJson = failure(verifyBundle('{"mediaType": ', keys.publicPem));
  assert.equal(notJson.reason, 'malformed_signature');
  assert.match(notJson.message, /^the signature file is not valid JSON: .+/);
  assert.throws(() => verifyBundle(JSON.stringify(good), 'not a key'), { code: 'bad_request', message: 'the public key is not a valid PEM key' });
});

test('the signed statement: JSON, model-signing v1.0 shape, one subject, resources that hash to it', () => {
  const notJson = failure(verifyBundle(JSON.stringify(bundle(null, { raw: '{"_type": ' })), keys.publicPem));
  assert.equal(notJson.reason, 'malformed_signature');
  assert.match(notJson.message, /^the signed payload is not valid JSON: .+/);
  const cases: [string, Record<string, unknown>][] = [
    ['two subjects', { subject: [{ name: 'm', digest: { sha256: rootDigestOf(ITEMS) } }, { name: 'n', digest: { sha256: rootDigestOf(ITEMS) } }] }],
    ['no subject', { subject: [] }],
    ['another statement type', { _type: 'https://in-toto.io/Statement/v0.1' }],
    ['another predicate', { predicateType: 'https://model_signing/signature/v0.2' }],
    ['uppercase subject digest', { subject: [{ name: 'm', digest: { sha256: rootDigestOf(ITEMS).toUpperCase() } }] }],
  ];
  for (const [what, extra] of cases) {
    const r = failure(verifyBundle(JSON.stringify(bundle(statementOf(ITEMS, extra))), keys.publicPem));
    assert.equal(r.reason, 'malformed_signature', what);
    assert.match(r.message, /^the signed statement is not a model-signing v1.0 statement: .+/, what);
  }
  const withPredicate = (p: Record<string, unknown>): string => JSON.stringify(bundle({ ...statementOf(ITEMS), predicate: p }));
  const resources = ITEMS.map((i) => ({ ...i, algorithm: 'sha256' }));
  const shardsNoSize = failure(verifyBundle(withPredicate({ serialization: { method: 'shards', hash_type: 'sha256' }, resources }), keys.publicPem));
  assert.equal(shardsNoSize.message, 'the signed statement is not a model-signing v1.0 statement: a shards serialization needs `shard_size`');
  const badAlgorithm = failure(verifyBundle(withPredicate({ serialization: { method: 'files', hash_type: 'sha256' }, resources: [resources[0], { ...resources[1], algorithm: 'sha256-sharded-8' }] }), keys.publicPem));
  assert.equal(badAlgorithm.message, 'the signed statement is not a model-signing v1.0 statement: `sha256-sharded-8` is not the algorithm of a `files` serialization');
  const shardAlgorithms = verifyBundle(withPredicate({ serialization: { method: 'shards', hash_type: 'sha256', shard_size: 8, allow_symlinks: 'false' }, resources: [resources[0], { ...resources[1], algorithm: 'sha256-sharded-8' }] }), keys.publicPem);
  assert.ok(!('ok' in shardAlgorithms), 'shards: `sha256-sharded-8` and the older plain `sha256` both accepted');
  const uppercase = failure(verifyBundle(withPredicate({ serialization: { method: 'files', hash_type: 'sha256' }, resources: [{ ...resources[0], digest: (resources[0]?.digest ?? '').toUpperCase() }, resources[1]] }), keys.publicPem));
  assert.equal(uppercase.reason, 'malformed_signature', 'resource digests are lowercase hex');

  const inconsistent = failure(verifyBundle(JSON.stringify(bundle(statementOf(ITEMS, { subject: [{ name: 'm', digest: { sha256: sha('other') } }] }))), keys.publicPem));
  assert.deepEqual(inconsistent, { ok: false, reason: 'inconsistent_manifest', message: 'the signed resources do not hash to the signed root digest' });
});

test('resourceAlgorithm names sharded digests by their size', () => {
  assert.equal(resourceAlgorithm({ method: 'files' }), 'sha256');
  assert.equal(resourceAlgorithm({ method: 'shards', shard_size: 4096 }), 'sha256-sharded-4096');
  assert.equal(resourceAlgorithm({ method: 'shards' }), 'sha256-sharded-0');
});

test('keys: only ECDSA P-256 or P-384, with messages that say which key', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const ed = generateKeyPairSync('ed25519');
  const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  for (const k of [rsa, ed, p521]) {
    assert.throws(() => loadPublicKey(k.publicKey.export({ type: 'spki', format: 'pem' })), { code: 'bad_request', message: 'the public key must be an ECDSA P-256 or P-384 key' });
    assert.throws(() => loadPrivateKey(k.privateKey.export({ type: 'pkcs8', format: 'pem' })), { code: 'bad_request', message: 'the private key must be an ECDSA P-256 or P-384 key' });
  }
  assert.throws(() => loadPrivateKey('garbage'), { code: 'bad_request', message: 'the private key is not a valid PEM key' });
  const loaded = loadPrivateKey(keys.privatePem);
  assert.equal(loaded.hint, sha(keys.publicPem), 'the hint is SHA-256 of the SPKI PEM');
  assert.equal(keyHint(loaded.publicKey), hint);
  assert.equal(loaded.publicKey.type, 'public');
  assert.equal(loaded.key.type, 'private');
});

test('signManifest writes model_signing\'s layout; statementFor names the shard algorithm', async () => {
  const d = model({ 'w.bin': 'x'.repeat(20) });
  const manifest = await buildManifest(d, { pool, method: 'shards', shardSize: 8 });
  const statement = statementFor(manifest) as { predicate: { resources: { name: string; algorithm: string }[] }; subject: unknown };
  assert.deepEqual(statement.predicate.resources.map((r) => `${r.name} ${r.algorithm}`), ['w.bin:0:8 sha256-sharded-8', 'w.bin:8:16 sha256-sharded-8', 'w.bin:16:20 sha256-sharded-8']);
  assert.deepEqual(statement.subject, [{ name: manifest.modelName, digest: { sha256: manifest.rootDigest } }]);
  const { bundle: b, signer } = signManifest(manifest, keys.privatePem);
  assert.equal(signer, hint);
  assert.deepEqual((b as { verificationMaterial: unknown }).verificationMaterial, { publicKey: { hint }, tlogEntries: [] });
  const env = (b as { dsseEnvelope: { payloadType: string; signatures: unknown[]; payload: string } }).dsseEnvelope;
  assert.equal(env.payloadType, INTOTO_PAYLOAD_TYPE);
  assert.equal(env.signatures.length, 1);
  assert.equal((env.signatures[0] as { keyid: string }).keyid, '');
  assert.deepEqual(JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')), statement);
  assert.ok(!('ok' in verifyBundle(JSON.stringify(b), keys.publicPem)), 'verifies');
});

test('signModel: the signature path, its file format, shards, and a bad key refused before hashing', async () => {
  const d = model();
  const elsewhere = join(tmp.dir, 'elsewhere.sig');
  const r = await signModel(d, keys.privatePem, { pool, signaturePath: elsewhere, method: 'shards', shardSize: 4 });
  assert.equal(r.signaturePath, elsewhere);
  const text = readFileSync(elsewhere, 'utf8');
  assert.equal(text, `${JSON.stringify(JSON.parse(text), null, 2)}\n`, 'indented JSON and a final newline');
  assert.equal(statSync(elsewhere).mode & 0o777, 0o644 & ~process.umask());
  assert.deepEqual(r.manifest.items.map((i) => i.name), ['c.json:0:2', 'w.bin:0:4', 'w.bin:4:7']);
  assert.equal(r.signer, hint);
  const v = await verifyModel(d, keys.publicPem, { pool, signaturePath: elsewhere });
  assert.equal(v.ok, true, v.message);
  assert.equal((await verifyModel(d, keys.publicPem, { pool })).reason, 'no_signature', 'the default path holds no signature');
  await assert.rejects(signModel(join(tmp.dir, 'no-such-model'), 'garbage', { pool }), { code: 'bad_request', message: 'the private key is not a valid PEM key' });
  const file = join(d, 'w.bin');
  assert.equal(defaultSignaturePath(file), `${file}.sig`);
  assert.equal(defaultSignaturePath(d), join(d, 'model.sig'));
  const single = await signModel(file, keys.privatePem, { pool });
  assert.equal(single.signaturePath, `${file}.sig`);
  assert.deepEqual(single.manifest.items.map((i) => i.name), ['w.bin']);
  assert.equal((await verifyModel(file, keys.publicPem, { pool })).ok, true);
});

test('verifyModel: results carry signer, digests, diff and manifest; the signature file is capped at 64 MiB', async () => {
  const d = model();
  const signed = await signModel(d, keys.privatePem, { pool });
  const ok = await verifyModel(d, keys.publicPem, { pool });
  assert.equal(ok.ok, true);
  assert.equal(ok.reason, undefined);
  assert.equal(ok.message, 'signature valid and every file matches');
  assert.equal(ok.signer, hint);
  assert.equal(ok.signedDigest, signed.manifest.rootDigest);
  assert.equal(ok.actualDigest, signed.manifest.rootDigest);
  assert.deepEqual(ok.diff, { added: [], removed: [], modified: [], renamed: [] });
  assert.deepEqual(ok.manifest?.items, signed.manifest.items);
  writeFileSync(join(d, 'c.json'), '{"x":1}');
  const changed = await verifyModel(d, keys.publicPem, { pool });
  assert.equal(changed.ok, false);
  assert.equal(changed.reason, 'files_changed');
  assert.equal(changed.message, 'the files differ from the signed manifest');
  assert.equal(changed.signer, hint);
  assert.equal(changed.signedDigest, signed.manifest.rootDigest);
  assert.notEqual(changed.actualDigest, signed.manifest.rootDigest);
  assert.equal(changed.manifest?.rootDigest, changed.actualDigest);
  assert.deepEqual(changed.diff?.modified, ['c.json']);

  const sig = join(tmp.dir, 'huge.sig');
  writeFileSync(sig, '');
  truncateSync(sig, 64 * 1024 * 1024 + 1);
  assert.deepEqual(await verifyModel(d, keys.publicPem, { pool, signaturePath: sig }), { ok: false, reason: 'malformed_signature', message: 'the signature file is larger than 64 MiB' });
  assert.deepEqual(await verifyModel(d, keys.publicPem, { pool, signaturePath: join(tmp.dir, 'none.sig') }), { ok: false, reason: 'no_signature', message: `no signature at \`${join(tmp.dir, 'none.sig')}\`` });
});

test('verifyModel: a renamed file changes no digest but is still a change', async () => {
  const d = model({ 'a.bin': 'same bytes' });
  await signModel(d, keys.privatePem, { pool });
  renameSync(join(d, 'a.bin'), join(d, 'b.bin'));
  const v = await verifyModel(d, keys.publicPem, { pool });
  assert.equal(v.actualDigest, v.signedDigest, 'the root digest covers contents only');
  assert.equal(v.ok, false, 'names are signed too');
  assert.deepEqual(v.diff?.renamed, [{ from: 'a.bin', to: 'b.bin' }]);
});

test('verifyModel: resources listed out of canonical order do not match the files', async () => {
  const d = model({ 'a.bin': 'A', 'b.bin': 'B' });
  const items = [{ name: 'b.bin', digest: sha('B') }, { name: 'a.bin', digest: sha('A') }];
  // Consistent with itself (the root is over the listed order) but not model_signing's order.
  writeFileSync(join(d, 'model.sig'), JSON.stringify(bundle(statementOf(items))));
  const v = await verifyModel(d, keys.publicPem, { pool });
  assert.deepEqual(v.diff, { added: [], removed: [], modified: [], renamed: [] });
  assert.equal(v.ok, false, 'the signed root must be the root of the files in canonical order');
  assert.equal(v.reason, 'files_changed');
});

test('verifyModel hashes with the signature\'s serialization: its shard size and ignore paths', async () => {
  const d = model({ 'w.bin': 'x'.repeat(10), 'notes.txt': 'n' });
  const manifest: Manifest = await buildManifest(d, { pool, method: 'shards', shardSize: 4, ignorePaths: ['model.sig', 'notes.txt'] });
  assert.deepEqual(manifest.items.map((i) => i.name), ['w.bin:0:4', 'w.bin:4:8', 'w.bin:8:10']);
  writeFileSync(join(d, 'model.sig'), JSON.stringify(signManifest(manifest, keys.privatePem).bundle));
  writeFileSync(join(d, 'notes.txt'), 'edited: not part of the signed model');
  const v = await verifyModel(d, keys.publicPem, { pool });
  assert.equal(v.ok, true, v.message);
  assert.deepEqual(v.manifest?.serialization, { method: 'shards', hash_type: 'sha256', shard_size: 4, allow_symlinks: false, ignore_paths: ['model.sig', 'notes.txt'] });
});

test('listModelFiles: ignores by relative path, refuses symbolic links, skips other file types', () => {
  const d = model({ 'keep/a': '1', 'keep/skip': '2', skip: '3', '.git/HEAD': 'ref', 'model.sig': '{}' });
  assert.deepEqual(listModelFiles(d).files.map((f) => f.rel).sort(), ['keep/a', 'keep/skip', 'skip']);
  const listed = listModelFiles(d, ['keep/skip']);
  assert.deepEqual(listed.files.map((f) => f.rel).sort(), ['.git/HEAD', 'keep/a', 'model.sig', 'skip']);
  assert.equal(listed.base, d);
  assert.equal(listed.files.find((f) => f.rel === 'keep/a')?.size, 1);
  assert.equal(listed.files.find((f) => f.rel === 'keep/a')?.abs, join(d, 'keep', 'a'));
  const single = listModelFiles(join(d, 'skip'));
  assert.deepEqual(single, { base: d, files: [{ rel: 'skip', abs: join(d, 'skip'), size: 1 }] });
  execFileSync('mkfifo', [join(d, 'pipe')]);
  assert.ok(!listModelFiles(d).files.some((f) => f.rel === 'pipe'), 'a FIFO is not a model file');
  symlinkSync(join(d, 'skip'), join(d, 'keep', 'link'));
  assert.throws(() => listModelFiles(d), { code: 'bad_request', message: 'symbolic link `keep/link` is not allowed in a signed model' });
  assert.throws(() => listModelFiles(join(d, 'missing')), { code: 'bad_request', message: `cannot read \`${join(d, 'missing')}\`: ENOENT` });
});

test('manifest order is model_signing\'s: by path component, then numeric shard offsets', async () => {
  const d = model({ 'a.b': '1', 'a/b': '2', 'a/c/d': '3', ab: '4' });
  const m = await buildManifest(d, { pool });
  assert.deepEqual(m.items.map((i) => i.name), ['a/b', 'a/c/d', 'a.b', 'ab'], 'component-wise: `a` sorts before `a.b`');
  assert.ok(compareItemNames('x', 'x/y') < 0, 'a prefix path first');
  assert.ok(compareItemNames('x/y', 'x') > 0);
  assert.equal(compareItemNames('x/y', 'x/y'), 0);
  assert.ok(compareItemNames('f:9:10', 'f:10:20') < 0, 'shard starts compare as numbers');
  assert.ok(compareItemNames('f:0:5', 'f:0:10') < 0, 'then shard ends');
  assert.ok(compareItemNames('f:0:10', 'f:0:5') > 0);
  assert.deepEqual(splitShard('p/q:12:34'), { path: 'p/q', start: 12, end: 34 });
  assert.deepEqual(splitShard('p:q'), { path: 'p:q', start: 0, end: 0 });
  assert.deepEqual(splitShard('p:1:2x'), { path: 'p:1:2x', start: 0, end: 0 });
  assert.deepEqual(splitShard('x:p:1:2'), { path: 'x:p', start: 1, end: 2 });
});

test('shards: whole shards, a short last one, one 0:0 shard for an empty file; the default size is 1e9', async () => {
  const d = model({ even: 'x'.repeat(8), odd: 'y'.repeat(9), empty: '' });
  const m = await buildManifest(d, { pool, method: 'shards', shardSize: 4 });
  assert.deepEqual(m.items.map((i) => i.name), ['empty:0:0', 'even:0:4', 'even:4:8', 'odd:0:4', 'odd:4:8', 'odd:8:9']);
  assert.equal(m.items.find((i) => i.name === 'odd:8:9')?.digest, sha('y'));
  assert.equal(m.items.find((i) => i.name === 'empty:0:0')?.digest, sha(''));
  assert.equal(m.bytes, 17);
  assert.deepEqual(m.serialization, { method: 'shards', hash_type: 'sha256', shard_size: 4, allow_symlinks: false, ignore_paths: ['model.sig', '.git', '.gitattributes', '.github', '.gitignore'] });
  const big = await buildManifest(d, { pool, method: 'shards' });
  assert.deepEqual(big.items.map((i) => i.name), ['empty:0:0', 'even:0:8', 'odd:0:9']);
  assert.equal(big.serialization.shard_size, 1_000_000_000);
  const files = await buildManifest(d, { pool });
  assert.deepEqual(files.serialization, { method: 'files', hash_type: 'sha256', allow_symlinks: false, ignore_paths: ['model.sig', '.git', '.gitattributes', '.github', '.gitignore'] });
  assert.equal(files.bytes, 17);
  assert.equal(files.modelName, d.split('/').at(-1));
  assert.equal(rootDigestOf([]), sha(''));
});

test('diffs speak of files: shards folded per file; renames paired once; lists sorted', () => {
  const folded = fileDigests([{ name: 'w:0:4', digest: 'aa' }, { name: 'w:4:8', digest: 'bb' }, { name: 'c', digest: 'cc' }]);
  assert.deepEqual([...folded], [['w', 'aabb'], ['c', 'cc']]);
  const d = diffManifests(
    [{ name: 'z', digest: '01' }, { name: 'y', digest: '02' }, { name: 'same', digest: '03' }, { name: 'dup1', digest: '09' }, { name: 'dup2', digest: '09' }, { name: 'w:0:4', digest: 'aa' }],
    [{ name: 'b', digest: '05' }, { name: 'a', digest: '04' }, { name: 'same', digest: '03' }, { name: 'moved', digest: '09' }, { name: 'w:0:4', digest: 'aa' }, { name: 'w:4:8', digest: 'bb' }, { name: 'y', digest: '06' }],
  );
  assert.deepEqual(d, { added: ['a', 'b'], removed: ['dup2', 'z'], modified: ['w', 'y'], renamed: [{ from: 'dup1', to: 'moved' }] });
  assert.equal(isEmptyDiff(d), false);
  for (const one of [{ added: ['x'] }, { removed: ['x'] }, { modified: ['x'] }, { renamed: [{ from: 'a', to: 'b' }] }]) {
    assert.equal(isEmptyDiff({ added: [], removed: [], modified: [], renamed: [], ...one }), false, JSON.stringify(one));
  }
  assert.equal(isEmptyDiff({ added: [], removed: [], modified: [], renamed: [] }), true);
});
