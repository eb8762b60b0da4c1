/**
 * Pickle scanner (issue 10, finding 14; issue 11): format rules apply only to the format they belong to.
 * joblib's "raw array bytes follow a NumpyArrayWrapper" rule must not let a plain pickle hide a payload
 * from the scanner while `pickle.load` runs it; skips are bounded by the data; whatever the joblib
 * reading cannot parse after a skip is suspicious. Every opcode that imports is covered (GLOBAL,
 * STACK_GLOBAL, INST, OBJ, NEWOBJ, NEWOBJ_EX, EXT1/2/4) and the persistent-id opcodes. Every fixture is
 * written here, byte by byte, so these tests need no python.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { scanFile } from '../../src/integrity/index.js';
import { tempDir } from './helpers.js';

const tmp = tempDir('warden-pickle-formats-');
after(() => tmp.cleanup());

let fixtureCount = 0;
const b = (text: string): Buffer => Buffer.from(text, 'latin1');

/** `joblib.numpy_pickle.NumpyArrayWrapper` built and given {shape: (n,), dtype: dtype('u1')} [+ alignment]. */
function wrapper(n: number, aligned: boolean): Buffer {
  const count = n < 256 ? b(`K${String.fromCharCode(n)}`) : Buffer.concat([b('M'), Buffer.from([n & 0xff, n >> 8])]);
  return Buffer.concat([
    b('cjoblib.numpy_pickle\nNumpyArrayWrapper\n)\x81}('),
    b('U\x05shape'), count, b('\x85'),
    b('U\x05dtype'), b('cnumpy\ndtype\nU\x02u1\x85R'),
    aligned ? b('U\x1bnumpy_array_alignment_bytesK\x10') : Buffer.alloc(0),
    b('ub'),
  ]);
}

/** `posix.system('id')` through REDUCE: 20 bytes of opcodes. */
const PAYLOAD = b('cposix\nsystem\nU\x02id\x85R');

/**
 * The bypass of finding 14: a wrapper whose claimed array length covers the payload. joblib.load reads
 * those 20 bytes as array data; pickle.load and torch.load execute them.
 */
const BYPASS = Buffer.concat([b('\x80\x02'), wrapper(PAYLOAD.length, false), PAYLOAD, b('.')]);

function scan(name: string, bytes: Buffer | Uint8Array): ReturnType<typeof scanFile> {
  const dir = join(tmp.dir, String(++fixtureCount));
  mkdirSync(dir);
  writeFileSync(join(dir, name), bytes);
  return scanFile(join(dir, name));
}

const dangerousImport = (r: ReturnType<typeof scanFile>): { module: string; name: string; opcode: string; usedBy: string[] } | undefined =>
  r.findings.find((f) => f.verdict === 'dangerous')?.details as { module: string; name: string; opcode: string; usedBy: string[] } | undefined;

test('the bypass: a NumpyArrayWrapper whose length covers a posix.system REDUCE is dangerous under every name', () => {
  for (const name of ['model.pkl', 'pytorch_model.bin', 'model.pt', 'model.pickle', 'model.joblib', 'weights.dat', 'model.ckpt']) {
    const r = scan(name, BYPASS);
    assert.equal(r.verdict, 'dangerous', `${name}: ${JSON.stringify(r.findings)}`);
    assert.deepEqual(dangerousImport(r), { module: 'posix', name: 'system', opcode: 'GLOBAL', usedBy: ['REDUCE'] }, name);
  }
  const zip = scan('model.pt', zipSync({ 'archive/data.pkl': [new Uint8Array(BYPASS), { level: 0 }] }));
  assert.equal(zip.verdict, 'dangerous');
});

test('a real joblib layout (alignment byte, padding, array bytes) is safe as .joblib and as .pkl', () => {
  const arrayBytes = Buffer.alloc(40, 0x63); // 0x63 is GLOBAL: as opcodes these bytes would not parse
  for (const aligned of [true, false]) {
    const head = Buffer.concat([b('\x80\x02}(U\x04coef'), wrapper(arrayBytes.length, aligned)]);
    // joblib writes a padding-length byte, then that much padding, so the data starts 16-aligned
    const pad = aligned ? 16 - ((head.length + 1) % 16) : 0;
    const file = Buffer.concat([head, aligned ? Buffer.from([pad, ...Buffer.alloc(pad, 0xff)]) : Buffer.alloc(0), arrayBytes, b('u.')]);
    for (const name of ['model.joblib', 'model.pkl']) {
      const r = scan(name, file);
      assert.equal(r.verdict, 'safe', `${name} aligned=${aligned}: ${JSON.stringify(r.findings)}`);
      assert.equal(r.format, 'joblib');
    }
    // torch never reads joblib arrays: as pytorch_model.bin the same bytes cannot be vouched for
    assert.notEqual(scan('pytorch_model.bin', file).verdict, 'safe', `aligned=${aligned}`);
  }
});

