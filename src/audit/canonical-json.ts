/**
 * RFC 8785 JSON Canonicalization Scheme (JCS) serialisation, specialised for events (plain JSON data):
 * object keys sorted by UTF-16 code units, no whitespace, strings and numbers exactly as ECMAScript's
 * JSON.stringify writes them (which is what RFC 8785 specifies). Undefined object members are omitted,
 * like JSON.stringify; non-finite numbers and bigints are rejected.
 *
 * The fast path lets the engine's JSON.stringify do the writing and only reorders keys (objects whose keys
 * are already sorted pass through untouched). A value holding an object with array-index-like keys ("1",
 * "10"), which JavaScript always enumerates in numeric order, is written by the slow path instead.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
const INDEX_LIKE = /^(?:0|[1-9][0-9]*)$/;

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Slow path: writes everything itself (objects with index-like keys). */
function write(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('non-finite numbers have no JSON form');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (i) out += ',';
          out += item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 'null' : write(item);
        }
        return out + ']';
      }
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return write((toJSON as () => unknown).call(value));
      let out = '{';
      let first = true;
      for (const key of Object.keys(value).sort(compare)) {
        const member = (value as Record<string, unknown>)[key];
        if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
        if (!first) out += ',';
        first = false;
        out += JSON.stringify(key) + ':' + write(member);
      }
      return out + '}';
    }
    default:
      throw new TypeError(`a ${typeof value} has no JSON form`);
  }
}

/** Marks a value that the fast path cannot reorder (an object with index-like keys). */
const SLOW = Symbol('slow');

/**
 * Returns `value` with every object's keys in canonical order (the same object when already in order),
 * or SLOW. Checks numbers on the way; JSON.stringify then writes the result natively.
 */
function sortKeys(value: unknown): unknown {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('non-finite numbers have no JSON form');
    return value;
  }
  if (typeof value === 'bigint') throw new TypeError('a bigint has no JSON form');
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const next = sortKeys(item);
      if (next === SLOW) return SLOW;
      if (next !== item) (out ??= value.slice())[i] = next;
    }
    return out ?? value;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return SLOW;
  const keys = Object.keys(value);
  let sorted = true;
  let changed = false;
  const children: unknown[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const c0 = key.charCodeAt(0);
    if (c0 >= 48 && c0 <= 57 && INDEX_LIKE.test(key)) return SLOW;
    if (i > 0 && keys[i - 1]! > key) sorted = false;
    const member = (value as Record<string, unknown>)[key];
    const next = sortKeys(member);
    if (next === SLOW) return SLOW;
    if (next !== member) changed = true;
    children[i] = next;
  }
  if (sorted && !changed) return value;
  const order = keys.map((_, i) => i);
  if (!sorted) order.sort((a, b) => compare(keys[a]!, keys[b]!));
  const out: Record<string, unknown> = {};
  for (const i of order) out[keys[i]!] = children[i];
  return out;
}

export function canonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return write(value);
  const sorted = sortKeys(value);
  return sorted === SLOW ? write(value) : JSON.stringify(sorted);
}
