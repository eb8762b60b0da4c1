/**
 * Lossless JSON for Cedar data. `JSON.parse` turns every number into a double, so an i64 beyond 2^53
 * (Cedar's Long) is silently rounded, and `1.0`, `1e3` or `-0` become integers that Cedar itself refuses
 * (its JSON reader, serde_json, keeps integers and floats apart). A verdict must not depend on that
 * rounding, so Cedar data is read with `parseJsonLossless`:
 *
 * - an integer lexeme that a double holds exactly stays a `number`; a larger one becomes a `bigint`
 *   (exact, whatever its size: the i64 range is checked where Cedar checks it);
 * - a lexeme with a fraction or an exponent, and `-0`, become a `JsonFloat` that keeps its text: Cedar
 *   refuses floats, and so must Warden, at the same place;
 * - a key given twice in one object is an error (which copy a reader keeps is a parser differential);
 * - objects have no prototype, so a `__proto__` key is an ordinary key.
 *
 * `stringifyJsonLossless` writes such values back (bigints and floats as their digits).
 *
 * @example
 *   parseJsonLossless('{"n": 9223372036854775807, "f": 1.0}')
 *   // { n: 9223372036854775807n, f: JsonFloat { text: '1.0' } }
 */

/** A JSON number with a fraction or exponent (or `-0`), kept as written. */
export class JsonFloat {
  constructor(readonly text: string) {}
  /** As a double (for display); never used to decide anything. */
  valueOf(): number {
    return Number(this.text);
  }
}

export type LosslessJson = null | boolean | string | number | bigint | JsonFloat | LosslessJson[] | { [key: string]: LosslessJson };

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    /** Character offset in the text. */
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'JsonSyntaxError';
  }
}

