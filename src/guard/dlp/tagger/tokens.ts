/**
 * Tokens for the name and address tagger: words (letters of any script, with inner `'`, `’`, `-` and `.`
 * abbreviations kept apart), numbers (with inner `-` or `/`: `12-B`), and single punctuation characters.
 * Whitespace separates tokens and is never one, but a line break before a token is recorded (addresses span lines).
 *
 * @example
 * const t = tokenize('Dr. Jane Doe, 12 Main St.');
 * t.count // 9: Dr . Jane Doe , 12 Main St .
 */

export interface Tokens {
  count: number;
  start: Int32Array;
  end: Int32Array;
  /** 1 when a line break separates this token from the previous one. */
  newline: Uint8Array;
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && c < 0x2000) || (c >= 0x3040 && c < 0xd800) || c >= 0xf900;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0 || c === 12 || c === 11 || (c >= 0x2000 && c <= 0x200b) || c === 0x3000;
}

/** Tokenizes `text[from, to)`; offsets are into `text`. */
export function tokenize(text: string, from = 0, to = text.length): Tokens {
  const cap = Math.max(16, (to - from) >> 2);
  let start: Int32Array = new Int32Array(cap);
  let end: Int32Array = new Int32Array(cap);
  let newline: Uint8Array = new Uint8Array(cap);
  let n = 0;
  let sawNewline = 0;
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      if (c === 10) sawNewline = 1;
      i++;
      continue;
    }
    let j = i + 1;
    if (isLetter(c)) {
      while (j < to) {
        const d = text.charCodeAt(j);
        if (isLetter(d) || isDigit(d)) j++;
        else if ((d === 39 || d === 0x2019 || d === 45) && j + 1 < to && isLetter(text.charCodeAt(j + 1))) j += 2;
        else break;
      }
    } else if (isDigit(c)) {
      while (j < to) {
        const d = text.charCodeAt(j);
        if (isDigit(d) || isLetter(d)) j++;
        else if ((d === 45 || d === 47) && j + 1 < to && isDigit(text.charCodeAt(j + 1))) j += 2;
        else break;
      }
    }
    if (n === start.length) {
      const grow = (a: Int32Array): Int32Array => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      start = grow(start);
      end = grow(end);
      const nl = new Uint8Array(newline.length * 2);
      nl.set(newline);
      newline = nl;
    }
    start[n] = i;
    end[n] = j;
    newline[n] = sawNewline;
    sawNewline = 0;
    n++;
    i = j;
  }
  return { count: n, start, end, newline };
}
