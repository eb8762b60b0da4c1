export { normalizeUnicode, type UnicodeNormalization } from './unicode.js';
export { foldHomoglyphs, HOMOGLYPHS } from './homoglyphs.js';
export { decodeSegments, rot13, unleet, MAX_SEGMENTS, MAX_DECODED_CHARS, type DecodedSegment, type Encoding } from './decode.js';
