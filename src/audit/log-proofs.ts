/**
 * The bounds checks and RFC 9162 proofs that both live logs serve (the single-process log over audit.db,
 * the cluster's view over PostgreSQL), each computed from a `subtree` function over that log's tree state:
 * one place for the arithmetic and for the error messages a client sees.
 */
import { WardenError } from '../core/index.js';
import type { ConsistencyProof, InclusionProof } from './source.js';
import { consistencyProof, inclusionProof } from './tree.js';

/** MTH of leaves [start, end). */
export type Subtree = (start: number, end: number) => Buffer;

/** The most entries one read returns. */
export const MAX_READ = 100_000;

export function checkReadRange(fromIndex: number, limit: number): void {
  if (!Number.isSafeInteger(fromIndex) || fromIndex < 0 || !Number.isSafeInteger(limit) || limit < 0) {
    throw new WardenError('bad_request', 'fromIndex and limit must be non-negative integers');
  }
}

/** `treeSize` must name a tree the log holds: 0..size. */
export function checkTreeSize(treeSize: number, size: number, what: string): void {
  if (!Number.isSafeInteger(treeSize) || treeSize < 0 || treeSize > size) {
    throw new WardenError('bad_request', `${what} must be an integer between 0 and ${size}`);
  }
}

/** The inclusion proof's own bounds (its tree size is checked against the log first). */
export function checkLeafIndex(index: number, treeSize: number): void {
  if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize) throw new WardenError('bad_request', `index must be below the tree size ${treeSize}`);
}

/** The consistency proof's own bounds (`toSize` is checked against the log first). */
export function checkFromSize(fromSize: number, toSize: number): void {
  if (!Number.isSafeInteger(fromSize) || fromSize < 0 || fromSize > toSize) throw new WardenError('bad_request', 'fromSize must be between 0 and toSize');
}

export function proveInclusion(index: number, treeSize: number, leafHash: Buffer, subtree: Subtree): InclusionProof {
  return {
    index,
    treeSize,
    leafHash: leafHash.toString('hex'),
    rootHash: subtree(0, treeSize).toString('hex'),
    proof: inclusionProof(index, treeSize, subtree).map((h) => h.toString('hex')),
  };
}

export function proveConsistency(fromSize: number, toSize: number, subtree: Subtree): ConsistencyProof {
  return {
    fromSize,
    toSize,
    fromRoot: subtree(0, fromSize).toString('hex'),
    toRoot: subtree(0, toSize).toString('hex'),
    proof: consistencyProof(fromSize, toSize, subtree).map((h) => h.toString('hex')),
  };
}
