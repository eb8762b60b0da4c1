/**
 * Strict decoding of a raw request body for the gateway: invalid UTF-8 and binary content are refused
 * with a clear error instead of being scanned as garbage.
 *
 * @example
 * decodeBody(new TextEncoder().encode('{"a":1}')) // '{"a":1}'
 * decodeBody(Uint8Array.of(0xff, 0xfe)) // throws WardenError bad_request
 */
import { WardenError } from '../../core/index.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function decodeBody(bytes: Uint8Array): string {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch (error) {
    throw new WardenError('bad_request', 'the request body is not valid UTF-8', { cause: error });
  }
  // NUL and most C0 controls never occur in JSON text outside strings, and JSON escapes them inside strings.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x0b) throw new WardenError('bad_request', 'the request body contains binary data');
  }
  return text;
}
