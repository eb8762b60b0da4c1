import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanFile, scanPath, worstVerdict, exitCodeFor, classifyImport } from '../../src/integrity/index.js';
import { hasPython, tempDir } from './helpers.js';
import { h5WithConfig, kerasConfig, onnxModel, onnxTensor, safetensors, writePickleFixtures } from './fixtures.js';

let tmp: { dir: string; cleanup: () => void };
const havePython = hasPython();

before(() => {
  tmp = tempDir('warden-scan-');
  if (havePython) writePickleFixtures(tmp.dir);
});
after(() => tmp.cleanup());

const pyTest = (name: string, fn: () => void): void => {
  test(name, { skip: havePython ? false : 'python3 not available to build pickles' }, fn);
};

pyTest('pickles: benign tensor-like pickles are safe for protocols 0 to 5', () => {
  for (let p = 0; p <= 5; p++) {
    const r = scanFile(join(tmp.dir, `benign-p${p}.pkl`));
    assert.equal(r.verdict, 'safe', `protocol ${p}: ${JSON.stringify(r.findings)}`);
    assert.ok(r.findings.some((f) => f.message.includes('torch._utils._rebuild_tensor_v2')), `protocol ${p} import seen`);
  }
});

pyTest('pickles: os.system through REDUCE is dangerous for protocols 0 to 5 (GLOBAL and STACK_GLOBAL)', () => {
  for (let p = 0; p <= 5; p++) {
    const r = scanFile(join(tmp.dir, `evil-p${p}.pkl`));
    assert.equal(r.verdict, 'dangerous', `protocol ${p}`);
    const f = r.findings.find((x) => x.verdict === 'dangerous');
    const details = f?.details as { module: string; name: string; opcode: string; usedBy: string[] };
    assert.ok(['posix', 'os', 'nt'].includes(details.module));
    assert.equal(details.name, 'system');
    assert.equal(details.opcode, p >= 4 ? 'STACK_GLOBAL' : 'GLOBAL');
    assert.deepEqual(details.usedBy, ['REDUCE']);
  }
});

pyTest('pickles: builtins.eval is dangerous', () => {
  const r = scanFile(join(tmp.dir, 'eval.pkl'));
  assert.equal(r.verdict, 'dangerous');
  assert.ok(r.findings.some((f) => f.message.includes('builtins.eval')));
});

pyTest('PyTorch ZIP: the payload nested in archive/data.pkl is found; a deflated benign archive is safe', () => {
  const evil = scanFile(join(tmp.dir, 'evil.pt'));
  assert.equal(evil.format, 'pytorch-zip');
  assert.equal(evil.verdict, 'dangerous');
  assert.equal(evil.findings.find((f) => f.verdict === 'dangerous')?.member, 'archive/data.pkl');
  assert.equal(scanFile(join(tmp.dir, 'benign.pt')).verdict, 'safe');
});

pyTest('joblib: a zlib-compressed pickle is inflated and scanned', () => {
  const r = scanFile(join(tmp.dir, 'evil.joblib'));
  assert.equal(r.format, 'joblib');
  assert.equal(r.verdict, 'dangerous');
});

test('joblib: numeric arrays inside the stream are skipped; a payload in a nested object-array pickle is found', { skip: hasPython('numpy') ? false : 'python3 with numpy not available' }, () => {
  for (const name of ['model-p2.joblib', 'model-p4.joblib']) {
    const r = scanFile(join(tmp.dir, name));
    assert.equal(r.verdict, 'safe', `${name}: ${JSON.stringify(r.findings.filter((f) => f.verdict !== 'safe'))}`);
    assert.ok(r.findings.some((f) => f.message.includes('joblib.numpy_pickle.NumpyArrayWrapper')));
  }
  const nested = scanFile(join(tmp.dir, 'nested-evil.joblib'));
  assert.equal(nested.verdict, 'dangerous');
});

pyTest('.keras: a Lambda layer in config.json is dangerous', () => {
  const r = scanFile(join(tmp.dir, 'lambda.keras'));
  assert.equal(r.format, 'keras');
  assert.equal(r.verdict, 'dangerous');
  assert.equal(r.findings[0]?.kind, 'keras.lambda');
});

