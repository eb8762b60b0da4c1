/**
 * Strict JSON for request bodies that are inspected and then forwarded. Every way two JSON readers can
 * disagree about the same bytes is a way to show the guard one thing and the upstream another, so a body
 * is refused unless all readers would agree on it:
 *
 * - bytes that are not well-formed UTF-8 (a lenient reader replaces them, another may not) and a byte
 *   order mark (RFC 8259 §8.1 forbids it; some readers skip it, others refuse);
 * - a key given twice in one object, at any depth (readers keep the first or the last copy);
 * - a `\u` escape that leaves a lone surrogate (not a Unicode string; readers replace or refuse it);
 * - a number a double cannot hold as written: an integer beyond ±2^53 or a value that overflows to
 *   infinity (readers with exact integers keep it, Warden would have inspected a rounded copy);
 * - nesting deeper than `maxDepth`.
 *
 * Callers forward `stringifyStrict(value)`, the very value they inspected, never the original bytes.
 *
 * @example
 *   parseJsonStrict(Buffer.from('{"input":"a","input":"b"}'))
 *   // throws StrictJsonError('duplicate key "input" at offset 19')
 */
import { JsonFloat, JsonSyntaxError, parseJsonLossless, type LosslessJson } from './lossless.js';

export class StrictJsonError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StrictJsonError';
  }
}

export interface StrictParseOptions {
  /** Deepest nesting of arrays and objects (default 64). */
  maxDepth?: number;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Parses a JSON body under the rules above; objects have no prototype. Throws `StrictJsonError`. */
export function parseJsonStrict(bytes: Uint8Array, options: StrictParseOptions = {}): unknown {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch (error) {
    throw new StrictJsonError('the body is not valid UTF-8', { cause: error });
  }
  if (text.charCodeAt(0) === 0xfeff) throw new StrictJsonError('the body starts with a byte order mark');
  let value: LosslessJson;
  try {
    value = parseJsonLossless(text, { maxDepth: options.maxDepth ?? 64 });
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new StrictJsonError(error.message, { cause: error });
    throw error;
  }
  return plain(value);
}

/**
 * Turns the lossless tree into plain JSON values, refusing what the tokenizer lets through: lone
 * surrogates, integers a double cannot hold (bigints) and numbers that overflow. Recursion is bounded by
 * the parser's depth limit.
 */
function plain(value: LosslessJson): unknown {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) throw new StrictJsonError('a string holds a lone surrogate');
    return value;
  }
  if (typeof value === 'bigint') throw new StrictJsonError('an integer is beyond ±2^53 and cannot be kept exact');
  if (value instanceof JsonFloat) {
    const n = Number(value.text);
    if (!Number.isFinite(n)) throw new StrictJsonError('a number is too large');
    return n;
  }
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    const out = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value)) {
      if (LONE_SURROGATE.test(key)) throw new StrictJsonError('a key holds a lone surrogate');
      out[key] = plain(value[key]!);
    }
    return out;
  }
  return value;
}

/** Writes a value parsed by `parseJsonStrict` (plain JSON values only). */
export function stringifyStrict(value: unknown): string {
  return JSON.stringify(value);
}
