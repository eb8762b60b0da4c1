/**
 * joblib writes the raw bytes of each numeric numpy array straight into the pickle stream, right after
 * the BUILD of its `joblib.numpy_pickle.NumpyArrayWrapper` (optionally preceded by one padding-length
 * byte and that much padding); object arrays are written as a nested pickle instead. This file computes
 * how many bytes to skip from the wrapper's state (`shape`, `dtype`, `numpy_array_alignment_bytes`).
 */

export const WRAPPER_MODULE = 'joblib.numpy_pickle';
export const WRAPPER_NAMES = new Set(['NumpyArrayWrapper']);

/** Bytes per element of a numpy dtype string (`<f8`, `|u1`, `<U10`...), 'object', or undefined. */
export function itemSize(dtype: string): number | 'object' | undefined {
  const match = /^[<>|=]?([biufcmMOSUVa?])(\d*)$/.exec(dtype);
  if (!match) return undefined;
  const kind = match[1] as string;
  const n = match[2] ? Number(match[2]) : undefined;
  if (kind === 'O') return 'object';
  if (kind === '?') return 1;
  if (n === undefined) return undefined;
  return kind === 'U' ? n * 4 : n;
}

/** Element count of a shape, or undefined when it is not a list of safe non-negative integers. */
export function elementCount(shape: readonly (number | undefined)[]): number | undefined {
  let count = 1;
  for (const d of shape) {
    if (d === undefined || !Number.isSafeInteger(d) || d < 0) return undefined;
    count *= d;
    if (!Number.isSafeInteger(count)) return undefined;
  }
  return count;
}
