/**
 * A set of words as a small bit array (two hash probes per word): membership of a lower-cased word in the
 * name and place lists, with a few percent of false positives and no list text in the repository.
 *
 * @example
 * const g = Gazetteer.build(['paris', 'lyon'], 16);
 * g.has('paris') // true
 */

/** FNV-1a over UTF-16 code units, lower-cased by the caller. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function second(h: number): number {
  let x = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return (x ^ (x >>> 16)) >>> 0;
}

export class Gazetteer {
  private constructor(
    private readonly bits: Uint8Array,
    private readonly mask: number,
  ) {}

  /** `log2Bits`: size of the bit array (2^log2Bits bits). */
  static build(words: Iterable<string>, log2Bits: number): Gazetteer {
    const bits = new Uint8Array(1 << (log2Bits - 3));
    const g = new Gazetteer(bits, (1 << log2Bits) - 1);
    for (const w of words) g.addHash(fnv1a(w));
    return g;
  }

  static fromBytes(bytes: Uint8Array): Gazetteer {
    return new Gazetteer(bytes, bytes.length * 8 - 1);
  }

  get bytes(): Uint8Array {
    return this.bits;
  }

  private addHash(h: number): void {
    const a = h & this.mask;
    const b = second(h) & this.mask;
    this.bits[a >>> 3]! |= 1 << (a & 7);
    this.bits[b >>> 3]! |= 1 << (b & 7);
  }

  /** `h`: fnv1a of the lower-cased word. */
  hasHash(h: number): boolean {
    const a = h & this.mask;
    if ((this.bits[a >>> 3]! & (1 << (a & 7))) === 0) return false;
    const b = second(h) & this.mask;
    return (this.bits[b >>> 3]! & (1 << (b & 7))) !== 0;
  }

  has(word: string): boolean {
    return this.hasHash(fnv1a(word));
  }
}
