/**
 * Aho-Corasick automaton over lower-cased ASCII keywords: one pass over the text finds every occurrence of
 * every keyword (gitleaks' rule pre-filter), instead of one `indexOf` per keyword.
 *
 * @example
 * const index = new KeywordIndex([['ghp_', 0], ['akia', 1]]);
 * index.scan('token=ghp_abc', (value, end) => console.log(value, end)); // 0 10
 */
export class KeywordIndex {
  // The tables are public (read-only) for fused scanners that step the automaton inside their own loop
  // (candidates.ts): one pass over the text instead of one per concern.
  /** Transition table: state * width + symbol -> state. */
  readonly next: Int32Array;
  /** Per state, the values of the keywords ending there. */
  readonly outputs: number[][];
  /** Per state, the lengths of those keywords. */
  readonly lengths: number[][];
  /** ASCII code -> symbol (0 = a character that is in no keyword); upper case folded to lower case. */
  readonly symbol = new Uint8Array(128);
  readonly width: number;
  /** 1 for states where a keyword ends. */
  readonly emits: Uint8Array;

  /** `entries`: [keyword, value]; the value (e.g. a rule index) is reported on each occurrence. */
  constructor(entries: [string, number][]) {
    const trie: number[][] = [new Array<number>(128).fill(-1)];
    const out: number[][] = [[]];
    const lens: number[][] = [[]];
    for (const [kw, value] of entries) {
      let node = 0;
      for (let i = 0; i < kw.length; i++) {
        const c = kw.charCodeAt(i) & 127;
        if (trie[node]![c] === -1) {
          trie[node]![c] = trie.length;
          trie.push(new Array<number>(128).fill(-1));
          out.push([]);
          lens.push([]);
        }
        node = trie[node]![c]!;
      }
      out[node]!.push(value);
      lens[node]!.push(kw.length);
    }
    // Breadth-first: failure links folded into a full transition table.
    const fail = new Array<number>(trie.length).fill(0);
    const queue: number[] = [];
    for (let c = 0; c < 128; c++) {
      const child = trie[0]![c]!;
      if (child === -1) trie[0]![c] = 0;
      else queue.push(child);
    }
    while (queue.length) {
      const node = queue.shift()!;
      out[node] = [...out[node]!, ...out[fail[node]!]!];
      lens[node] = [...lens[node]!, ...lens[fail[node]!]!];
      for (let c = 0; c < 128; c++) {
        const child = trie[node]![c]!;
        if (child === -1) trie[node]![c] = trie[fail[node]!]![c]!;
        else {
          fail[child] = trie[fail[node]!]![c]!;
          queue.push(child);
        }
      }
    }
    // Compact alphabet: only the characters that occur in keywords get their own column.
    const used: number[] = [];
    for (const [kw] of entries) for (let i = 0; i < kw.length; i++) {
      const c = kw.charCodeAt(i) & 127;
      if (!used.includes(c)) used.push(c);
    }
    this.width = used.length + 1;
    used.forEach((c, k) => {
      this.symbol[c] = k + 1;
      if (c >= 97 && c <= 122) this.symbol[c - 32] = k + 1;
    });
    this.next = new Int32Array(trie.length * this.width);
    trie.forEach((row, i) => {
      this.next[i * this.width] = 0;
      used.forEach((c, k) => (this.next[i * this.width + k + 1] = row[c]!));
    });
    this.outputs = out;
    this.lengths = lens;
    this.emits = Uint8Array.from(out, (o) => (o.length ? 1 : 0));
  }

  /** Calls `hit(value, startOfKeyword)` for each keyword occurrence; ASCII letters are matched case-insensitively. */
  scan(text: string, hit: (value: number, start: number) => void): void {
    const next = this.next;
    const symbol = this.symbol;
    const width = this.width;
    const emits = this.emits;
    let node = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      node = c < 128 ? next[node * width + symbol[c]!]! : 0;
      if (emits[node] !== 0) {
        const o = this.outputs[node]!;
        const l = this.lengths[node]!;
        for (let k = 0; k < o.length; k++) hit(o[k]!, i + 1 - l[k]!);
      }
    }
  }
}
