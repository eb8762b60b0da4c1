/**
 * RFC 9162 tree edges that the mutation check (`npm run mutate -- audit-tree`, docs/mutation.md) found
 * unchecked: the hash functions against an independent SHA-256, argument guards, degenerate sizes,
 * compact ranges built from perfect subtrees, and proofs of the wrong length.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  CompactRange,
  EMPTY_ROOT,
  HASH_SIZE,
  consistencyProof,
  hashChildren,
  hashLeaf,
  hashPrefixedLeaf,
  inclusionProof,
  rootFromInclusionProof,
  rootFromLeafHashes,
  splitPoint,
  verifyConsistency,
  verifyInclusion,
} from '../../src/audit/tree.js';

const sha256 = (...parts: Uint8Array[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();
const leaves = Array.from({ length: 21 }, (_, i) => hashLeaf(Buffer.from(`entry ${i}`)));
const sub = (s: number, e: number): Buffer => rootFromLeafHashes(leaves, s, e);

test('leaf and node hashes are SHA-256 with the 0x00 / 0x01 prefixes, for any input length', () => {
  const a = Buffer.from('a');
  assert.deepEqual(hashLeaf(a), sha256(Buffer.from([0]), a));
  assert.deepEqual(hashPrefixedLeaf(Buffer.concat([Buffer.from([0]), a])), hashLeaf(a));
  assert.deepEqual(EMPTY_ROOT, sha256());
  assert.equal(HASH_SIZE, 32);
  const [l, r] = [leaves[0]!, leaves[1]!];
  assert.deepEqual(hashChildren(l, r), sha256(Buffer.from([1]), l, r));
  // the shared scratch buffer must not leak one call's input into the next
  assert.deepEqual(hashChildren(r, l), sha256(Buffer.from([1]), r, l));
  // inputs that are not 32 bytes take the general path and still hash 0x01 || left || right
  assert.deepEqual(hashChildren(Buffer.from('x'), r), sha256(Buffer.from([1]), Buffer.from('x'), r));
  assert.deepEqual(hashChildren(l, Buffer.from('yy')), sha256(Buffer.from([1]), l, Buffer.from('yy')));
  assert.deepEqual(hashChildren(l.subarray(0, 31), r), sha256(Buffer.from([1]), l.subarray(0, 31), r));
});

test('the split point is the largest power of two strictly below n', () => {
  assert.deepEqual([2, 3, 4, 5, 7, 8, 9, 16, 17].map(splitPoint), [1, 2, 2, 4, 4, 4, 8, 8, 16]);
});

test('roots over a slice, and of one leaf, need no hashing beyond the slice', () => {
  assert.deepEqual(rootFromLeafHashes(leaves, 3, 3), EMPTY_ROOT);
  assert.deepEqual(rootFromLeafHashes(leaves, 3, 4), leaves[3]);
  assert.deepEqual(rootFromLeafHashes(leaves, 3, 5), hashChildren(leaves[3]!, leaves[4]!));
  assert.deepEqual(rootFromLeafHashes(leaves, 2, 5), hashChildren(hashChildren(leaves[2]!, leaves[3]!), leaves[4]!));
});

test('compact ranges: decompose, restore, clone and append perfect subtrees', () => {
  assert.deepEqual(CompactRange.decompose(0), []);
  assert.deepEqual(CompactRange.decompose(1), [{ start: 0, end: 1 }]);
  assert.deepEqual(CompactRange.decompose(8), [{ start: 0, end: 8 }]);
  assert.deepEqual(CompactRange.decompose(21), [{ start: 0, end: 16 }, { start: 16, end: 20 }, { start: 20, end: 21 }]);
  assert.throws(() => CompactRange.fromNodes(21, [sub(0, 16), sub(16, 20)]), { name: 'RangeError', message: 'a range of size 21 has 3 nodes, not 2' });
  const empty = new CompactRange();
  assert.equal(empty.size, 0);
  assert.deepEqual(empty.root(), EMPTY_ROOT);
  const restored = CompactRange.fromNodes(21, CompactRange.decompose(21).map((r) => sub(r.start, r.end)));
  assert.equal(restored.size, 21);
  assert.deepEqual(restored.root(), sub(0, 21));
  const copy = restored.clone();
  copy.append(leaves[0]!);
  assert.equal(copy.size, 22);
  assert.equal(restored.size, 21);
  assert.deepEqual(restored.root(), sub(0, 21), 'appending to a clone leaves the original alone');
  // 8 + 4 + 4 + 2 + 1 + 1 leaves appended as perfect subtrees give the same root as leaf by leaf
  const byChunks = new CompactRange();
  for (const [s, n] of [[0, 8], [8, 4], [12, 4], [16, 2], [18, 1], [19, 1]] as const) {
    byChunks.appendPerfect(sub(s, s + n), n);
    assert.equal(byChunks.size, s + n);
    assert.deepEqual(byChunks.root(), sub(0, s + n), `after ${s + n} leaves`);
  }
  assert.throws(() => byChunks.appendPerfect(sub(0, 8), 8), { name: 'RangeError', message: 'a perfect subtree must start at a multiple of its size' });
});

test('proof generation refuses positions outside the tree', () => {
  for (const [index, size] of [[-1, 4], [4, 4], [0, 0], [1.5, 4], [0, Number.MAX_SAFE_INTEGER + 1]]) {
    assert.throws(() => inclusionProof(index!, size!, sub), { name: 'RangeError', message: `leaf ${index} is not in a tree of size ${size}` });
  }
  assert.deepEqual(inclusionProof(0, 1, sub), []);
  assert.deepEqual(inclusionProof(3, 4, sub), [leaves[2], sub(0, 2)]);
  for (const [m, n] of [[-1, 4], [5, 4], [1.5, 4], [1, Number.MAX_SAFE_INTEGER + 1]]) {
    assert.throws(() => consistencyProof(m!, n!, sub), { name: 'RangeError', message: `no consistency proof from size ${m} to size ${n}` });
  }
  assert.deepEqual(consistencyProof(0, 5, sub), []);
  assert.deepEqual(consistencyProof(5, 5, sub), []);
  assert.deepEqual(consistencyProof(4, 5, sub), [leaves[4]]);
  assert.deepEqual(consistencyProof(3, 4, sub), [leaves[2], leaves[3], sub(0, 2)]);
});

test('inclusion verification: bad positions, hash sizes and proof lengths give no root', () => {
  const p = inclusionProof(5, 21, sub);
  const root = sub(0, 21);
  assert.deepEqual(rootFromInclusionProof(5, 21, leaves[5]!, p), root);
  for (const [index, size] of [[-1, 21], [21, 21], [5.5, 21], [5, 21.5], [Number.MAX_SAFE_INTEGER + 1, Number.MAX_SAFE_INTEGER + 2]]) {
    assert.equal(rootFromInclusionProof(index!, size!, leaves[5]!, p), null, `${index} of ${size}`);
  }
  assert.equal(rootFromInclusionProof(5, 21, leaves[5]!.subarray(0, 31), p), null);
  assert.equal(rootFromInclusionProof(5, 21, leaves[5]!, [...p.slice(0, -1), p.at(-1)!.subarray(1)]), null);
  assert.equal(rootFromInclusionProof(5, 21, leaves[5]!, [...p, leaves[0]!]), null, 'one component too many');
  assert.equal(rootFromInclusionProof(5, 21, leaves[5]!, p.slice(0, -1)), null, 'one component too few');
  // the single leaf of a one-leaf tree is its own root
  assert.deepEqual(rootFromInclusionProof(0, 1, leaves[0]!, []), leaves[0]);
  assert.equal(verifyInclusion(0, 1, leaves[0]!, [], leaves[0]!), true);
  // the last leaf of an odd tree climbs past the levels where it has no sibling
  assert.equal(verifyInclusion(20, 21, leaves[20]!, inclusionProof(20, 21, sub), root), true);
  assert.equal(verifyInclusion(16, 21, leaves[16]!, inclusionProof(16, 21, sub), root), true);
  assert.equal(verifyInclusion(5, 21, leaves[5]!, p, root.subarray(0, 31)), false);
  assert.equal(verifyInclusion(5, 21, leaves[5]!, p, Buffer.concat([root, Buffer.from([0])])), false);
});

test('consistency verification: the degenerate sizes and malformed inputs', () => {
  const [r5, r21] = [sub(0, 5), sub(0, 21)];
  const p = consistencyProof(5, 21, sub);
  assert.equal(verifyConsistency(5, 21, r5, r21, p), true);
  assert.equal(verifyConsistency(0, 21, EMPTY_ROOT, r21, []), true, 'the empty tree is a prefix of every tree');
  assert.equal(verifyConsistency(0, 21, EMPTY_ROOT, r21, [r21]), false);
  assert.equal(verifyConsistency(21, 21, r21, r21, []), true);
  assert.equal(verifyConsistency(21, 21, r21, r5, []), false);
  assert.equal(verifyConsistency(21, 21, r21, r21, [r21]), false);
  for (const [m, n] of [[-1, 21], [22, 21], [5.5, 21], [5, 21.5], [5, Number.MAX_SAFE_INTEGER + 1]]) {
    assert.equal(verifyConsistency(m!, n!, r5, r21, p), false, `${m} -> ${n}`);
  }
  assert.equal(verifyConsistency(5, 21, r5.subarray(0, 31), r21, p), false);
  assert.equal(verifyConsistency(5, 21, r5, r21.subarray(0, 31), p), false);
  assert.equal(verifyConsistency(5, 21, r5, r21, [...p.slice(0, -1), p.at(-1)!.subarray(1)]), false);
  assert.equal(verifyConsistency(5, 21, r5, r21, [...p, leaves[0]!]), false, 'one component too many');
  // a power-of-two old size: the old root starts the path
  assert.equal(verifyConsistency(8, 21, sub(0, 8), r21, consistencyProof(8, 21, sub)), true);
  assert.equal(verifyConsistency(16, 21, sub(0, 16), r21, consistencyProof(16, 21, sub)), true);
  assert.equal(verifyConsistency(16, 21, sub(0, 8), r21, consistencyProof(16, 21, sub)), false);
  assert.equal(verifyConsistency(7, 8, sub(0, 7), sub(0, 8), consistencyProof(7, 8, sub)), true);
  assert.equal(verifyConsistency(1, 2, leaves[0]!, sub(0, 2), [leaves[1]!]), true);
});
