/**
 * Manifests in the OpenSSF model-signing (sigstore/model-transparency v1.0) serialization: a model is a
 * directory (or one file); each file (method `files`) or each shard `path:start:end` (method `shards`) is
 * one resource with its SHA-256; the root digest is SHA-256 over the raw resource digests in sorted order.
 *
 * @example
 * const manifest = await buildManifest('/models/llama', { pool });
 * console.log(manifest.rootDigest, manifest.items.length);
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { WardenError } from '../core/index.js';
import type { HashPool } from './hash/pool.js';

export const SIGNATURE_FILE = 'model.sig';
export const DEFAULT_IGNORE = [SIGNATURE_FILE, '.git', '.gitattributes', '.github', '.gitignore'];

export type SerializationMethod = 'files' | 'shards';

export interface Serialization {
  method: SerializationMethod;
  hash_type: 'sha256';
  allow_symlinks: boolean;
  shard_size?: number;
  ignore_paths: string[];
}

export interface ManifestItem {
  /** POSIX path relative to the model root, or `path:start:end` for a shard. */
  name: string;
  digest: string;
}

export interface Manifest {
  modelName: string;
  serialization: Serialization;
  /** Sorted as model_signing sorts them (by path components, then shard offsets). */
  items: ManifestItem[];
  rootDigest: string;
  /** Total bytes hashed. */
  bytes: number;
}

export interface BuildOptions {
  pool: HashPool;
  method?: SerializationMethod;
  shardSize?: number;
  ignorePaths?: string[];
}

interface FileEntry {
  rel: string;
  abs: string;
  size: number;
}

/** Files of a model: every regular file under the root, relative POSIX names, ignores applied. */
export function listModelFiles(root: string, ignorePaths: string[] = DEFAULT_IGNORE): { base: string; files: FileEntry[] } {
  let st;
  try {
    st = statSync(root);
  } catch (error) {
    throw new WardenError('bad_request', `cannot read \`${root}\`: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  }
  if (st.isFile()) return { base: dirname(root), files: [{ rel: basename(root), abs: root, size: st.size }] };
  const files: FileEntry[] = [];
  const ignored = new Set(ignorePaths);
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, entry.name);
      const rel = relative(root, abs).split(sep).join('/');
      if (ignored.has(rel)) continue;
      if (entry.isSymbolicLink()) throw new WardenError('bad_request', `symbolic link \`${rel}\` is not allowed in a signed model`);
      if (entry.isDirectory()) walk(abs);
      else if (entry.isFile()) files.push({ rel, abs, size: lstatSync(abs).size });
    }
  };
  walk(root);
  return { base: root, files };
}

function comparePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** Sort key order used by model_signing: path components, then numeric shard start and end. */
export function compareItemNames(a: string, b: string): number {
  const sa = splitShard(a);
  const sb = splitShard(b);
  const byPath = comparePaths(sa.path, sb.path);
  if (byPath !== 0) return byPath;
  return sa.start - sb.start || sa.end - sb.end;
}

export function splitShard(name: string): { path: string; start: number; end: number } {
  const match = /^(.*):(\d+):(\d+)$/.exec(name);
  if (!match) return { path: name, start: 0, end: 0 };
  return { path: match[1] as string, start: Number(match[2]), end: Number(match[3]) };
}

/** SHA-256 over the raw bytes of the (already sorted) item digests. */
export function rootDigestOf(items: readonly ManifestItem[]): string {
  const hash = createHash('sha256');
  for (const item of items) hash.update(Buffer.from(item.digest, 'hex'));
  return hash.digest('hex');
}

export async function buildManifest(path: string, options: BuildOptions): Promise<Manifest> {
  const method = options.method ?? 'files';
  const shardSize = options.shardSize ?? 1_000_000_000;
  const ignorePaths = options.ignorePaths ?? DEFAULT_IGNORE;
  const { files } = listModelFiles(path, ignorePaths);
  const jobs: Promise<ManifestItem>[] = [];
  let bytes = 0;
  for (const file of files) {
    bytes += file.size;
    if (method === 'files') {
      jobs.push(options.pool.hash({ path: file.abs, start: 0, end: -1 }).then((digest) => ({ name: file.rel, digest })));
      continue;
    }
    // model_signing shards every file, including empty ones (one shard 0:0).
    for (let start = 0; start === 0 || start < file.size; start += shardSize) {
      const end = Math.min(start + shardSize, file.size);
      jobs.push(options.pool.hash({ path: file.abs, start, end }).then((digest) => ({ name: `${file.rel}:${start}:${end}`, digest })));
      if (end >= file.size) break;
    }
  }
  const items = (await Promise.all(jobs)).sort((a, b) => compareItemNames(a.name, b.name));
  const serialization: Serialization =
    method === 'files'
      ? { method, hash_type: 'sha256', allow_symlinks: false, ignore_paths: ignorePaths }
      : { method, hash_type: 'sha256', shard_size: shardSize, allow_symlinks: false, ignore_paths: ignorePaths };
  return { modelName: basename(path), serialization, items, rootDigest: rootDigestOf(items), bytes };
}

export interface ManifestDiff {
  added: string[];
  removed: string[];
  modified: string[];
  /** `from -> to` pairs: a removed file whose content reappears under a new name. */
  renamed: { from: string; to: string }[];
}

/** Per-file digests (shards of a file folded into one value) so that diffs speak of files. */
export function fileDigests(items: readonly ManifestItem[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items) {
    const { path } = splitShard(item.name);
    const name = item.name.includes(':') ? path : item.name;
    out.set(name, (out.get(name) ?? '') + item.digest);
  }
  return out;
}

/** What changed from `expected` to `actual`, by file name. */
export function diffManifests(expected: readonly ManifestItem[], actual: readonly ManifestItem[]): ManifestDiff {
  const before = fileDigests(expected);
  const after = fileDigests(actual);
  const added: string[] = [];
  const removed: string[] = [];
  const modified: string[] = [];
  for (const [name, digest] of after) {
    if (!before.has(name)) added.push(name);
    else if (before.get(name) !== digest) modified.push(name);
  }
  for (const name of before.keys()) if (!after.has(name)) removed.push(name);
  const renamed: { from: string; to: string }[] = [];
  for (const from of [...removed]) {
    const to = added.find((name) => after.get(name) === before.get(from));
    if (to === undefined) continue;
    renamed.push({ from, to });
    removed.splice(removed.indexOf(from), 1);
    added.splice(added.indexOf(to), 1);
  }
  return { added: added.sort(), removed: removed.sort(), modified: modified.sort(), renamed };
}

export function isEmptyDiff(diff: ManifestDiff): boolean {
  return diff.added.length + diff.removed.length + diff.modified.length + diff.renamed.length === 0;
}
