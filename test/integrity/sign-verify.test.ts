import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { HashPool, signModel, verifyModel, buildManifest, PREDICATE_TYPE, BUNDLE_MEDIA_TYPE, keyHint, loadPublicKey } from '../../src/integrity/index.js';
import { ecKeys, hasPython, python, tempDir } from './helpers.js';

let pool: HashPool;
let tmp: { dir: string; cleanup: () => void };

before(() => {
  pool = new HashPool({ workers: 2, chunkBytes: 64 * 1024 });
  tmp = tempDir();
});
after(async () => {
  await pool.close();
  tmp.cleanup();
});

function makeModel(name: string): string {
  const dir = join(tmp.dir, name);
  mkdirSync(join(dir, 'tokenizer'), { recursive: true });
  const big = Buffer.alloc(300_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
  writeFileSync(join(dir, 'weights.bin'), big);
  writeFileSync(join(dir, 'config.json'), '{"layers": 2}');
  writeFileSync(join(dir, 'tokenizer', 'vocab.txt'), 'a\nb\nc\n');
  writeFileSync(join(dir, 'empty.txt'), '');
  return dir;
}

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

test('manifest: per-file SHA-256 and root digest over sorted digests (model_signing v1.0)', async () => {
  const dir = makeModel('manifest');
  const m = await buildManifest(dir, { pool });
  assert.deepEqual(m.items.map((i) => i.name), ['config.json', 'empty.txt', 'tokenizer/vocab.txt', 'weights.bin']);
  assert.equal(m.items[0]?.digest, sha('{"layers": 2}'));
  assert.equal(m.items[3]?.digest, sha(readFileSync(join(dir, 'weights.bin'))));
  const root = createHash('sha256');
  for (const item of m.items) root.update(Buffer.from(item.digest, 'hex'));
  assert.equal(m.rootDigest, root.digest('hex'));
});

test('manifest: shards are path:start:end, sorted numerically, each hashed separately', async () => {
  const dir = makeModel('shards');
  const m = await buildManifest(dir, { pool, method: 'shards', shardSize: 65_536 });
  const weights = m.items.filter((i) => i.name.startsWith('weights.bin:'));
  assert.equal(weights.length, 5);
  assert.equal(weights[1]?.name, 'weights.bin:65536:131072');
  assert.equal(weights[4]?.name, 'weights.bin:262144:300000');
  const data = readFileSync(join(dir, 'weights.bin'));
  assert.equal(weights[4]?.digest, sha(data.subarray(262_144)));
  assert.ok(m.items.some((i) => i.name === 'empty.txt:0:0'));
  assert.equal(m.serialization.shard_size, 65_536);
});

for (const curve of ['P-256', 'P-384'] as const) {
  test(`sign then verify with ${curve}; bundle is a Sigstore v0.3 bundle with an in-toto statement`, async () => {
    const dir = makeModel(`sign-${curve}`);
    const keys = ecKeys(curve);
    const signed = await signModel(dir, keys.privatePem, { pool });
    assert.equal(signed.signaturePath, join(dir, 'model.sig'));
    const bundle = JSON.parse(readFileSync(signed.signaturePath, 'utf8'));
    assert.equal(bundle.mediaType, BUNDLE_MEDIA_TYPE);
    assert.equal(bundle.verificationMaterial.publicKey.hint, keyHint(loadPublicKey(keys.publicPem).key));
    assert.equal(bundle.dsseEnvelope.payloadType, 'application/vnd.in-toto+json');
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
    assert.equal(statement._type, 'https://in-toto.io/Statement/v1');
    assert.equal(statement.predicateType, PREDICATE_TYPE);
    assert.equal(statement.subject[0].name, `sign-${curve}`);
    assert.equal(statement.subject[0].digest.sha256, signed.manifest.rootDigest);
    assert.equal(statement.predicate.serialization.method, 'files');
    assert.equal(statement.predicate.resources.length, 4);
    const v = await verifyModel(dir, keys.publicPem, { pool });
    assert.equal(v.ok, true, v.message);
    assert.equal(v.signer, signed.signer);
  });
}

test('verify: shards signature round-trips', async () => {
  const dir = makeModel('sign-shards');
  const keys = ecKeys();
  await signModel(dir, keys.privatePem, { pool, method: 'shards', shardSize: 100_000 });
  assert.equal((await verifyModel(dir, keys.publicPem, { pool })).ok, true);
  appendFileSync(join(dir, 'weights.bin'), 'x');
  const v = await verifyModel(dir, keys.publicPem, { pool });
  assert.equal(v.reason, 'files_changed');
  assert.deepEqual(v.diff?.modified, ['weights.bin']);
});

test('verify: names added, removed, renamed and modified files', async () => {
  const dir = makeModel('diff');
  const keys = ecKeys();
  await signModel(dir, keys.privatePem, { pool });
  appendFileSync(join(dir, 'config.json'), ' ');
  writeFileSync(join(dir, 'backdoor.py'), 'import os');
  rmSync(join(dir, 'empty.txt'));
  renameSync(join(dir, 'tokenizer', 'vocab.txt'), join(dir, 'tokenizer', 'vocab2.txt'));
  const v = await verifyModel(dir, keys.publicPem, { pool });
  assert.equal(v.ok, false);
  assert.equal(v.reason, 'files_changed');
  assert.deepEqual(v.diff, { added: ['backdoor.py'], removed: ['empty.txt'], modified: ['config.json'], renamed: [{ from: 'tokenizer/vocab.txt', to: 'tokenizer/vocab2.txt' }] });
});

test('verify: wrong key, altered signature and altered payload fail', async () => {
  const dir = makeModel('tamper-sig');
  const keys = ecKeys();
  await signModel(dir, keys.privatePem, { pool });
  assert.equal((await verifyModel(dir, ecKeys().publicPem, { pool })).reason, 'wrong_key');
  const sigPath = join(dir, 'model.sig');
  const original = readFileSync(sigPath, 'utf8');
  const bundle = JSON.parse(original);
  // Flip one bit of the signature.
  const sig = Buffer.from(bundle.dsseEnvelope.signatures[0].sig, 'base64');
  sig[sig.length - 3] = (sig[sig.length - 3] as number) ^ 0x01;
  bundle.dsseEnvelope.signatures[0].sig = sig.toString('base64');
  writeFileSync(sigPath, JSON.stringify(bundle));
  assert.equal((await verifyModel(dir, keys.publicPem, { pool })).reason, 'bad_signature');
  // Swap in a payload that claims different digests.
  const good = JSON.parse(original);
  const statement = JSON.parse(Buffer.from(good.dsseEnvelope.payload, 'base64').toString('utf8'));
  statement.predicate.resources[0].digest = '0'.repeat(64);
  good.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
  writeFileSync(sigPath, JSON.stringify(good));
  assert.equal((await verifyModel(dir, keys.publicPem, { pool })).reason, 'bad_signature');
  writeFileSync(sigPath, 'not json');
  assert.equal((await verifyModel(dir, keys.publicPem, { pool })).reason, 'malformed_signature');
  rmSync(sigPath);
  assert.equal((await verifyModel(dir, keys.publicPem, { pool })).reason, 'no_signature');
});

test('sign refuses RSA, P-521 and malformed keys', async () => {
  const dir = makeModel('bad-keys');
  const { generateKeyPairSync } = await import('node:crypto');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  await assert.rejects(signModel(dir, rsa, { pool }), { code: 'bad_request' });
  const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  await assert.rejects(signModel(dir, p521, { pool }), { code: 'bad_request' });
  await assert.rejects(signModel(dir, 'garbage', { pool }), { code: 'bad_request' });
});

test('interop: the signature verifies with model_signing\'s own algorithm in python (cryptography)', { skip: hasPython('cryptography') ? false : 'python3 with `cryptography` not available' }, async () => {
  const dir = makeModel('interop');
  const keys = ecKeys('P-384');
  writeFileSync(join(tmp.dir, 'interop.pub'), keys.publicPem);
  await signModel(dir, keys.privatePem, { pool });
  // Mirrors sigstore/model-transparency: key hint, DSSE PAE, ECDSA verify, root digest, per-file hashes.
  const out = python(
    `
import base64, hashlib, json, os, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
model, pub = sys.argv[1], sys.argv[2]
key = serialization.load_pem_public_key(open(pub, 'rb').read())
pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
bundle = json.load(open(os.path.join(model, 'model.sig')))
assert bundle['mediaType'] == 'application/vnd.dev.sigstore.bundle.v0.3+json'
assert bundle['verificationMaterial']['publicKey']['hint'] == hashlib.sha256(pem).hexdigest()
env = bundle['dsseEnvelope']
payload = base64.b64decode(env['payload'])
t = env['payloadType'].encode()
pae = b'DSSEv1 %d %s %d %s' % (len(t), t, len(payload), payload)
key.verify(base64.b64decode(env['signatures'][0]['sig']), pae, ec.ECDSA(hashes.SHA384()))
st = json.loads(payload)
h = hashlib.sha256()
for r in st['predicate']['resources']:
    h.update(bytes.fromhex(r['digest']))
    assert r['digest'] == hashlib.sha256(open(os.path.join(model, r['name']), 'rb').read()).hexdigest()
assert h.hexdigest() == st['subject'][0]['digest']['sha256']
print('ok', len(st['predicate']['resources']))
`,
    [dir, join(tmp.dir, 'interop.pub')],
  );
  assert.equal(out.trim(), 'ok 4');
});

test('interop: a bundle signed by python the way model_signing signs verifies here', { skip: hasPython('cryptography') ? false : 'python3 with `cryptography` not available' }, async () => {
  const dir = makeModel('interop-py');
  const out = python(
    `
import base64, hashlib, json, os, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
model = sys.argv[1]
key = ec.generate_private_key(ec.SECP256R1())
pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
names = []
for root, dirs, files in os.walk(model):
    for f in files:
        names.append(os.path.relpath(os.path.join(root, f), model))
names.sort(key=lambda n: n.split('/'))
res = [{'name': n, 'algorithm': 'sha256', 'digest': hashlib.sha256(open(os.path.join(model, n), 'rb').read()).hexdigest()} for n in names]
h = hashlib.sha256()
for r in res: h.update(bytes.fromhex(r['digest']))
st = {'_type': 'https://in-toto.io/Statement/v1', 'subject': [{'name': os.path.basename(model), 'digest': {'sha256': h.hexdigest()}}],
      'predicateType': 'https://model_signing/signature/v1.0',
      'predicate': {'serialization': {'method': 'files', 'hash_type': 'sha256', 'allow_symlinks': False, 'ignore_paths': ['model.sig']}, 'resources': res}}
payload = json.dumps(st, indent=2).encode()
t = b'application/vnd.in-toto+json'
sig = key.sign(b'DSSEv1 %d %s %d %s' % (len(t), t, len(payload), payload), ec.ECDSA(hashes.SHA256()))
bundle = {'mediaType': 'application/vnd.dev.sigstore.bundle.v0.3+json', 'verificationMaterial': {'publicKey': {'hint': hashlib.sha256(pem).hexdigest()}},
          'dsseEnvelope': {'payload': base64.b64encode(payload).decode(), 'payloadType': t.decode(), 'signatures': [{'sig': base64.b64encode(sig).decode()}]}}
json.dump(bundle, open(os.path.join(model, 'model.sig'), 'w'))
sys.stdout.write(pem.decode())
`,
    [dir],
  );
  const v = await verifyModel(dir, out, { pool });
  assert.equal(v.ok, true, v.message);
});
