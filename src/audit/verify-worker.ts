/**
 * A verification worker: checks the rows with idx in [start, end) (the first worker also takes stray rows
 * below 0) and returns their leaf hashes, the 256-leaf chunk hashes, and the problems found.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { CHUNK_SIZE } from './migrations.js';
import { rootFromLeafHashes } from './tree.js';
import { ProblemList, scanRows, type Misplaced } from './verify-scan.js';

export interface VerifyJob {
  dbPath: string;
  start: number;
  end: number;
  first: boolean;
}

export interface VerifyResult {
  leaves: ArrayBuffer;
  count: number;
  chunks: ArrayBuffer;
  end: number;
  problems: ProblemList['items'];
  omitted: number;
  misplaced: Misplaced[];
}

const job = workerData as VerifyJob;
const db = new Database(job.dbPath, { readonly: true, fileMustExist: true });
const sql = job.first
  ? 'SELECT idx, entry, leaf_hash FROM audit_entries WHERE idx < ? ORDER BY idx'
  : 'SELECT idx, entry, leaf_hash FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx';
const stmt = db.prepare(sql).raw();
const rows = (job.first ? stmt.iterate(job.end) : stmt.iterate(job.start, job.end)) as IterableIterator<[number, unknown, unknown]>;
const problems = new ProblemList();
const misplaced: Misplaced[] = [];
const leaves = Buffer.allocUnsafeSlow(Math.max(0, job.end - job.start) * 32 + 32 * 64);
let count = 0;
let grown = leaves;
const end = scanRows(rows, job.start, problems, misplaced, (leaf) => {
  if ((count + 1) * 32 > grown.length) {
    const bigger = Buffer.allocUnsafeSlow(grown.length * 2);
    grown.copy(bigger);
    grown = bigger;
  }
  leaf.copy(grown, count * 32);
  count++;
});
db.close();
const full = Math.floor(count / CHUNK_SIZE);
const chunks = Buffer.allocUnsafeSlow(full * 32);
const chunkLeaves: Buffer[] = new Array(CHUNK_SIZE);
for (let c = 0; c < full; c++) {
  for (let i = 0; i < CHUNK_SIZE; i++) chunkLeaves[i] = grown.subarray((c * CHUNK_SIZE + i) * 32, (c * CHUNK_SIZE + i + 1) * 32);
  rootFromLeafHashes(chunkLeaves).copy(chunks, c * 32);
}
const result: VerifyResult = { leaves: grown.buffer as ArrayBuffer, count, chunks: chunks.buffer as ArrayBuffer, end, problems: problems.items, omitted: problems.omitted, misplaced };
parentPort!.postMessage(result, [result.leaves, result.chunks]);
