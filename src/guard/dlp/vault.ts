/**
 * TokenVault: reversible tokens within one conversation. The model sees `[EMAIL_1]`; the answer's tokens are
 * replaced by the real values before the client gets them. The same value always gets the same token.
 * Held in memory only, bounded; values are never logged or emitted.
 *
 * @example
 * const vault = new TokenVault();
 * const t = vault.tokenize('EMAIL', 'jane@example.com'); // '[EMAIL_1]'
 * vault.detokenize(`write to ${t}`); // 'write to jane@example.com'
 */
import type { DlpType } from './types.js';

export interface TokenVaultOptions {
  /** Most distinct values kept; further values are redacted without a reversible token. Default 1000. */
  maxEntries?: number;
}

const TOKEN = /\[([A-Z_]{2,20})_(\d{1,6})\]/g;

export class TokenVault {
  private readonly byValue = new Map<string, string>();
  private readonly byToken = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  private readonly maxEntries: number;

  constructor(options: TokenVaultOptions = {}) {
    this.maxEntries = options.maxEntries ?? 1000;
  }

  get size(): number {
    return this.byToken.size;
  }

  /** The token for a value (new or existing); `undefined` when the vault is full. */
  tokenize(type: DlpType, value: string): string | undefined {
    const key = `${type}\u0000${value}`;
    const existing = this.byValue.get(key);
    if (existing) return existing;
    if (this.byToken.size >= this.maxEntries) return undefined;
    const n = (this.counters.get(type) ?? 0) + 1;
    this.counters.set(type, n);
    const token = `[${type}_${n}]`;
    this.byValue.set(key, token);
    this.byToken.set(token, value);
    return token;
  }

  /** A placeholder numbered in this vault's sequence but not reversible (redaction next to tokenization). */
  reserve(type: DlpType): string {
    const n = (this.counters.get(type) ?? 0) + 1;
    this.counters.set(type, n);
    return `[${type}_${n}]`;
  }

  /** Real value for a token issued by this vault. */
  reveal(token: string): string | undefined {
    return this.byToken.get(token);
  }

  /** Replaces every token issued by this vault in `text` with its value; other bracketed text is kept. */
  detokenize(text: string): string {
    if (this.byToken.size === 0 || text.indexOf('[') === -1) return text;
    return text.replace(TOKEN, (whole) => this.byToken.get(whole) ?? whole);
  }

  /** Length of a trailing prefix of `text` that could still become a token (`[EMAIL_`), to hold back while streaming. */
  static pendingTokenPrefix(text: string): number {
    const open = text.lastIndexOf('[');
    if (open === -1 || text.length - open > 28) return 0;
    const tail = text.slice(open);
    return /^\[[A-Z_]*(?:_\d*)?$/.test(tail) ? tail.length : 0;
  }
}
