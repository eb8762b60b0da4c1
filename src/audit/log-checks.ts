/** Boundary validation of appended events and parsing of the log's own stored notes. */
import type { SignedCheckpoint } from './checkpoint.js';

const EVENT_TYPES = new Set(['decision', 'authentication', 'detection', 'asset', 'admin', 'risk', 'response']);

/** Boundary check of an appended event (hand-written: it runs for every event on the bus). */
export function eventProblem(event: unknown): string | null {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return 'the event must be an object';
  const e = event as Record<string, unknown>;
  if (typeof e.type !== 'string' || !EVENT_TYPES.has(e.type)) return 'unknown event `type`';
  if (typeof e.id !== 'string' || e.id.length === 0 || e.id.length > 200) return '`id` must be a non-empty string';
  if (typeof e.time !== 'string' || e.time.length === 0 || e.time.length > 64) return '`time` must be a timestamp string';
  return null;
}

/** Reads our own stored notes (already trusted for serving; `audit verify` checks signatures). */
export function parseOwnNote(note: string): SignedCheckpoint | null {
  const lines = note.split('\n');
  if (lines.length < 4) return null;
  const time = lines.find((l) => l.startsWith('time '))?.slice(5) ?? '';
  return { origin: lines[0]!, size: Number(lines[1]), rootHash: Buffer.from(lines[2]!, 'base64'), time, note };
}
