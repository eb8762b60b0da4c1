/**
 * Finds encoded segments (base64, base32, hex, URL-encoding, rot13, leetspeak) and decodes them, so that the
 * detector can scan what an attacker hid. Bounded: at most MAX_SEGMENTS decodings, each at most
 * MAX_DECODED_CHARS, and only results that read as text are kept.
 */
export type Encoding = 'base64' | 'base32' | 'hex' | 'url' | 'rot13' | 'leetspeak';

export interface DecodedSegment {
  encoding: Encoding;
  text: string;
}

export const MAX_SEGMENTS = 8;
export const MAX_DECODED_CHARS = 4096;

const BASE64_RE = /(?:[A-Za-z0-9+/]{4}){4,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?|(?:[A-Za-z0-9_-]{4}){5,}[A-Za-z0-9_-]{0,3}/g;
const BASE32_RE = /\b[A-Z2-7]{24,}={0,6}/g;
const HEX_RE = /\b(?:0x)?((?:[0-9a-fA-F]{2}[\s:]?){12,})/g;
const URL_RE = /(?:%[0-9a-fA-F]{2}[^\s%]{0,3}){4,}/g;
const LEET_TOKEN_RE = /[A-Za-z0-9@$|!]+/g;
const LEET_MAP: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', '@': 'a', $: 's', '|': 'l', '!': 'i' };

/** Share of letters and spaces in a decoded string: real text is mostly letters. */
function looksLikeText(s: string): boolean {
  if (s.length < 6) return false;
  let good = 0;
  let words = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13)) return false;
    if (/[\p{L} ]/u.test(ch)) good++;
    if (ch === ' ') words++;
  }
  return good / s.length >= 0.75 && words >= 1;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function decodeBase64(input: string): string | undefined {
  const s = input.slice(0, MAX_DECODED_CHARS * 2);
  // Random identifiers (hashes, ids) are long runs of mixed case and digits that do not decode to text.
  const buf = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  const out = utf8.decode(buf);
  return looksLikeText(out) ? out : undefined;
}

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function decodeBase32(input: string): string | undefined {
  const s = input.replace(/=+$/, '').slice(0, MAX_DECODED_CHARS * 2);
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of s) {
    value = (value << 5) | BASE32_ALPHABET.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  const out = utf8.decode(Uint8Array.from(bytes));
  return looksLikeText(out) ? out : undefined;
}

function decodeHex(s: string): string | undefined {
  const hex = s.slice(0, MAX_DECODED_CHARS * 3).replace(/[\s:]/g, '');
  if (hex.length % 2 !== 0) return undefined;
  const out = utf8.decode(Buffer.from(hex, 'hex'));
  return looksLikeText(out) ? out : undefined;
}

function decodeUrl(s: string): string | undefined {
  try {
    const out = decodeURIComponent(s.slice(0, MAX_DECODED_CHARS * 3).replace(/%[0-9a-fA-F]?$/, ''));
    return looksLikeText(out) ? out : undefined;
  } catch {
    // Not valid percent-encoding: there is no decoded form to inspect; the raw text still is.
    return undefined;
  }
}

/** rot13 of the whole text (only letters A-Z shift). */
export function rot13(s: string): string {
  return s.replace(/[A-Za-z]/g, (ch) => {
    const base = ch <= 'Z' ? 65 : 97;
    return String.fromCharCode(((ch.charCodeAt(0) - base + 13) % 26) + base);
  });
}

/** Replaces leetspeak digits and symbols inside words (`1gn0r3` -> `ignore`); undefined when none. */
export function unleet(s: string): string | undefined {
  let changed = 0;
  const out = s.replace(LEET_TOKEN_RE, (word) => {
    if (!/[0-9@$|!]/.test(word) || !/[A-Za-z]/.test(word)) return word; // needs both a symbol and a letter
    if (/^[0-9]+(?:st|nd|rd|th|[kmsxdh]|px|kb|mb|gb|am|pm|ms)$/i.test(word)) return word; // 2nd, 10th, 4k
    if (/^[0-9a-f]+$/i.test(word)) return word; // hex digits, hashes, ids
    const digits = word.replace(/[^0-9@$|!]/g, '').length;
    if (digits * 2 > word.length) return word; // mostly digits: a number, not a word
    changed++;
    return word.replace(/[0-9@$|!]/g, (ch) => LEET_MAP[ch] ?? ch);
  });
  return changed >= 2 && out !== s ? out : undefined;
}

/** rot13 of common words (the, and, you, your, all, ignore, instructions, system, prompt): cheap evidence of rot13 text. */
const ROT13_HINT = /\b(?:gur|naq|lbh|lbhe|nyy|vtaber|vafgehpgvbaf|flfgrz|cebzcg)\b/i;
/** A leetspeak digit or symbol between letters (`1gn0r3`, `pr0mpt`): without one there is nothing to un-leet. */
const LEET_HINT = /[a-z][0-9@$|!][a-z]|(?:^|\s)[0-9@$|!][a-z]{2,}[0-9@$|!]/i;

/** Common English/German function words: rot13 text that decodes to several of them was rot13. */
const COMMON_WORDS = new Set(['the', 'and', 'you', 'your', 'all', 'ignore', 'previous', 'instructions', 'to', 'of', 'is', 'are', 'now', 'system', 'prompt', 'und', 'die', 'der', 'ist', 'sie', 'alle']);

function commonWordCount(s: string): number {
  let n = 0;
  for (const w of s.toLowerCase().split(/[^a-z]+/)) if (COMMON_WORDS.has(w)) n++;
  return n;
}

/**
 * Decodes the encoded segments found in already-normalised text.
 *
 * @example
 * decodeSegments('please run aWdub3JlIGFsbCBwcmV2aW91cyBpbnN0cnVjdGlvbnM=')
 * // [{ encoding: 'base64', text: 'ignore all previous instructions' }]
 */
export function decodeSegments(text: string): DecodedSegment[] {
  const out: DecodedSegment[] = [];
  const push = (encoding: Encoding, decoded: string | undefined): void => {
    if (decoded !== undefined && out.length < MAX_SEGMENTS) out.push({ encoding, text: decoded.slice(0, MAX_DECODED_CHARS) });
  };
  for (const m of text.matchAll(BASE64_RE)) {
    if (out.length >= MAX_SEGMENTS) break;
    // Plain words glued together are not base64: require a mix of cases or digits.
    if (!/[A-Z]/.test(m[0]) || !/[a-z]/.test(m[0])) continue;
    push('base64', decodeBase64(m[0]));
  }
  for (const m of text.matchAll(BASE32_RE)) {
    if (out.length >= MAX_SEGMENTS) break;
    push('base32', decodeBase32(m[0]));
  }
  for (const m of text.matchAll(HEX_RE)) {
    if (out.length >= MAX_SEGMENTS) break;
    push('hex', decodeHex(m[1] ?? ''));
  }
  for (const m of text.matchAll(URL_RE)) {
    if (out.length >= MAX_SEGMENTS) break;
    push('url', decodeUrl(m[0]));
  }
  // rot13 only when rot13'd common words are there to find (most text has none: skip the whole-text shift)
  if (out.length < MAX_SEGMENTS && ROT13_HINT.test(text)) {
    const sample = text.slice(0, MAX_DECODED_CHARS);
    const r = rot13(sample);
    const gain = commonWordCount(r) - commonWordCount(sample);
    if (gain >= 3) push('rot13', r);
  }
  if (out.length < MAX_SEGMENTS && LEET_HINT.test(text)) push('leetspeak', unleet(text.slice(0, MAX_DECODED_CHARS)));
  return out;
}
