/**
 * The live log's view of its Merkle tree: hashes of complete 256-leaf chunks and every level above them
 * in memory (about 0.25 bytes of hash per entry), the leaf hashes of the unfinished chunk, and a compact
 * range for O(log n) roots. Leaf hashes inside complete chunks are read from storage when a proof needs them.
 */
import { CHUNK_LEVEL, CHUNK_SIZE } from './migrations.js';
import { EMPTY_ROOT, hashChildren, rootFromLeafHashes, splitPoint } from './tree.js';

export type LeafHashReader = (start: number, end: number) => Buffer[];

export class TreeState {
  /** levels[0] = chunk hashes; levels[j] = hashes of 2^j consecutive chunks. */
  private readonly levels: Buffer[][] = [[]];
  private tail: Buffer[] = [];
  /** Compact range: [hash, level] from left to right. */
  private compact: { hash: Buffer; level: number }[] = [];
  private count = 0;

  constructor(private readonly readLeafHashes: LeafHashReader) {}

  get size(): number {
    return this.count;
  }

  /** Restores complete chunk hashes (in order) and the unfinished chunk's leaf hashes. */
  restore(chunkHashes: Buffer[], tailLeaves: Buffer[]): void {
    for (const h of chunkHashes) this.addChunk(h);
    for (const h of tailLeaves) this.append(h);
  }

  /** Appends a leaf; returns the chunk hash when this leaf completes a chunk. */
  append(leafHash: Buffer): { chunk: number; hash: Buffer } | null {
    this.tail.push(leafHash);
    // Completing a chunk merges its 256 leaves in the compact range: the level-8 node formed is its hash.
    const hash = this.pushCompact(leafHash, 0);
    this.count++;
    if (this.tail.length < CHUNK_SIZE) return null;
    if (!hash) throw new Error('chunk hash not formed');
    this.tail = [];
    const chunk = this.levels[0]!.length;
    this.addLevels(hash);
    return { chunk, hash };
  }

  private addChunk(hash: Buffer): void {
    this.addLevels(hash);
    this.pushCompact(hash, CHUNK_LEVEL);
    this.count += CHUNK_SIZE;
  }

  private addLevels(hash: Buffer): void {
    let h = hash;
    for (let j = 0; ; j++) {
      const level = (this.levels[j] ??= []);
      level.push(h);
      if (level.length % 2 === 1) return;
      h = hashChildren(level[level.length - 2]!, h);
    }
  }

  /** Pushes a node, merging equal levels; returns the level-8 (chunk) node if one was formed. */
  private pushCompact(hash: Buffer, level: number): Buffer | null {
    let h = hash;
    let l = level;
    let chunk: Buffer | null = null;
    while (this.compact.length && this.compact[this.compact.length - 1]!.level === l) {
      h = hashChildren(this.compact.pop()!.hash, h);
      l++;
      if (l === CHUNK_LEVEL) chunk = h;
    }
    this.compact.push({ hash: h, level: l });
    return chunk;
  }

  root(): Buffer {
    if (this.compact.length === 0) return EMPTY_ROOT;
    let h = this.compact[this.compact.length - 1]!.hash;
    for (let i = this.compact.length - 2; i >= 0; i--) h = hashChildren(this.compact[i]!.hash, h);
    return h;
  }

  /** MTH of leaves [start, end), end <= size. */
  subtree = (start: number, end: number): Buffer => {
    const n = end - start;
    if (n <= 0) return EMPTY_ROOT;
    const isPerfect = Number.isInteger(Math.log2(n)) && start % n === 0;
    if (isPerfect && n >= CHUNK_SIZE) {
      const j = Math.log2(n) - CHUNK_LEVEL;
      const cached = this.levels[j]?.[start / n];
      if (cached) return cached;
    }
    if (isPerfect && n <= CHUNK_SIZE) {
      const tailStart = this.count - this.tail.length;
      if (start >= tailStart) return rootFromLeafHashes(this.tail, start - tailStart, end - tailStart);
      return rootFromLeafHashes(this.readLeafHashes(start, end));
    }
    const k = splitPoint(n);
    return hashChildren(this.subtree(start, start + k), this.subtree(start + k, end));
  };
}
