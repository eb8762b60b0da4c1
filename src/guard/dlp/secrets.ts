/**
 * Secrets with a structure of their own, beyond the gitleaks provider rules: PEM and OpenSSH private keys (also
 * truncated ones), connection strings with a password (`Password=...;`), Azure storage account keys, Discord bot
 * tokens and JWTs; and the placeholder test shared by every keyword-driven detector.
 *
 * @example
 * const out: DlpFinding[] = [];
 * detectPrivateKeys('-----BEGIN RSA PRIVATE KEY-----\n...', out); // SECRET/private-key
 */
import { shannonEntropy } from './checksums.js';
import type { DlpFinding } from './types.js';

const PEM = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----[\s\S]{0,16384}?(?:-----END \1-----|(?=\n\s*\n|$))/g;

export function detectPrivateKeys(text: string, out: DlpFinding[]): void {
  if (text.indexOf('-----BEGIN') === -1) return;
  for (const m of text.matchAll(PEM)) {
    const body = m[0].replace(/-----(?:BEGIN|END)[^-]*-----/g, '').replace(/\s/g, '');
    if (body.length < 32) continue;
    const kind = m[1]!.startsWith('OPENSSH') ? 'openssh-private-key' : 'private-key';
    out.push({ type: 'SECRET', subtype: kind, start: m.index, end: m.index + m[0].length, confidence: 0.99, detector: 'secret.private-key' });
  }
}