pyTest('scanPath walks a directory; worst verdict and CI exit code', () => {
  const reports = scanPath(tmp.dir);
  assert.ok(!reports.some((r) => r.path.endsWith('README.md')));
  assert.equal(worstVerdict(reports), 'dangerous');
  assert.equal(exitCodeFor('dangerous'), 4);
  assert.equal(exitCodeFor('suspicious'), 3);
  assert.equal(exitCodeFor('safe'), 0);
});

test('import classification follows the deny-lists', () => {
  assert.equal(classifyImport('subprocess', 'Popen'), 'dangerous');
  assert.equal(classifyImport('os.path', 'join'), 'dangerous');
  assert.equal(classifyImport('builtins', 'getattr'), 'dangerous');
  assert.equal(classifyImport('builtins', 'set'), 'safe');
  assert.equal(classifyImport('functools', 'partial'), 'dangerous');
  assert.equal(classifyImport('operator', 'attrgetter'), 'dangerous');
  assert.equal(classifyImport('types', 'CodeType'), 'dangerous');
  assert.equal(classifyImport('webbrowser', 'open'), 'dangerous');
  assert.equal(classifyImport('pip', 'main'), 'dangerous');
  assert.equal(classifyImport('torch._utils', '_rebuild_tensor_v2'), 'safe');
  assert.equal(classifyImport('numpy.core.multiarray', '_reconstruct'), 'safe');
  assert.equal(classifyImport('mylib.layers', 'Custom'), 'suspicious');
  assert.equal(classifyImport('_codecs', 'encode'), 'safe');
});

