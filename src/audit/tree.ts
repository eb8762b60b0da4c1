/**
 * RFC 9162 (section 2.1) Merkle tree hashing, proofs and proof verification. Pure functions: the log
 * supplies hashes of subtrees through a `SubtreeHasher`, so the same code serves the live log, the
 * verifier and offline export checks.
 *
 * @example
 * const root = rootFromLeafHashes([hashLeaf(Buffer.from('a')), hashLeaf(Buffer.from('b'))]);
 */
import { createHash, hash as oneShotHash } from 'node:crypto';

export const HASH_SIZE = 32;
const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

/** SHA-256 of the empty string: the root of the empty tree. */
export const EMPTY_ROOT = createHash('sha256').digest();

/** Leaf hash: SHA-256(0x00 || entry). */
export function hashLeaf(entry: Uint8Array): Buffer {
  return oneShotHash('sha256', Buffer.concat([LEAF_PREFIX, entry]), 'buffer');
}

/** Leaf hash of a buffer that already starts with the 0x00 prefix (see encodeLeafInput). */
export function hashPrefixedLeaf(prefixed: Uint8Array): Buffer {
  return oneShotHash('sha256', prefixed, 'buffer');
}

const scratch = Buffer.alloc(1 + HASH_SIZE * 2);
scratch[0] = 1;

/** Interior hash: SHA-256(0x01 || left || right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) return oneShotHash('sha256', Buffer.concat([NODE_PREFIX, left, right]), 'buffer');
  scratch.set(left, 1);
  scratch.set(right, 1 + HASH_SIZE);
  return oneShotHash('sha256', scratch, 'buffer');
}

/** Largest power of two strictly smaller than n (n >= 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Returns the hash of the leaves [start, end): the log answers from storage or a cache. */
export type SubtreeHasher = (start: number, end: number) => Buffer;

/** MTH over an in-memory list of leaf hashes (RFC 9162 2.1.1). */
export function rootFromLeafHashes(leaves: readonly Buffer[], start = 0, end = leaves.length): Buffer {
  const n = end - start;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leaves[start]!;
  const k = splitPoint(n);
  return hashChildren(rootFromLeafHashes(leaves, start, start + k), rootFromLeafHashes(leaves, start + k, end));
}

/**
 * The "compact range" of a growing tree: the roots of the perfect subtrees that decompose [0, size).
 * Appending is O(1) amortised; `root()` folds at most log2(size) hashes.
 */
export class CompactRange {
  /** Hashes from the largest (leftmost) subtree to the smallest. */
  private nodes: Buffer[] = [];
  private count = 0;

  /** A range of `size` leaves from the roots of its perfect subtrees, largest first (one per 1-bit of size). */
  static fromNodes(size: number, nodes: Buffer[]): CompactRange {
    const bits = size.toString(2).split('').filter((b) => b === '1').length;
    if (nodes.length !== bits) throw new RangeError(`a range of size ${size} has ${bits} nodes, not ${nodes.length}`);
    const r = new CompactRange();
    r.nodes = [...nodes];
    r.count = size;
    return r;
  }

  /** The perfect subtrees [start, end) of a range [0, size), largest first. */
  static decompose(size: number): { start: number; end: number }[] {
    const out: { start: number; end: number }[] = [];
    let start = 0;
    for (let bit = 2 ** Math.floor(Math.log2(Math.max(size, 1))); bit >= 1; bit /= 2) {
      if (size - start >= bit) {
        out.push({ start, end: start + bit });
        start += bit;
      }
    }
    return out;
  }

  get size(): number {
    return this.count;
  }

  append(leafHash: Buffer): void {
    let h = leafHash;
    let n = this.count;
    // Each trailing 1-bit of the old size is a perfect subtree that merges with the new one.
    while (n % 2 === 1) {
      h = hashChildren(this.nodes.pop()!, h);
      n = Math.floor(n / 2);
    }
    this.nodes.push(h);
    this.count++;
  }

  /** Appends the root of a perfect subtree of `leaves` leaves (a power of two dividing the current size). */
  appendPerfect(hash: Buffer, leaves: number): void {
    if (this.count % leaves !== 0) throw new RangeError('a perfect subtree must start at a multiple of its size');
    let h = hash;
    let n = this.count / leaves;
    while (n % 2 === 1) {
      h = hashChildren(this.nodes.pop()!, h);
      n = Math.floor(n / 2);
    }
    this.nodes.push(h);
    this.count += leaves;
  }

  clone(): CompactRange {
    return CompactRange.fromNodes(this.count, this.nodes);
  }

  root(): Buffer {
    if (this.nodes.length === 0) return EMPTY_ROOT;
    let h = this.nodes[this.nodes.length - 1]!;
    for (let i = this.nodes.length - 2; i >= 0; i--) h = hashChildren(this.nodes[i]!, h);
    return h;
  }
}

/** Inclusion proof of leaf `index` in the tree of size `size` (RFC 9162 2.1.3.1, PATH). */
export function inclusionProof(index: number, size: number, subtree: SubtreeHasher): Buffer[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new RangeError(`leaf ${index} is not in a tree of size ${size}`);
  }
  const path: Buffer[] = [];
  const walk = (m: number, start: number, end: number): void => {
    const n = end - start;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, start, start + k);
      path.push(subtree(start + k, end));
    } else {
      walk(m - k, start + k, end);
      path.push(subtree(start, start + k));
    }
  };
  walk(index, 0, size);
  return path;
}

/** Consistency proof between the trees of sizes `m` and `n` (RFC 9162 2.1.4.1, SUBPROOF). */
export function consistencyProof(m: number, n: number, subtree: SubtreeHasher): Buffer[] {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) {
    throw new RangeError(`no consistency proof from size ${m} to size ${n}`);
  }
  if (m === 0 || m === n) return [];
  const proof: Buffer[] = [];
  const sub = (mm: number, start: number, end: number, complete: boolean): void => {
    const nn = end - start;
    if (mm === nn) {
      if (!complete) proof.push(subtree(start, end));
      return;
    }
    const k = splitPoint(nn);
    if (mm <= k) {
      sub(mm, start, start + k, complete);
      proof.push(subtree(start + k, end));
    } else {
      sub(mm - k, start + k, end, false);
      proof.push(subtree(start, start + k));
    }
  };
  sub(m, 0, n, true);
  return proof;
}

function isHash(h: Uint8Array): boolean {
  return h.length === HASH_SIZE;
}

/** Root computed from an inclusion proof (RFC 9162 2.1.3.2), or null when the proof is malformed. */
export function rootFromInclusionProof(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[]): Buffer | null {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return null;
  if (!isHash(leafHash) || !proof.every(isHash)) return null;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

/** True when `proof` shows leaf `index` with `leafHash` is in the tree of `size` with `root`. */
export function verifyInclusion(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  const computed = rootFromInclusionProof(index, size, leafHash, proof);
  return computed !== null && isHash(root) && computed.equals(root);
}

/** True when `proof` shows the tree of size m with root1 is a prefix of the tree of size n with root2 (RFC 9162 2.1.4.2). */
export function verifyConsistency(m: number, n: number, root1: Uint8Array, root2: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) return false;
  if (!isHash(root1) || !isHash(root2) || !proof.every(isHash)) return false;
  if (m === 0) return proof.length === 0;
  if (m === n) return proof.length === 0 && Buffer.from(root1).equals(root2);
  if (proof.length === 0) return false;
  let path = [...proof];
  // If m is an exact power of two, the first tree's root is the start of the path.
  if (Number.isInteger(Math.log2(m))) path = [Buffer.from(root1), ...path];
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(root1) && sr.equals(root2);
}
