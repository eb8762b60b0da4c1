/**
 * The canonical encoding of one log entry: the UTF-8 bytes of the RFC 8785 (JCS) canonical JSON of
 * `{"event": <event as stored, sensitive fields encrypted>, "index": <position>}`. Canonical JSON never
 * contains a raw newline, so an export can hold one entry per line, byte for byte.
 *
 * @example
 * const bytes = encodeEntry(0, event); // {"event":{...},"index":0}
 */
import { WardenError } from '../core/index.js';
import { canonicalJson } from './canonical-json.js';

export function encodeEntry(index: number, event: unknown): Buffer {
  return encodeLeafInput(index, event).subarray(1);
}

/**
 * The leaf hash input `0x00 || entry` in one allocation (the hot path hashes it without a copy);
 * `.subarray(1)` is the entry.
 */
export function encodeLeafInput(index: number, event: unknown): Buffer {
  let text: string;
  try {
    text = canonicalJson({ event, index });
  } catch (error) {
    throw new WardenError('validation_failed', `the event cannot be encoded: ${(error as Error).message}`, { cause: error });
  }
  const out = Buffer.allocUnsafe(1 + Buffer.byteLength(text, 'utf8'));
  out[0] = 0;
  out.write(text, 1, 'utf8');
  return out;
}

export interface DecodedEntry {
  index: number;
  event: Record<string, unknown>;
}

export function decodeEntry(bytes: Uint8Array): DecodedEntry {
  const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as { index?: unknown; event?: unknown };
  if (typeof value !== 'object' || value === null || !Number.isSafeInteger(value.index) || typeof value.event !== 'object' || value.event === null) {
    throw new WardenError('validation_failed', 'not an audit entry');
  }
  return { index: value.index as number, event: value.event as Record<string, unknown> };
}

const INDEX_MARK = Buffer.from('"index":');

/**
 * Reads the index an entry claims without parsing it: canonical key order puts `"index"` last at the top
 * level, so it is the last `"index":` in the bytes (a nested one would be followed by more text). -1 if absent.
 */
export function claimedIndex(bytes: Buffer): number {
  const at = bytes.lastIndexOf(INDEX_MARK);
  if (at < 0 || bytes[bytes.length - 1] !== 0x7d) return -1;
  let n = 0;
  let i = at + INDEX_MARK.length;
  const end = bytes.length - 1;
  if (i >= end) return -1;
  for (; i < end; i++) {
    const c = bytes[i]! - 0x30;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}
