/**
 * How much of the streamed text to hold back: only a trailing piece that could still grow into something
 * sensitive (an unfinished token with digits or symbols, a run of number groups, an open markdown link, a
 * partial canary or vault token). Plain words are released at once, so time to first token is unchanged.
 *
 * @example
 * holdLength('Hello wor', [], 4096) // 0: plain words go out immediately
 * holdLength('key is sk-proj-Ab3', [], 4096) // 11: `sk-proj-Ab3` may be the start of a secret
 */
import { TokenVault } from '../dlp/index.js';
import { pendingCanaryPrefix } from './canary.js';
import { pendingLinkPrefix } from './exfiltration.js';

const SUSPICIOUS_CHARS = /[\d@_/=+\\~$%&#:.-]/;
const NUMBER_GROUPS = /(?:[+(]?[\dA-Z)]{1,6}[ .-]){1,8}[\dA-Z)]*\s?$/;
const EMAIL_TAIL = /[\w.+-]+@[\w.-]*$/;
const ASSIGN_TAIL = /[\w.-]{0,40}(?:pass|pwd|secret|token|key|auth|credential)[\w.-]{0,40}["']?[ \t]*(?:=|:|=>)[ \t]*["'`]?$/i;

function suspiciousToken(token: string): boolean {
  const t = token.replace(/[.,;:!?)"'\]]+$/, '');
  if (t.length === 0) return false;
  return SUSPICIOUS_CHARS.test(t) || t.length >= 12 || /[a-z][A-Z]|[A-Z]{2}/.test(t);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function lastSpace(text: string): number {
  for (let i = text.length - 1; i >= 0; i--) if (isSpace(text.charCodeAt(i))) return i;
  return -1;
}

/** Linear in the held text: patterns run on bounded tails, never on the whole buffer. */
export function holdLength(pending: string, canaries: readonly string[], maxHold: number): number {
  let hold = 0;
  const space = lastSpace(pending);
  const token = pending.slice(space + 1);
  if (token.length > 0 && (token.length > 64 || suspiciousToken(token))) hold = token.length;
  const tail = pending.slice(-256);
  const groups = NUMBER_GROUPS.exec(tail.slice(-64));
  if (groups && (groups[0].match(/\d/g)?.length ?? 0) >= 3) hold = Math.max(hold, groups[0].length);
  if (token.includes('@')) {
    const email = EMAIL_TAIL.exec(token);
    if (email) hold = Math.max(hold, email[0].length);
  }
  hold = Math.max(hold, pendingLinkPrefix(tail, Math.min(maxHold, 256)), pendingCanaryPrefix(tail, canaries), TokenVault.pendingTokenPrefix(tail));
  // A secret-looking value may follow a key that is still arriving: hold an unfinished `key=` / `key: "`.
  const assign = ASSIGN_TAIL.exec(tail.slice(-96));
  if (assign) hold = Math.max(hold, assign[0].length);
  // A private key block is held until its END line (or until it exceeds maxHold; the scan then redacts it).
  const pem = pending.lastIndexOf('-----BEGIN');
  if (pem !== -1 && pending.indexOf('-----END', pem) === -1) hold = Math.max(hold, pending.length - pem);
  if (hold > maxHold) return 0;
  // Never cut inside a word: a hold that starts mid-token (a number group ending a canary or a secret)
  // would release the token's head now, and the next part's scan would see the whole token only in its
  // context, where what was released can no longer be redacted. Bounded by maxHold, so still linear.
  let cut = pending.length - Math.min(hold, pending.length);
  while (cut > 0 && cut < pending.length && !isSpace(pending.charCodeAt(cut - 1)) && !isSpace(pending.charCodeAt(cut))) {
    if (pending.length - cut >= maxHold) return 0;
    cut--;
  }
  return pending.length - cut;
}
