/**
 * cedar-wasm receives every argument through the global `JSON.stringify` (its glue code calls it, then
 * serde_json parses the text on the Rust side). `JSON.stringify` cannot write a bigint, and a double
 * cannot carry an i64 beyond 2^53, so an exact Long could not reach the reference engine at all.
 *
 * `callWithLosslessJson` runs one synchronous cedar-wasm call with `JSON.stringify` replaced by the
 * lossless writer (bigints and JsonFloats as their digits) and restores it before returning. The call is
 * synchronous and calls no user code, so nothing else can observe the replacement. It is used only when
 * the argument holds such a value (`needsLosslessJson`): the common path keeps the native writer.
 */
import { needsLosslessJson, stringifyJsonLossless } from '../../core/index.js';

export function callWithLosslessJson<T>(arg: unknown, call: () => T): T {
  if (!needsLosslessJson(arg)) return call();
  const native = JSON.stringify;
  JSON.stringify = ((value: unknown, replacer?: unknown, space?: unknown): string | undefined =>
    replacer === undefined && space === undefined
      ? stringifyJsonLossless(value)
      : native(value, replacer as never, space as never)) as typeof JSON.stringify;
  try {
    return call();
  } finally {
    JSON.stringify = native;
  }
}
