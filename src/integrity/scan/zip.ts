/**
 * A minimal ZIP reader (central directory, ZIP64, stored and deflated members) over a `ByteSource`, so
 * that members of multi-GB PyTorch archives can be read one at a time with a bound on their size.
 */
import { inflateRawSync } from 'node:zlib';
import { type ByteSource, TruncatedError } from './source.js';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

export function isZip(src: ByteSource): boolean {
  return src.size >= 4 && src.readAt(0, 4).readUInt32LE(0) === 0x04034b50;
}

function findEocd(src: ByteSource): number {
  const tail = Math.min(src.size, 22 + 65_535);
  const buf = src.readAt(src.size - tail, tail);
  for (let i = buf.length - 22; i >= 0; i--) if (buf.readUInt32LE(i) === 0x06054b50) return src.size - tail + i;
  throw new ZipError('no end of central directory record');
}

function u64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError('ZIP64 value out of range');
  return Number(v);
}

export function listZip(src: ByteSource, maxEntries = 100_000): ZipEntry[] {
  const eocdAt = findEocd(src);
  const eocd = src.readAt(eocdAt, 22);
  let count = eocd.readUInt16LE(10);
  let cdSize = eocd.readUInt32LE(12);
  let cdOffset = eocd.readUInt32LE(16);
  if ((count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) && eocdAt >= 20) {
    const locator = src.readAt(eocdAt - 20, 20);
    if (locator.readUInt32LE(0) === 0x07064b50) {
      const z64 = src.readAt(u64(locator, 8), 56);
      if (z64.readUInt32LE(0) !== 0x06064b50) throw new ZipError('bad ZIP64 end of central directory');
      count = u64(z64, 32);
      cdSize = u64(z64, 40);
      cdOffset = u64(z64, 48);
    }
  }
  if (count > maxEntries) throw new ZipError(`too many entries (${count})`);
  if (cdOffset + cdSize > src.size) throw new ZipError('central directory out of bounds');
  const entries: ZipEntry[] = [];
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    const h = src.readAt(at, 46);
    if (h.readUInt32LE(0) !== 0x02014b50) throw new ZipError('bad central directory entry');
    const nameLength = h.readUInt16LE(28);
    const extraLength = h.readUInt16LE(30);
    const commentLength = h.readUInt16LE(32);
    const name = src.readAt(at + 46, nameLength).toString('utf8');
    let compressedSize = h.readUInt32LE(20);
    let size = h.readUInt32LE(24);
    let localHeaderOffset = h.readUInt32LE(42);
    const extra = src.readAt(at + 46 + nameLength, extraLength);
    for (let e = 0; e + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(e);
      const len = extra.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let p = e + 4;
        const take = (): number => {
          if (p + 8 > e + 4 + len || p + 8 > extra.length) throw new ZipError('short ZIP64 extra field');
          const v = u64(extra, p);
          p += 8;
          return v;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
      }
      e += 4 + len;
    }
    entries.push({ name, method: h.readUInt16LE(10), compressedSize, size, localHeaderOffset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Offset of the member's data (after its local header). */
export function dataOffset(src: ByteSource, entry: ZipEntry): number {
  const h = src.readAt(entry.localHeaderOffset, 30);
  if (h.readUInt32LE(0) !== 0x04034b50) throw new ZipError(`bad local header for \`${entry.name}\``);
  const start = entry.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
  if (start + entry.compressedSize > src.size) throw new TruncatedError(`member \`${entry.name}\` out of bounds`);
  return start;
}

/** The member's bytes, inflated if needed, refusing members larger than `maxBytes`. */
export function readMember(src: ByteSource, entry: ZipEntry, maxBytes: number): Buffer {
  if (entry.size > maxBytes || entry.compressedSize > maxBytes) throw new ZipError(`member \`${entry.name}\` is larger than the scan limit`);
  const start = dataOffset(src, entry);
  const raw = src.readAt(start, entry.compressedSize);
  if (entry.method === 0) return Buffer.from(raw);
  if (entry.method === 8) {
    try {
      return inflateRawSync(raw, { maxOutputLength: maxBytes });
    } catch (error) {
      throw new ZipError(`member \`${entry.name}\` does not inflate: ${(error as Error).message}`);
    }
  }
  throw new ZipError(`member \`${entry.name}\` uses unsupported compression method ${entry.method}`);
}
