/**
 * Byte sources for the parsers: a buffer, or a file read through a bounded window, so that scanning a
 * multi-GB file never holds it in memory. Every read is bounds-checked and throws `TruncatedError`.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export class TruncatedError extends Error {
  constructor(message = 'unexpected end of data') {
    super(message);
    this.name = 'TruncatedError';
  }
}

export interface ByteSource {
  readonly size: number;
  position: number;
  /** Bytes [position, position+n), advancing; n must be at most `maxRead`. */
  read(n: number): Buffer;
  /** Bytes at an absolute offset, without moving. */
  readAt(offset: number, n: number): Buffer;
  skip(n: number): void;
  close(): void;
}

export const MAX_READ = 16 * 1024 * 1024;

function check(size: number, offset: number, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_READ) throw new TruncatedError(`read of ${n} bytes is out of range`);
  if (offset < 0 || offset + n > size) throw new TruncatedError();
}

/** Sequential reading and skipping on top of `readAt`, shared by every source. */
abstract class PositionedSource implements ByteSource {
  position = 0;
  abstract readonly size: number;
  abstract readAt(offset: number, n: number): Buffer;
  read(n: number): Buffer {
    const out = this.readAt(this.position, n);
    this.position += n;
    return out;
  }
  skip(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0 || this.position + n > this.size) throw new TruncatedError();
    this.position += n;
  }
  close(): void {}
}

export class BufferSource extends PositionedSource {
  constructor(private readonly buffer: Buffer) {
    super();
  }
  get size(): number {
    return this.buffer.length;
  }
  readAt(offset: number, n: number): Buffer {
    check(this.size, offset, n);
    return this.buffer.subarray(offset, offset + n);
  }
}

/** Reads a file through a 1 MiB window. */
export class FileSource extends PositionedSource {
  readonly size: number;
  private readonly fd: number;
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(path: string) {
    super();
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }


  readAt(offset: number, n: number): Buffer {
    check(this.size, offset, n);
    if (offset >= this.windowStart && offset + n <= this.windowStart + this.window.length) {
      return this.window.subarray(offset - this.windowStart, offset - this.windowStart + n);
    }
    const length = Math.min(Math.max(n, 1024 * 1024), this.size - offset);
    const buffer = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const r = readSync(this.fd, buffer, got, length - got, offset + got);
      if (r === 0) throw new TruncatedError();
      got += r;
    }
    this.window = buffer;
    this.windowStart = offset;
    return buffer.subarray(0, n);
  }


  override close(): void {
    closeSync(this.fd);
  }
}

/** A window [offset, offset+size) of another source (a stored ZIP member). */
export class SliceSource extends PositionedSource {
  constructor(
    private readonly parent: ByteSource,
    private readonly offset: number,
    readonly size: number,
  ) {
    super();
    if (offset < 0 || size < 0 || offset + size > parent.size) throw new TruncatedError('slice out of bounds');
  }
  readAt(offset: number, n: number): Buffer {
    check(this.size, offset, n);
    return this.parent.readAt(this.offset + offset, n);
  }
}
