/**
 * `audit verify` for a cluster's log in PostgreSQL: the same checks as for audit.db (each leaf hash
 * recomputed, each entry's stated index, every stored checkpoint's signature and root, a tail removed
 * behind the latest checkpoint) plus the cluster's own promise: every event is in the log once.
 *
 * @example
 * const report = await verifyClusterAuditLog({ rows: store, verifier });
 */
import { WardenError } from '../core/index.js';
import { openPostgres } from '../store/index.js';
import { decodeEntry } from './encoding.js';
import type { NoteVerifier } from './signing-key.js';
import { PgAuditRows } from './store/postgres.js';
import type { AuditLogRows } from './store/types.js';
import { CompactRange } from './tree.js';
import type { VerifyReport } from './verify.js';
import { ProblemList, finishReport, scanRows, type Misplaced } from './verify-scan.js';
import { RootChecker, openTargets } from './verify-targets.js';

/** Rows read per query: bounds memory, not correctness. */
const PAGE = 5000;

export async function verifyClusterAuditLog(options: { rows: AuditLogRows; verifier: NoteVerifier }): Promise<VerifyReport> {
  const started = performance.now();
  const problems = new ProblemList();
  const misplaced: Misplaced[] = [];
  const targets = openTargets(await options.rows.checkpointRows(), options.verifier, problems);
  const checker = new RootChecker(targets, problems);
  const range = new CompactRange();
  checker.check(0, () => range.root());
  const eventIds = new Map<string, number>();
  let position = 0;
  // The first page starts below 0 so that a stray row with a negative index is seen too.
  for (let from = Number.MIN_SAFE_INTEGER; ; ) {
    const page = await options.rows.entryRows(from, PAGE);
    if (page.length === 0) break;
    position = scanRows(page, position, problems, misplaced, (leaf) => {
      range.append(leaf);
      if (range.size >= checker.next) checker.check(range.size, () => range.root());
    });
    for (const [idx, entry] of page) checkOnce(entry, idx, eventIds, problems);
    from = page.at(-1)![0] + 1;
  }
  checker.finish(position, range.size);
  return finishReport({ problems, misplaced, position, targets, started, workers: 0 });
}

/** An event id seen at two positions means an event was appended twice. */
function checkOnce(entry: Buffer, idx: number, seen: Map<string, number>, problems: ProblemList): void {
  let id: unknown;
  try {
    id = (decodeEntry(entry).event as { id?: unknown }).id;
  } catch {
    return; // an undecodable entry is already reported by its hash or stated index
  }
  if (typeof id !== 'string') return;
  const earlier = seen.get(id);
  if (earlier === undefined) seen.set(id, idx);
  else problems.add({ kind: 'event_duplicated', position: idx, message: `entry ${idx} repeats event ${id} of entry ${earlier}` });
}

/** Verifies the clustered log at `databaseUrl`, read-only. */
export async function verifyClusterAuditLogAt(databaseUrl: string, verifier: NoteVerifier): Promise<VerifyReport> {
  const pool = await openPostgres(databaseUrl, { max: 2 });
  try {
    return await verifyClusterAuditLog({ rows: new PgAuditRows(pool), verifier });
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') throw new WardenError('not_found', 'no audit log in this database (WARDEN_DATABASE_URL)');
    throw error;
  } finally {
    await pool.end();
  }
}
