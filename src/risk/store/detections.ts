/**
 * Persistence of risk detections (issue 12 storage convention): what the risk engine found, written in
 * batches as it finds them and read by the admin API, the console and `warden detections list`. Two
 * implementations, `detections-sqlite.ts` and `detections-postgres.ts`, pass the same conformance suite
 * (`test/store/detections.test.ts`). Detection ids are derived from the event and the finding, so a
 * replayed event stores no second copy. (Baselines and the inbox are the risk state: `../store.ts`.)
 */
import type { Severity } from '../../core/index.js';
import type { DetectionQuery, DetectionRecord } from '../types.js';

export interface DetectionRepository {
  /** Stores detections (an id already stored is skipped); returns how many could not be stored, never fails the batch. */
  append(records: readonly DetectionRecord[]): Promise<number>;
  /** Newest first, filtered; `limit` defaults to 1000 and is bounded at 100,000. */
  list(query: DetectionQuery): Promise<DetectionRecord[]>;
  get(id: string): Promise<DetectionRecord | undefined>;
  /** Detections since a time (ISO) counted by detector, largest first (no record is read whole). */
  countByDetector(since: string): Promise<{ detector: string; count: number }[]>;
}

/** The bound every backend applies to a list. */
export function detectionLimit(limit: number | undefined): number {
  return Math.min(Math.max(1, limit ?? 1000), 100_000);
}

/** A stored detection as both backends read it back (times and details already decoded). */
export interface DetectionRow {
  id: string;
  time: string;
  detector: string;
  category: string;
  entity_type: string;
  entity_id: string;
  score: number;
  severity: string;
  contribution: number;
  session_id: string | null;
  explanation: string;
  details: Record<string, unknown> | null;
}

export function detectionFromRow(r: DetectionRow): DetectionRecord {
  return {
    id: r.id,
    time: r.time,
    detector: r.detector,
    category: r.category,
    entity: { type: r.entity_type, id: r.entity_id },
    score: r.score,
    severity: r.severity as Severity,
    explanation: r.explanation,
    contribution: r.contribution,
    ...(r.session_id ? { sessionId: r.session_id } : {}),
    ...(r.details ? { details: r.details } : {}),
  };
}
