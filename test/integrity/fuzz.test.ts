/**
 * Fuzzing the parsers with random, truncated and bit-flipped input: they must return (never throw an
 * unexpected error, never hang) within a bounded time. Deterministic PRNG so failures reproduce.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BufferSource, checkHdf5, checkOnnx, checkSafetensors, parsePickles, scanFile } from '../../src/integrity/index.js';
import { prng } from '../../src/core/prng.js';
import { hasPython, tempDir } from './helpers.js';
import { h5WithConfig, kerasConfig, onnxModel, onnxTensor, safetensors, writePickleFixtures } from './fixtures.js';

let tmp: { dir: string; cleanup: () => void };
const seeds: Buffer[] = [];

function mutate(rand: () => number, input: Buffer): Buffer {
  const choice = rand();
  if (choice < 0.3) return input.subarray(0, Math.floor(rand() * input.length)); // truncate
  const out = Buffer.from(input);
  const flips = 1 + Math.floor(rand() * 8);
  for (let i = 0; i < flips && out.length; i++) {
    const at = Math.floor(rand() * out.length);
    out[at] = choice < 0.65 ? (out[at] as number) ^ (1 << Math.floor(rand() * 8)) : Math.floor(rand() * 256);
  }
  return out;
}

function randomBytes(rand: () => number, max: number): Buffer {
  const out = Buffer.alloc(Math.floor(rand() * max));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

before(() => {
  tmp = tempDir('warden-fuzz-');
  if (hasPython()) {
    writePickleFixtures(tmp.dir);
    for (const name of readdirSync(tmp.dir)) if (name.endsWith('.pkl')) seeds.push(readFileSync(join(tmp.dir, name)));
  }
  // Hand-made pickle seed (protocol 2 GLOBAL + REDUCE) so the test has seeds without python.
  seeds.push(Buffer.from('\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.', 'latin1'));
});
after(() => tmp.cleanup());

const BUDGET_MS = 4000;

test('pickle parser: random, truncated and mutated streams never throw and stay bounded', () => {
  const rand = prng(0xc0ffee);
  const started = Date.now();
  let runs = 0;
  while (Date.now() - started < BUDGET_MS && runs < 20_000) {
    const input = rand() < 0.2 ? randomBytes(rand, 512) : mutate(rand, seeds[Math.floor(rand() * seeds.length)] as Buffer);
    const result = parsePickles(new BufferSource(input));
    assert.ok(Array.isArray(result.imports));
    runs++;
  }
  assert.ok(runs > 100, `only ${runs} runs`);
});

test('pickle parser: hostile lengths and depth are refused without allocating', () => {
  const huge = Buffer.concat([Buffer.from([0x80, 0x04, 0x8d]), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00])]);
  assert.ok(parsePickles(new BufferSource(huge)).errors.length > 0);
  const deep = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.alloc(300_000, 0x28), Buffer.from('.')]);
  const r = parsePickles(new BufferSource(deep), { maxStack: 100_000 });
  assert.match(r.errors[0]?.message ?? '', /stack too deep/);
  const longLine = Buffer.concat([Buffer.from('c'), Buffer.alloc(100_000, 0x61)]);
  assert.ok(parsePickles(new BufferSource(longLine)).errors.length > 0);
});

test('safetensors, ONNX and HDF5 checks: mutated and random input never throws', () => {
  const rand = prng(42);
  const st = safetensors({ a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] }, __metadata__: { k: 'v' } }, 16);
  const onnx = onnxModel([onnxTensor('w', 'w.bin'), onnxTensor('x', 'sub/x.bin')], onnxTensor('c', 'c.bin'));
  const h5 = h5WithConfig(kerasConfig(true));
  const started = Date.now();
  let runs = 0;
  while (Date.now() - started < BUDGET_MS && runs < 20_000) {
    const kind = runs % 3;
    const base = kind === 0 ? st : kind === 1 ? onnx : h5;
    const input = rand() < 0.15 ? randomBytes(rand, 256) : mutate(rand, base);
    if (kind === 0) assert.ok(Array.isArray(checkSafetensors(new BufferSource(input))));
    else if (kind === 1) assert.ok(Array.isArray(checkOnnx(new BufferSource(input), join(tmp.dir, 'm.onnx')).findings));
    else assert.ok(Array.isArray(checkHdf5(new BufferSource(input)).findings));
    runs++;
  }
  assert.ok(runs > 100);
});

test('scanFile on mutated ZIP archives (PyTorch, .keras) never throws', { skip: hasPython() ? false : 'python3 not available to build archives' }, () => {
  const rand = prng(7);
  const archives = ['evil.pt', 'benign.pt', 'lambda.keras'].map((n) => ({ name: n, data: readFileSync(join(tmp.dir, n)) }));
  const started = Date.now();
  let runs = 0;
  while (Date.now() - started < BUDGET_MS && runs < 600) {
    const a = archives[runs % archives.length] as { name: string; data: Buffer };
    const path = join(tmp.dir, `fuzz-${a.name}`);
    writeFileSync(path, mutate(rand, a.data));
    const r = scanFile(path);
    assert.ok(['safe', 'suspicious', 'dangerous'].includes(r.verdict));
    runs++;
  }
  assert.ok(runs > 20);
});
