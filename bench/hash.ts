/**
 * Hashing benchmark (npm run bench:hash): Warden's manifest hashing (streamed, worker threads) over a
 * multi-GB set of files, against the machine's SHA-256 limit measured as node's crypto on an in-memory
 * buffer (one thread). Files are generated under the OS temp dir and deleted afterwards.
 *
 *   node --import tsx bench/hash.ts [--gb 2] [--files 8] [--rounds 3] [--workers 0]
 *
 * Rounds alternate limit / manifest measurements so that load from other processes hits both alike.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { mkdtempSync, openSync, rmSync, writeSync, closeSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildManifest, HashPool, integrityConfigSchema } from '../src/integrity/index.js';

const { values } = parseArgs({
  options: { gb: { type: 'string', default: '2' }, files: { type: 'string', default: '8' }, rounds: { type: 'string', default: '3' }, workers: { type: 'string', default: '0' } },
});
const totalBytes = Math.round(Number(values.gb) * 1024 ** 3);
const fileCount = Number(values.files);
const rounds = Number(values.rounds);
const workers = Number(values.workers) || Math.min(8, availableParallelism());
const CHUNK = Number(process.env.CHUNK ?? integrityConfigSchema.parse({}).readChunkBytes);
const perFile = Math.floor(totalBytes / fileCount);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const gbps = (bytes: number, ns: bigint): number => bytes / (Number(ns) / 1e9) / 1e9;

const dir = mkdtempSync(join(tmpdir(), 'warden-bench-hash-'));
try {
  // Generate the files: 64 MiB of random data, written repeatedly (content does not matter to SHA-256 speed).
  const block = randomFillSync(Buffer.allocUnsafe(64 * 1024 * 1024));
  for (let i = 0; i < fileCount; i++) {
    const fd = openSync(join(dir, `shard-${String(i).padStart(3, '0')}.bin`), 'w');
    for (let written = 0; written < perFile; ) {
      const n = Math.min(block.length, perFile - written);
      writeSync(fd, block, 0, n);
      written += n;
    }
    closeSync(fd);
  }
  // Warm the page cache once so that every round reads from memory, as the limit does.
  for (let i = 0; i < fileCount; i++) void readFileSync(join(dir, `shard-${String(i).padStart(3, '0')}.bin`));

  const limitBuffer = block; // 64 MiB in memory
  const limitRuns = Math.max(4, Math.round(1024 ** 3 / limitBuffer.length)); // ~1 GiB per measurement
  const pool = new HashPool({ workers, chunkBytes: CHUNK });
  const single = new HashPool({ workers: 1, chunkBytes: CHUNK });
  const limit: number[] = [];
  const ours: number[] = [];
  const oursSingle: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      let t = process.hrtime.bigint();
      for (let i = 0; i < limitRuns; i++) createHash('sha256').update(limitBuffer).digest();
      limit.push(gbps(limitRuns * limitBuffer.length, process.hrtime.bigint() - t));

      t = process.hrtime.bigint();
      const m = await buildManifest(dir, { pool });
      ours.push(gbps(m.bytes, process.hrtime.bigint() - t));

      t = process.hrtime.bigint();
      const s = await buildManifest(dir, { pool: single });
      oursSingle.push(gbps(s.bytes, process.hrtime.bigint() - t));
      if (s.rootDigest !== m.rootDigest) throw new Error('digests differ between pools');
    }
  } finally {
    await pool.close();
    await single.close();
  }
  const result = {
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
    set: { files: fileCount, bytes: perFile * fileCount },
    rounds,
    limitGBps: median(limit),
    manifestGBps: median(ours),
    manifestWorkers: workers,
    ratio: median(ours) / median(limit),
    manifestSingleWorkerGBps: median(oursSingle),
    ratioSingleWorker: median(oursSingle) / median(limit),
    samples: { limit, manifest: ours, manifestSingleWorker: oursSingle },
  };
  console.log(JSON.stringify(result, null, 2));
  if (result.ratio < 0.8) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