test('safetensors: a valid header is safe; bad headers are dangerous', () => {
  const dir = join(tmp.dir, 'st');
  mkdirSync(dir, { recursive: true });
  const ok = { __metadata__: { format: 'pt' }, a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] }, b: { dtype: 'BF16', shape: [4], data_offsets: [24, 32] } };
  writeFileSync(join(dir, 'ok.safetensors'), safetensors(ok, 32));
  assert.equal(scanFile(join(dir, 'ok.safetensors')).verdict, 'safe');
  const cases: [string, Buffer, RegExp][] = [
    ['overlap', safetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12), /overlap/],
    ['oob', safetensors({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8), /out of bounds/],
    ['shape', safetensors({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8), /need 12 bytes/],
    ['dtype', safetensors({ a: { dtype: 'PYOBJ', shape: [1], data_offsets: [0, 1] } }, 1), /unknown dtype/],
    ['json', Buffer.concat([Buffer.from([5, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{nope')]), /not valid JSON/],
    ['huge', Buffer.from([0, 0, 0, 0, 1, 0, 0, 0, 0, 0]), /exceeds 100 MB/],
    ['past-end', Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 0, 0x7b]), /past the end/],
  ];
  for (const [name, data, message] of cases) {
    writeFileSync(join(dir, `${name}.safetensors`), data);
    const r = scanFile(join(dir, `${name}.safetensors`));
    assert.equal(r.verdict, 'dangerous', name);
    assert.match(r.findings[0]?.message ?? '', message, name);
  }
});

test('Keras .h5: Lambda layers in the model_config JSON are dangerous; plain layers are safe', () => {
  const dir = join(tmp.dir, 'h5');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'evil.h5'), h5WithConfig(kerasConfig(true)));
  writeFileSync(join(dir, 'ok.h5'), h5WithConfig(kerasConfig(false)));
  const evil = scanFile(join(dir, 'evil.h5'));
  assert.equal(evil.format, 'hdf5');
  assert.equal(evil.verdict, 'dangerous');
  assert.match(evil.findings[0]?.message ?? '', /Lambda layer `evil`/);
  assert.equal(scanFile(join(dir, 'ok.h5')).verdict, 'safe');
});

test('ONNX: external data must stay inside the model directory', () => {
  const dir = join(tmp.dir, 'onnx');
  mkdirSync(join(dir, 'weights'), { recursive: true });
  writeFileSync(join(dir, 'ok.onnx'), onnxModel([onnxTensor('w', 'weights/w.bin')]));
  writeFileSync(join(dir, 'escape.onnx'), onnxModel([onnxTensor('w', 'weights/w.bin'), onnxTensor('x', '../../../../etc/passwd')]));
  writeFileSync(join(dir, 'abs.onnx'), onnxModel([], onnxTensor('c', '/etc/shadow')));
  assert.equal(scanFile(join(dir, 'ok.onnx')).verdict, 'safe');
  const escape = scanFile(join(dir, 'escape.onnx'));
  assert.equal(escape.verdict, 'dangerous');
  assert.match(escape.findings[0]?.message ?? '', /`x`.*escapes the model directory/);
  const abs = scanFile(join(dir, 'abs.onnx'));
  assert.equal(abs.verdict, 'dangerous');
  assert.match(abs.findings[0]?.message ?? '', /absolute/);
  mkdirSync(join(tmp.dir, 'outside'), { recursive: true });
  writeFileSync(join(tmp.dir, 'outside', 'secret.txt'), 'secret');
  symlinkSync(join(tmp.dir, 'outside'), join(dir, 'weights', 'link'));
  writeFileSync(join(dir, 'link.onnx'), onnxModel([onnxTensor('l', 'weights/link/secret.txt')]));
  assert.match(scanFile(join(dir, 'link.onnx')).findings[0]?.message ?? '', /through a link/);
  writeFileSync(join(dir, 'junk.onnx'), Buffer.from([0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
  assert.equal(scanFile(join(dir, 'junk.onnx')).verdict, 'suspicious');
});

test('raw tensor data named .bin is not mistaken for a broken pickle; a pickle named .bin is still parsed', () => {
  const dir = join(tmp.dir, 'raw');
  mkdirSync(dir, { recursive: true });
  const floats = Buffer.alloc(4096);
  for (let i = 0; i < 1024; i++) floats.writeFloatLE(Math.sin(i) * 3, i * 4);
  writeFileSync(join(dir, 'weights.bin'), floats);
  const raw = scanFile(join(dir, 'weights.bin'));
  assert.equal(raw.verdict, 'safe');
  assert.equal(raw.format, 'raw');
  writeFileSync(join(dir, 'pytorch_model.bin'), Buffer.from('\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.', 'latin1'));
  assert.equal(scanFile(join(dir, 'pytorch_model.bin')).verdict, 'dangerous');
  writeFileSync(join(dir, 'broken.pkl'), Buffer.from([0xff, 0xfe]));
  assert.equal(scanFile(join(dir, 'broken.pkl')).verdict, 'suspicious');
});

test('ZIP archives built without python: stored and deflated PyTorch members, .keras config', async () => {
  const { zipSync, strToU8 } = await import('fflate');
  const dir = join(tmp.dir, 'zips');
  mkdirSync(dir, { recursive: true });
  const evil = new Uint8Array(Buffer.from('\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.', 'latin1'));
  const benign = new Uint8Array(Buffer.from('\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01.', 'latin1'));
  writeFileSync(join(dir, 'stored.pt'), zipSync({ 'archive/data.pkl': [evil, { level: 0 }], 'archive/version': strToU8('3\n') }));
  writeFileSync(join(dir, 'deflated.pt'), zipSync({ 'archive/data.pkl': [evil, { level: 9 }] }));
  writeFileSync(join(dir, 'benign.pt'), zipSync({ 'archive/data.pkl': [benign, { level: 0 }] }));
  writeFileSync(join(dir, 'm.keras'), zipSync({ 'config.json': strToU8(JSON.stringify({ class_name: 'Functional', config: { layers: [{ class_name: 'Lambda', config: { name: 'x' } }] } })) }));
  for (const name of ['stored.pt', 'deflated.pt']) {
    const r = scanFile(join(dir, name));
    assert.equal(r.format, 'pytorch-zip', name);
    assert.equal(r.verdict, 'dangerous', name);
  }
  assert.equal(scanFile(join(dir, 'benign.pt')).verdict, 'safe');
  assert.equal(scanFile(join(dir, 'm.keras')).verdict, 'dangerous');
});