export interface LosslessParseOptions {
  /** Deepest nesting of arrays and objects (default 256): a bound, so a hostile text cannot exhaust the stack. */
  maxDepth?: number;
  /**
   * `exact` (default): integers beyond 2^53 as bigints, floats as JsonFloat. `double`: every number as
   * `JSON.parse` gives it, for documents whose numbers are doubles by their own definition (protobuf
   * JSON writes `8.0`); duplicate keys are refused and objects have no prototype either way.
   */
  numbers?: 'exact' | 'double';
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
// characters that need no attention inside a string: not a quote, a backslash or a control character
// eslint-disable-next-line no-control-regex -- JSON forbids raw control characters in strings
const STRING_RUN = /[^"\\\u0000-\u001f]*/y;
const WS = /[ \t\n\r]*/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Parses RFC 8259 JSON losslessly (see the module comment). Throws `JsonSyntaxError`. */
export function parseJsonLossless(text: string, options: LosslessParseOptions = {}): LosslessJson {
  const maxDepth = options.maxDepth ?? 256;
  const exact = (options.numbers ?? 'exact') === 'exact';
  let pos = 0;

  const skipWs = (): void => {
    WS.lastIndex = pos;
    WS.exec(text);
    pos = WS.lastIndex;
  };
  const fail = (message: string): never => {
    throw new JsonSyntaxError(message, pos);
  };

  const parseString = (): string => {
    pos++; // opening quote
    let out = '';
    for (;;) {
      STRING_RUN.lastIndex = pos;
      const run = STRING_RUN.exec(text) as RegExpExecArray;
      out += run[0];
      pos = STRING_RUN.lastIndex;
      const c = text[pos];
      if (c === '"') {
        pos++;
        return out;
      }
      if (c === undefined) fail('unterminated string');
      if (c !== '\\') fail('control character in string');
      const e = text[pos + 1];
      if (e === 'u') {
        const hex = text.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 6;
      } else {
        const decoded = e === undefined ? undefined : ESCAPES[e];
        if (decoded === undefined) fail('bad escape');
        out += decoded;
        pos += 2;
      }
    }
  };

  const parseNumber = (): number | bigint | JsonFloat => {
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m === null) return fail('bad number');
    pos = NUMBER.lastIndex;
    const lexeme = m[0];
    if (!exact) return Number(lexeme);
    if (m[1] !== undefined || m[2] !== undefined || lexeme === '-0') return new JsonFloat(lexeme);
    const n = Number(lexeme);
    return Number.isSafeInteger(n) ? n : BigInt(lexeme);
  };

  const parseValue = (depth: number): LosslessJson => {
    skipWs();
    const c = text[pos];
    switch (c) {
      case '{': {
        if (depth >= maxDepth) fail('nested too deeply');
        pos++;
        const obj = Object.create(null) as Record<string, LosslessJson>;
        const seen = new Set<string>();
        skipWs();
        if (text[pos] === '}') {
          pos++;
          return obj;
        }
        for (;;) {
          skipWs();
          if (text[pos] !== '"') fail('expected a key');
          const key = parseString();
          if (seen.has(key)) fail(`duplicate key ${JSON.stringify(key)}`);
          seen.add(key);
          skipWs();
          if (text[pos] !== ':') fail('expected `:`');
          pos++;
          obj[key] = parseValue(depth + 1);
          skipWs();
          if (text[pos] === ',') {
            pos++;
            continue;
          }
          if (text[pos] === '}') {
            pos++;
            return obj;
          }
          fail('expected `,` or `}`');
        }
      }
      case '[': {
        if (depth >= maxDepth) fail('nested too deeply');
        pos++;
        const arr: LosslessJson[] = [];
        skipWs();
        if (text[pos] === ']') {
          pos++;
          return arr;
        }
        for (;;) {
          arr.push(parseValue(depth + 1));
          skipWs();
          if (text[pos] === ',') {
            pos++;
            continue;
          }
          if (text[pos] === ']') {
            pos++;
            return arr;
          }
          fail('expected `,` or `]`');
        }
      }
      case '"':
        return parseString();
      case 't':
        return literal('true', true);
      case 'f':
        return literal('false', false);
      case 'n':
        return literal('null', null);
      default:
        return parseNumber();
    }
  };

  const literal = <T>(word: string, value: T): T => {
    if (!text.startsWith(word, pos)) fail('unexpected token');
    pos += word.length;
    return value;
  };

  if (text.charCodeAt(0) === 0xfeff) fail('byte order mark');
  const value = parseValue(0);
  skipWs();
  if (pos !== text.length) fail('unexpected text after the value');
  return value;
}

/**
 * Serialises like `JSON.stringify(value)` (no replacer, no indentation), except that a `bigint` is
 * written as its digits and a `JsonFloat` as its text: the inverse of `parseJsonLossless`.
 */
// Captured once: callWithLosslessJson (engine/wasm-json.ts) temporarily puts this module's writer in
// the place of the global `JSON.stringify`, so the writer must not call the global.
const nativeStringify = JSON.stringify;

export function stringifyJsonLossless(value: unknown): string | undefined {
  return write(value, new Set());
}

function write(value: unknown, path: Set<object>): string | undefined {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof JsonFloat) return value.text;
  if (value === null || typeof value !== 'object') return nativeStringify(value);
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') return write(withToJson.toJSON(), path);
  if (path.has(value)) throw new TypeError('cyclic value cannot be written as JSON');
  path.add(value);
  try {
    if (Array.isArray(value)) return `[${value.map((v) => write(v, path) ?? 'null').join(',')}]`;
    const parts: string[] = [];
    for (const key of Object.keys(value)) {
      const item = write((value as Record<string, unknown>)[key], path);
      if (item !== undefined) parts.push(`${nativeStringify(key)}:${item}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    path.delete(value);
  }
}

/** True when `value` holds a bigint or a JsonFloat anywhere (what `JSON.stringify` cannot write). */
export function needsLosslessJson(value: unknown, depth = 0): boolean {
  if (typeof value === 'bigint' || value instanceof JsonFloat) return true;
  if (value === null || typeof value !== 'object' || depth > 512) return false;
  if (Array.isArray(value)) {
    for (const v of value) if (needsLosslessJson(v, depth + 1)) return true;
    return false;
  }
  for (const key of Object.keys(value)) if (needsLosslessJson((value as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}
