/** Values and argument readers of the pickle parser: just enough of Python's objects to follow imports. */
import { TruncatedError, type ByteSource } from './source.js';
import type { PickleImport } from './pickle.js';

export type Value =
  | { t: 'str'; v: string }
  | { t: 'int'; v: number }
  | { t: 'tuple'; items: Value[] }
  | { t: 'dict'; entries: Map<string, Value> }
  | { t: 'global'; imp: PickleImport }
  | { t: 'other'; from?: PickleImport; dtype?: string }
  | { t: 'mark' };

export const OTHER: Value = { t: 'other' };
export const MARK: Value = { t: 'mark' };
export const MAX_STRING = 4096;
/** Containers keep at most this many items: enough for shapes and small state dicts. */
export const MAX_TRACKED = 64;
export const MAX_NESTING = 8;

export function tuple(items: Value[]): Value {
  return { t: 'tuple', items: items.slice(0, MAX_TRACKED) };
}

export function intValue(text: string): Value {
  const t = text.trim().replace(/L$/, '');
  if (t === '01' || t === '00') return OTHER; // protocol 0 booleans
  const n = Number(t);
  return Number.isSafeInteger(n) ? { t: 'int', v: n } : OTHER;
}

export function dictSet(target: Value | undefined, key: Value, value: Value): void {
  if (target?.t === 'dict' && key.t === 'str' && (target.entries.size < MAX_TRACKED || target.entries.has(key.v))) target.entries.set(key.v, value);
}

export class PickleError extends Error {}

export function readLine(src: ByteSource, max = 1_000_000): string {
  const start = src.position;
  const parts: Buffer[] = [];
  let length = 0;
  for (;;) {
    const chunk = src.readAt(src.position, Math.min(4096, src.size - src.position));
    if (chunk.length === 0) throw new TruncatedError('line without newline');
    const nl = chunk.indexOf(0x0a);
    if (nl >= 0) {
      parts.push(chunk.subarray(0, nl));
      src.position += nl + 1;
      return Buffer.concat(parts).toString('latin1');
    }
    parts.push(Buffer.from(chunk));
    length += chunk.length;
    src.position += chunk.length;
    if (length > max) {
      src.position = start;
      throw new PickleError('line argument too long');
    }
  }
}

export function u32(src: ByteSource): number {
  return src.read(4).readUInt32LE(0);
}

export function u64(src: ByteSource): number {
  const v = src.read(8).readBigUInt64LE(0);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new TruncatedError('length out of range');
  return Number(v);
}

/** Reads an n-byte string argument: kept if short (may be a module name), skipped if long. */
export function stringArg(src: ByteSource, n: number, encoding: 'utf8' | 'latin1'): Value {
  if (n > src.size - src.position) throw new TruncatedError();
  if (n > MAX_STRING) {
    src.skip(n);
    return OTHER;
  }
  return { t: 'str', v: src.read(n).toString(encoding) };
}

export function unquote(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && (t[0] === "'" || t[0] === '"') && t[t.length - 1] === t[0]) return t.slice(1, -1);
  throw new PickleError('STRING argument is not quoted');
}

