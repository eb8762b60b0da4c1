/** RFC 9162 Merkle tree: published test vectors, generated proofs, and mutants that must fail. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  CompactRange,
  EMPTY_ROOT,
  consistencyProof,
  hashLeaf,
  inclusionProof,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from '../../src/audit/tree.js';

interface Vectors {
  leaves: string[];
  emptyRoot: string;
  roots: string[];
  inclusion: { index: number; size: number; proof: string[] }[];
  consistency: { from: number; to: number; proof: string[] }[];
}
const V = JSON.parse(readFileSync(new URL('./vectors/rfc9162.json', import.meta.url), 'utf8')) as Vectors;
const h = (x: string): Buffer => Buffer.from(x, 'hex');
const leafHashes = V.leaves.map((l) => hashLeaf(h(l)));
const root = (n: number): Buffer => (n === 0 ? h(V.emptyRoot) : h(V.roots[n - 1]!));
const subtree = (s: number, e: number): Buffer => rootFromLeafHashes(leafHashes, s, e);
const SOME = h('abacaba000000000000000000000000000000000000000000060061e00123456');

test('tree heads of the reference tree match the vectors for every size', () => {
  assert.equal(EMPTY_ROOT.toString('hex'), V.emptyRoot);
  for (let n = 1; n <= 8; n++) {
    assert.equal(rootFromLeafHashes(leafHashes.slice(0, n)).toString('hex'), V.roots[n - 1], `size ${n}`);
    const range = new CompactRange();
    for (let i = 0; i < n; i++) range.append(leafHashes[i]!);
    assert.equal(range.root().toString('hex'), V.roots[n - 1], `compact range size ${n}`);
  }
});

test('inclusion proofs: generated ones equal the vectors and verify', () => {
  for (const v of V.inclusion) {
    assert.deepEqual(inclusionProof(v.index, v.size, subtree).map((b) => b.toString('hex')), v.proof, `leaf ${v.index} size ${v.size}`);
    assert.ok(verifyInclusion(v.index, v.size, leafHashes[v.index]!, v.proof.map(h), root(v.size)), `leaf ${v.index} size ${v.size} verifies`);
  }
});

test('inclusion proof mutants fail (wrong index, size, leaf, root, bit flips, removed or added components)', () => {
  for (const v of V.inclusion) {
    const proof = v.proof.map(h);
    const leaf = leafHashes[v.index]!;
    const r = root(v.size);
    const mutants: [string, () => boolean][] = [
      ['index - 1', () => verifyInclusion(v.index - 1, v.size, leaf, proof, r)],
      ['index + 1', () => verifyInclusion(v.index + 1, v.size, leaf, proof, r)],
      ['index ^ 2', () => verifyInclusion(v.index ^ 2, v.size, leaf, proof, r)],
      ['size * 2', () => verifyInclusion(v.index, v.size * 2, leaf, proof, r)],
      ['size / 2', () => verifyInclusion(v.index, Math.floor(v.size / 2), leaf, proof, r)],
      ['wrong leaf', () => verifyInclusion(v.index, v.size, Buffer.from('WrongLeaf'), proof, r)],
      ['empty root', () => verifyInclusion(v.index, v.size, leaf, proof, EMPTY_ROOT)],
      ['random root', () => verifyInclusion(v.index, v.size, leaf, proof, SOME)],
      ['trailing garbage', () => verifyInclusion(v.index, v.size, leaf, [...proof, Buffer.alloc(0)], r)],
      ['trailing root', () => verifyInclusion(v.index, v.size, leaf, [...proof, r], r)],
      ['preceding garbage', () => verifyInclusion(v.index, v.size, leaf, [Buffer.alloc(0), ...proof], r)],
      ['preceding root', () => verifyInclusion(v.index, v.size, leaf, [r, ...proof], r)],
    ];
    proof.forEach((_, i) => {
      const flipped = proof.map((p) => Buffer.from(p));
      flipped[i]![0]! ^= 8;
      mutants.push([`proof[${i}] bit 3 flipped`, () => verifyInclusion(v.index, v.size, leaf, flipped, r)]);
    });
    if (proof.length > 0) mutants.push(['removed component', () => verifyInclusion(v.index, v.size, leaf, proof.slice(0, -1), r)]);
    if (proof.length > 1) mutants.push(['inserted component', () => verifyInclusion(v.index, v.size, leaf, [proof[0]!, SOME, ...proof.slice(1)], r)]);
    for (const [name, run] of mutants) assert.equal(run(), false, `leaf ${v.index} size ${v.size}: ${name} verified`);
  }
});

test('consistency proofs: generated ones equal the vectors and verify', () => {
  for (const v of V.consistency) {
    assert.deepEqual(consistencyProof(v.from, v.to, subtree).map((b) => b.toString('hex')), v.proof, `${v.from} -> ${v.to}`);
    assert.ok(verifyConsistency(v.from, v.to, root(v.from), root(v.to), v.proof.map(h)), `${v.from} -> ${v.to} verifies`);
  }
});

test('consistency proof mutants fail', () => {
  for (const v of V.consistency) {
    const proof = v.proof.map(h);
    if (proof.length === 0) continue;
    const [r1, r2] = [root(v.from), root(v.to)];
    const mutants: [string, () => boolean][] = [
      ['from - 1', () => verifyConsistency(v.from - 1, v.to, r1, r2, proof)],
      ['from + 1', () => verifyConsistency(v.from + 1, v.to, r1, r2, proof)],
      ['from ^ 2', () => verifyConsistency(v.from ^ 2, v.to, r1, r2, proof)],
      ['to * 2', () => verifyConsistency(v.from, v.to * 2, r1, r2, proof)],
      ['to / 2', () => verifyConsistency(v.from, Math.floor(v.to / 2), r1, r2, proof)],
      ['wrong root1', () => verifyConsistency(v.from, v.to, Buffer.from('WrongRoot'), r2, proof)],
      ['wrong root2', () => verifyConsistency(v.from, v.to, r1, Buffer.from('WrongRoot'), proof)],
      ['swapped roots', () => verifyConsistency(v.from, v.to, r2, r1, proof)],
      ['empty proof', () => verifyConsistency(v.from, v.to, r1, r2, [])],
      ['trailing garbage', () => verifyConsistency(v.from, v.to, r1, r2, [...proof, Buffer.alloc(0)])],
      ['trailing root1', () => verifyConsistency(v.from, v.to, r1, r2, [...proof, r1])],
      ['trailing root2', () => verifyConsistency(v.from, v.to, r1, r2, [...proof, r2])],
      ['preceding garbage', () => verifyConsistency(v.from, v.to, r1, r2, [Buffer.alloc(0), ...proof])],
      ['preceding root1', () => verifyConsistency(v.from, v.to, r1, r2, [r1, ...proof])],
      ['preceding root2', () => verifyConsistency(v.from, v.to, r1, r2, [r2, ...proof])],
      ['preceding proof[0]', () => verifyConsistency(v.from, v.to, r1, r2, [proof[0]!, ...proof])],
      ['truncated proof', () => verifyConsistency(v.from, v.to, r1, r2, proof.slice(0, -1))],
    ];
    proof.forEach((_, i) => {
      const flipped = proof.map((p) => Buffer.from(p));
      flipped[i]![0]! ^= 16;
      mutants.push([`proof[${i}] bit 4 flipped`, () => verifyConsistency(v.from, v.to, r1, r2, flipped)]);
    });
    for (const [name, run] of mutants) assert.equal(run(), false, `${v.from} -> ${v.to}: ${name} verified`);
  }
});

test('every inclusion and consistency proof of trees up to 40 leaves verifies, and a flipped bit fails', () => {
  const leaves = Array.from({ length: 40 }, (_, i) => hashLeaf(Buffer.from(`entry ${i}`)));
  const sub = (s: number, e: number): Buffer => rootFromLeafHashes(leaves, s, e);
  for (let n = 1; n <= 40; n++) {
    const r = sub(0, n);
    for (let i = 0; i < n; i++) {
      const p = inclusionProof(i, n, sub);
      assert.ok(verifyInclusion(i, n, leaves[i]!, p, r), `inclusion ${i} in ${n}`);
      if (p.length) {
        const bad = p.map((x) => Buffer.from(x));
        bad[bad.length - 1]![31]! ^= 1;
        assert.equal(verifyInclusion(i, n, leaves[i]!, bad, r), false);
      }
    }
    for (let m = 0; m <= n; m++) {
      const p = consistencyProof(m, n, sub);
      assert.ok(verifyConsistency(m, n, sub(0, m), r, p), `consistency ${m} -> ${n}`);
      if (p.length) {
        const bad = p.map((x) => Buffer.from(x));
        bad[0]![0]! ^= 1;
        assert.equal(verifyConsistency(m, n, sub(0, m), r, bad), false, `mutant consistency ${m} -> ${n}`);
      }
    }
  }
});

test('a compact range can be restored from its nodes', () => {
  const leaves = Array.from({ length: 13 }, (_, i) => hashLeaf(Buffer.from([i])));
  const ranges = CompactRange.decompose(13);
  assert.deepEqual(ranges, [{ start: 0, end: 8 }, { start: 8, end: 12 }, { start: 12, end: 13 }]);
  const r = CompactRange.fromNodes(13, ranges.map((x) => rootFromLeafHashes(leaves, x.start, x.end)));
  assert.ok(r.root().equals(rootFromLeafHashes(leaves)), 'restored root');
  r.append(hashLeaf(Buffer.from([13])));
  assert.ok(r.root().equals(rootFromLeafHashes([...leaves, hashLeaf(Buffer.from([13]))])), 'root after an append');
});