const ADO = /\b(?:password|pwd)\s*=\s*([^;'"\s]{3,128})\s*(?:;|$)/gi;
const AZURE_KEY = /\bAccountKey=([A-Za-z0-9+/]{86}==)/g;

const DISCORD_BOT = /\b[MNO][\w-]{23,27}\.[\w-]{6}\.[\w-]{27,38}(?![\w-])/g;

function isB64Url(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
}
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
/** End of the base64url run starting at `i`. */
function b64UrlEnd(text: string, i: number): number {
  while (i < text.length && isB64Url(text.charCodeAt(i))) i++;
  return i;
}

/**
 * JWT shapes, what `/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*)?/g` matches, found in one
 * pass: a regex retries at every `eyJ` of a long base64url run and rescans the run each time (quadratic).
 */
function jwtSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  for (let at = text.indexOf('eyJ'); at !== -1; ) {
    if (at > 0 && isWordChar(text.charCodeAt(at - 1))) {
      at = text.indexOf('eyJ', at + 1);
      continue;
    }
    const header = b64UrlEnd(text, at + 3);
    let next = header; // an `eyJ` inside this run ends at the same place, so it fails the same way
    if (header - at - 3 >= 8 && text.charCodeAt(header) === 46 && text.startsWith('eyJ', header + 1)) {
      const payload = b64UrlEnd(text, header + 4);
      if (payload - header - 4 >= 8) {
        const end = text.charCodeAt(payload) === 46 ? b64UrlEnd(text, payload + 1) : payload;
        spans.push([at, end]);
        next = end;
      }
    }
    at = text.indexOf('eyJ', Math.max(at + 1, next));
  }
  return spans;
}

/** A JWT's header must decode to a JSON object with `alg` or `typ`. */
export function jwtHeaderValid(token: string): boolean {
  const header = token.slice(0, token.indexOf('.'));
  try {
    const parsed: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && ('alg' in parsed || 'typ' in parsed);
  } catch {
    return false;
  }
}

/** Token formats with a recognisable structure: Discord bot tokens, JWTs (signed or not, header must decode). */
/** `runs`: token runs [start, end, ...] from the fused pass; Discord tokens are looked for only inside them. */
export function detectStructuredTokens(text: string, out: DlpFinding[], formats: { discord: boolean; jwt: boolean } = { discord: true, jwt: true }, runs?: number[]): void {
  if (formats.discord) {
    const spans = runs ?? [0, text.length];
    for (let r = 0; r < spans.length; r += 2) {
      const s = Math.max(0, spans[r]! - 1);
      if (spans[r + 1]! - spans[r]! < 50) continue;
      const slice = text.slice(s, Math.min(text.length, spans[r + 1]! + 1));
      for (const m of slice.matchAll(DISCORD_BOT)) {
        if (shannonEntropy(m[0]) < 3.5) continue;
        out.push({ type: 'SECRET', subtype: 'discord-bot-token', start: s + m.index, end: s + m.index + m[0].length, confidence: 0.85, detector: 'secret.structured' });
      }
    }
  }
  if (!formats.jwt || text.indexOf('eyJ') === -1) return;
  for (const [start, end] of jwtSpans(text)) {
    if (!jwtHeaderValid(text.slice(start, end))) continue;
    out.push({ type: 'SECRET', subtype: 'jwt', start, end, confidence: 0.9, detector: 'secret.structured' });
  }
}

/** ADO, tried at one position (where the keyword pass saw `pass` or `pwd`). */
const ADO_AT = new RegExp(ADO.source, 'iy');

/** ADO matches starting at `starts` (ascending), or anywhere when `starts` is absent. */
function* adoMatches(text: string, starts?: readonly number[]): Generator<RegExpExecArray> {
  if (!starts) {
    yield* text.matchAll(ADO);
    return;
  }
  let lastEnd = 0;
  for (const at of starts) {
    if (at < lastEnd) continue;
    ADO_AT.lastIndex = at;
    const m = ADO_AT.exec(text);
    if (!m) continue;
    lastEnd = at + m[0].length;
    yield m;
  }
}

/**
 * `azure`: also Azure storage account keys (`AccountKey=...`), a format of its own. `passwordAt`: where the
 * keyword pass saw `pass` or `pwd` (every match starts at one); without it the whole text is searched.
 */
export function detectConnectionStrings(text: string, out: DlpFinding[], azure = true, passwordAt?: readonly number[]): void {
  if (azure && text.indexOf('AccountKey=') !== -1) for (const m of text.matchAll(AZURE_KEY)) {
    const start = m.index + m[0].length - m[1]!.length;
    out.push({ type: 'SECRET', subtype: 'azure-storage-key', start, end: start + m[1]!.length, confidence: 0.95, detector: 'secret.connection-string' });
  }
  for (const m of adoMatches(text, passwordAt)) {
    // Only in a connection string: another key=value; pair on the same line (read up to 256 characters back).
    let lineStart = m.index;
    while (lineStart > 0 && m.index - lineStart < 256 && text.charCodeAt(lineStart - 1) !== 10) lineStart--;
    const line = text.slice(lineStart, m.index);
    if (!/\b(?:server|host|data source|user id|uid|database|initial catalog)\s*=/i.test(line + text.slice(m.index, m.index + 200))) continue;
    if (PLACEHOLDER.test(m[1]!)) continue;
    const start = m.index + m[0].indexOf(m[1]!, m[0].indexOf('='));
    out.push({ type: 'SECRET', subtype: 'connection-string', start, end: start + m[1]!.length, confidence: 0.9, detector: 'secret.connection-string' });
  }
}

/** Values that are obviously not secrets: templates, variables, masks, words about secrets. */
export const PLACEHOLDER =
  /^(?:<[^>]*>|\$\{[^}]*\}|\$\([^)]*\)|\{\{[^}]*\}\}|\{[A-Za-z_][\w.]*\}|%[A-Za-z_]+%|\$[A-Za-z_][A-Za-z0-9_]*|[x*.#_-]+|(?:your|my|the|some|insert|enter|put|replace|add|example|sample|dummy|fake|test|placeholder|changeme|change_me|redacted|hidden|secret|password|passwd|token|api[_-]?key|none|null|nil|undefined|true|false|todo|xxx)(?:[_\-. ]?[a-z]*)*)$/i;

/** Values that are not secrets whatever the key: UUIDs, versions, file names, host:port, text with spaces, truncated or redacted displays, examples. */
const VALUE_NOT_SECRET = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|\d+\.\d+(?:\.\d+)?$|^[\w-]+\.(?:cer|pem|crt|key|txt|json|ya?ml|xml|csv|p12|pfx|jks|env|cfg|conf|ini|log)$|^[\w-]+(?:\.[\w-]+)+:\d+$|\s|\.\.|…|redacted|example|xxxx|####|your_|_here|^[[({<]/i;

/** For keyword-driven (generic) secret rules: the value cannot be a secret. */
export function implausibleSecret(value: string): boolean {
  return PLACEHOLDER.test(value) || VALUE_NOT_SECRET.test(value);
}

