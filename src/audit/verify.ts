/**
 * `audit verify` for a data directory: recomputes every leaf hash and the tree from storage, checks every
 * stored checkpoint's signature and root, and names the position of each kind of tampering. Large logs
 * are checked by worker threads in parallel (each a contiguous range of rows).
 *
 * @example
 * const report = await verifyAuditLog({ dataDir: '/var/lib/warden' });
 * if (!report.ok) for (const p of report.problems) console.log(p.kind, p.message);
 */
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { WardenError } from '../core/index.js';
import { openCheckpoint, type SignedCheckpoint } from './checkpoint.js';
import { AUDIT_DB_FILE, CHUNK_SIZE } from './migrations.js';
import { loadOrCreateSigningKey, type NoteVerifier } from './signing-key.js';
import { CompactRange } from './tree.js';
import { ProblemList, finishReport, scanRows, type Misplaced, type VerifyProblem } from './verify-scan.js';
import { RootChecker, openTargets } from './verify-targets.js';
import type { VerifyJob, VerifyResult } from './verify-worker.js';
import { workerEntry } from './worker-url.js';

export { ProblemList, classifyMisplaced, type ProblemKind, type VerifyProblem } from './verify-scan.js';

export interface VerifyReport {
  ok: boolean;
  entries: number;
  checkpointsVerified: number;
  latestCheckpointSize: number;
  /** Entries after the latest valid checkpoint: intact as far as storage shows, not yet signed. */
  uncoveredEntries: number;
  problems: VerifyProblem[];
  /** Problems beyond the first 1000 are counted, not listed. */
  problemsOmitted: number;
  seconds: number;
  workers: number;
}

export interface VerifyOptions {
  dataDir: string;
  /** Verifier for checkpoints; default: derived from the data dir's signing key. */
  verifier?: NoteVerifier;
  origin?: string;
  signingKeyFile?: string;
  /** Worker threads; default: the CPU count (at most 16) for logs over 100,000 entries, else none. */
  workers?: number;
}

/** The verifier of the signing key the data dir's configuration names (never creates one). */
export function signingKeyVerifier(options: Pick<VerifyOptions, 'dataDir' | 'origin' | 'signingKeyFile'>): NoteVerifier {
  const file = options.signingKeyFile ?? 'audit-signing.key';
  const path = isAbsolute(file) ? file : join(options.dataDir, file);
  if (!existsSync(path)) throw new WardenError('bad_request', `no signing key at \`${path}\`; pass the public key with --key`);
  const s = loadOrCreateSigningKey(path, options.origin ?? 'warden.local/audit');
  return { name: s.name, keyId: s.keyId, publicKey: s.publicKey };
}

/** Valid checkpoints (DB and the checkpoint file beside it), ascending; invalid ones become problems. */
function loadTargets(db: Database.Database, dataDir: string, verifier: NoteVerifier, problems: ProblemList): SignedCheckpoint[] {
  const rows = (db.prepare('SELECT tree_size, note FROM audit_checkpoints ORDER BY tree_size').all() as { tree_size: number; note: string }[]).map((r) => ({ treeSize: r.tree_size, note: r.note }));
  const targets = openTargets(rows, verifier, problems);
  // The latest checkpoint is also kept as a file beside the database: it catches a truncated tail whose checkpoints were deleted too.
  const filePath = join(dataDir, 'audit.checkpoint');
  if (existsSync(filePath)) {
    const opened = openCheckpoint(readFileSync(filePath, 'utf8'), verifier);
    if (!opened.ok) problems.add({ kind: 'checkpoint_forged', position: 0, message: `the checkpoint file: ${opened.reason}` });
    else if (!targets.some((t) => t.size === opened.checkpoint.size)) {
      targets.push(opened.checkpoint);
      targets.sort((a, b) => a.size - b.size);
    }
  }
  return targets;
}

function runWorker(job: VerifyJob): Promise<VerifyResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerEntry('verify-worker'), { workerData: job });
    w.once('message', (r: VerifyResult) => resolve(r));
    w.once('error', reject);
    w.once('exit', (code) => code !== 0 && reject(new Error(`verification worker exited with ${code}`)));
  });
}

/** Verifies the log in `dataDir` (read-only). */
export async function verifyAuditLog(options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const dbPath = join(options.dataDir, AUDIT_DB_FILE);
  if (!existsSync(dbPath)) throw new WardenError('not_found', `no audit log at \`${dbPath}\``);
  const verifier = options.verifier ?? signingKeyVerifier(options);
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  const problems = new ProblemList();
  const misplaced: Misplaced[] = [];
  let targets: SignedCheckpoint[];
  let position = 0;
  let workers = 0;
  try {
    targets = loadTargets(db, options.dataDir, verifier, problems);
    const checker = new RootChecker(targets, problems);
    const range = new CompactRange();
    checker.check(0, () => range.root());
    const maxIdx = (db.prepare('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM audit_entries').get() as { n: number }).n;
    workers = Math.max(0, Math.floor(options.workers ?? (maxIdx > 100_000 ? Math.min(availableParallelism(), 16) : 0)));
    if (workers <= 1) {
      workers = 0;
      const rows = db.prepare('SELECT idx, entry, leaf_hash FROM audit_entries ORDER BY idx').raw().iterate() as IterableIterator<[number, unknown, unknown]>;
      position = scanRows(rows, 0, problems, misplaced, (leaf) => {
        range.append(leaf);
        if (range.size >= checker.next) checker.check(range.size, () => range.root());
      });
    } else {
      db.close();
      const span = Math.ceil(maxIdx / workers / CHUNK_SIZE) * CHUNK_SIZE;
      const jobs: VerifyJob[] = [];
      for (let s = 0; s < maxIdx; s += span) jobs.push({ dbPath, start: s, end: Math.min(maxIdx, s + span), first: s === 0 });
      const results = await Promise.all(jobs.map(runWorker));
      const contiguous = results.every((r, i) => r.count === jobs[i]!.end - jobs[i]!.start);
      for (const r of results) {
        for (const p of r.problems) problems.add(p);
        problems.omitted += r.omitted;
        misplaced.push(...r.misplaced);
        position = r.end;
        const leaves = Buffer.from(r.leaves);
        const leaf = (i: number): Buffer => leaves.subarray(i * 32, i * 32 + 32);
        const chunks = Buffer.from(r.chunks);
        const fullChunks = contiguous ? chunks.length / 32 : 0;
        for (let c = 0; c < fullChunks; c++) {
          const base = range.size;
          // A checkpoint inside this chunk: a copy of the range takes the chunk's leaves one by one.
          while (checker.next > base && checker.next < base + CHUNK_SIZE) {
            const at = checker.next;
            const partial = range.clone();
            for (let i = 0; i < at - base; i++) partial.append(leaf(c * CHUNK_SIZE + i));
            checker.check(at, () => partial.root());
          }
          range.appendPerfect(chunks.subarray(c * 32, c * 32 + 32), CHUNK_SIZE);
          if (range.size >= checker.next) checker.check(range.size, () => range.root());
        }
        for (let i = fullChunks * CHUNK_SIZE; i < r.count; i++) {
          range.append(leaf(i));
          if (range.size >= checker.next) checker.check(range.size, () => range.root());
        }
      }
    }
    checker.finish(position, range.size);
  } finally {
    if (db.open) db.close();
  }
  return finishReport({ problems, misplaced, position, targets, started, workers });
}
