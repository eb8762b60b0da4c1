/** Reads stored detections without starting an engine (CLI, reports). */
import type { SqliteDatabase } from '../store/index.js';
import { RiskStore } from './store.js';
import type { DetectionQuery, DetectionRecord } from './types.js';

export function listDetections(db: SqliteDatabase, query: DetectionQuery = {}): DetectionRecord[] {
  return new RiskStore(db).queryDetections(query);
}