test('skips are bounded by the real structure: a length past the end, or garbage after the skip, is suspicious', () => {
  const pastEnd = Buffer.concat([b('\x80\x02'), wrapper(200, false), Buffer.alloc(10), b('.')]);
  for (const name of ['model.joblib', 'model.pkl']) assert.equal(scan(name, pastEnd).verdict, 'suspicious', name);
  // the claimed length ends inside the data, and what follows is not the rest of a pickle
  const garbage = Buffer.concat([b('\x80\x02'), wrapper(4, false), Buffer.alloc(4), Buffer.from([0xff, 0xfe, 0x00]), b('.')]);
  for (const name of ['model.joblib', 'model.pkl']) assert.equal(scan(name, garbage).verdict, 'suspicious', name);
});

test('INST: a dangerous import through INST is dangerous; a safe class through INST is safe', () => {
  const evil = scan('old.pkl', b("(S'id'\nios\nsystem\n."));
  assert.equal(evil.verdict, 'dangerous');
  assert.deepEqual(dangerousImport(evil), { module: 'os', name: 'system', opcode: 'INST', usedBy: ['INST'] });
  const benign = scan('old-benign.pkl', b('(icollections\nOrderedDict\n.'));
  assert.equal(benign.verdict, 'safe', JSON.stringify(benign.findings));
  const unknown = scan('old-unknown.pkl', b('(imymodule\nThing\n.'));
  assert.equal(unknown.verdict, 'suspicious');
});

test('OBJ, NEWOBJ, NEWOBJ_EX and STACK_GLOBAL through the memo are dangerous with the opcode that used them', () => {
  const cases: [string, Buffer, string, string][] = [
    ['obj.pkl', b("(cos\nsystem\nS'id'\no."), 'GLOBAL', 'OBJ'],
    ['newobj.pkl', b('\x80\x02cos\nsystem\nU\x02id\x85\x81.'), 'GLOBAL', 'NEWOBJ'],
    ['newobj-ex.pkl', b('\x80\x04\x8c\x02os\x8c\x06system\x93U\x02id\x85}\x92.'), 'STACK_GLOBAL', 'NEWOBJ_EX'],
    ['memo.pkl', b('\x80\x04\x8c\x05posix\x94\x8c\x06system\x94h\x00h\x01\x93\x8c\x02id\x85R.'), 'STACK_GLOBAL', 'REDUCE'],
    ['frame.pkl', Buffer.concat([b('\x80\x04\x95'), Buffer.from([25, 0, 0, 0, 0, 0, 0, 0]), b('\x8c\x05posix\x8c\x06system\x93\x8c\x02id\x85R.')]), 'STACK_GLOBAL', 'REDUCE'],
  ];
  for (const [name, bytes, opcode, usedBy] of cases) {
    const r = scan(name, bytes);
    assert.equal(r.verdict, 'dangerous', `${name}: ${JSON.stringify(r.findings)}`);
    const imp = dangerousImport(r);
    assert.equal(imp?.opcode, opcode, name);
    assert.deepEqual(imp?.usedBy, [usedBy], name);
  }
});

test('EXT1/EXT2/EXT4 import from the loader\'s copyreg registry: never vouched for', () => {
  for (const [name, ext] of [['ext1.pkl', '\x82\x01'], ['ext2.pkl', '\x83\x01\x02'], ['ext4.pkl', '\x84\x01\x02\x03\x04']] as const) {
    const r = scan(name, b(`\x80\x02${ext})R.`));
    assert.equal(r.verdict, 'suspicious', `${name}: ${JSON.stringify(r.findings)}`);
    assert.ok(r.findings.some((f) => (f.details as { opcode?: string } | undefined)?.opcode === 'EXT'), name);
  }
});

test('persistent ids (PERSID, BINPERSID) do not hide what the stream imports', () => {
  const bin = scan('persid.pkl', b('\x80\x02cposix\nsystem\nU\x02id\x85RQ.'));
  assert.equal(bin.verdict, 'dangerous');
  const text = scan('persid0.pkl', b("Pstorage\n0(S'id'\nios\nsystem\n."));
  assert.equal(text.verdict, 'dangerous');
});

test('imports named like Object members are classified, not a scanner crash', () => {
  for (const module of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    const r = scan(`${module}.pkl`, b(`\x80\x02c${module}\nx\n)R.`));
    assert.equal(r.verdict, 'suspicious', module);
    assert.ok(r.findings.some((f) => f.kind === 'pickle.import'), `${module}: ${JSON.stringify(r.findings)}`);
  }
});

test('safetensors: a tensor named twice in the header is refused (loaders differ on which entry counts)', () => {
  const header = '{"w": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]}, "w": {"dtype": "U8", "shape": [4], "data_offsets": [4, 8]}}';
  const json = Buffer.from(header, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const r = scan('model.safetensors', Buffer.concat([len, json, Buffer.alloc(8)]));
  assert.equal(r.verdict, 'dangerous');
  assert.ok(r.findings.some((f) => /duplicate key "w"/.test(f.message)), JSON.stringify(r.findings));
  const single = '{"w": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]}}';
  const one = Buffer.from(single, 'utf8');
  len.writeBigUInt64LE(BigInt(one.length));
  assert.equal(scan('ok.safetensors', Buffer.concat([len, one, Buffer.alloc(4)])).verdict, 'safe');
});
