/**
 * What a random credential looks like, measured without knowing its service: the character classes it mixes,
 * its longest alphanumeric run, sequences no random generator produces (`abcdefgh`, `12345678`), and the CRC32
 * checksum that GitHub's and npm's token formats (and others that copied them) append in base62.
 *
 * @example
 * crc32Base62Valid('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') // true: the last 6 characters check the 30 before
 * charClasses('aB3-')                                          // 4
 */
import { crc32 } from 'node:zlib';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Base62 of a 32-bit value, left-padded with `0` to 6 characters (GitHub's checksum encoding). */
export function base62Checksum(value: number): string {
  let n = value >>> 0;
  let s = '';
  do {
    s = BASE62[n % 62]! + s;
    n = Math.floor(n / 62);
  } while (n > 0);
  return s.padStart(6, '0');
}

/**
 * GitHub-style checksum: after the last `_`, at least 26 base62 characters whose last 6 are the base62 CRC32
 * of the rest. A random string passes by chance with probability 62^-6 (about 1.8e-11).
 */
export function crc32Base62Valid(token: string): boolean {
  const body = token.slice(token.lastIndexOf('_') + 1);
  if (body.length < 26 || body.length > 120) return false;
  for (let i = 0; i < body.length; i++) if (!isAlnum(body.charCodeAt(i))) return false;
  const random = body.slice(0, -6);
  return base62Checksum(crc32(random)) === body.slice(-6);
}

/** How many of lower case, upper case, digits and other characters occur (0..4). */
export function charClasses(value: string): number {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 48 && c <= 57) digit = 1;
    else other = 1;
  }
  return lower + upper + digit + other;
}

/** Length of the longest run of ASCII letters and digits. */
export function longestAlnumRun(value: string): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < value.length; i++) {
    if (isAlnum(value.charCodeAt(i))) {
      run++;
      if (run > best) best = run;
    } else run = 0;
  }
  return best;
}

/**
 * True when the value holds a run of `min` characters each one above the last (`klmnopqr`, `23456789`),
 * case folded: typed by a person as a stand-in, never drawn by a random generator.
 */
export function hasAscendingRun(value: string, min = 8): boolean {
  let run = 1;
  for (let i = 1; i < value.length; i++) {
    const a = value.charCodeAt(i - 1) | 32;
    const b = value.charCodeAt(i) | 32;
    if (b === a + 1 && isAlnum(value.charCodeAt(i)) && isAlnum(value.charCodeAt(i - 1))) {
      run++;
      if (run >= min) return true;
    } else run = 1;
  }
  return false;
}

/** The share of the most frequent character: 1 for `xxxxxxxx`, low for random text. */
export function dominantShare(value: string): number {
  const counts = new Map<number, number>();
  let best = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i) | 32;
    const n = (counts.get(c) ?? 0) + 1;
    counts.set(c, n);
    if (n > best) best = n;
  }
  return value.length === 0 ? 1 : best / value.length;
}
