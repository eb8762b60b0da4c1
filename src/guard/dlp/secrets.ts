/**
 * Secrets beyond the gitleaks provider rules: PEM and OpenSSH private keys (also truncated ones), connection
 * strings with a password (`Password=...;`), Azure storage account keys, and generic high-entropy values
 * only when a secret-like keyword is assigned to them (`api_key = "..."`) and their entropy passes a floor.
 *
 * @example
 * const out: DlpFinding[] = [];
 * detectKeyedSecrets('db_password = "Zx9#qL2!vR7@"', out); // SECRET/keyword
 */
import { shannonEntropy } from './checksums.js';
import { findKeywordHits, KW_SECRET, SECRET_WORDS, type KeywordHits } from './keyword-hits.js';
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
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*)?/g;

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
export function detectStructuredTokens(text: string, out: DlpFinding[]): void {
  for (const m of text.matchAll(DISCORD_BOT)) {
    if (shannonEntropy(m[0]) < 3.5) continue;
    out.push({ type: 'SECRET', subtype: 'discord-bot-token', start: m.index, end: m.index + m[0].length, confidence: 0.85, detector: 'secret.structured' });
  }
  if (text.indexOf('eyJ') === -1) return;
  for (const m of text.matchAll(JWT)) {
    if (!jwtHeaderValid(m[0])) continue;
    out.push({ type: 'SECRET', subtype: 'jwt', start: m.index, end: m.index + m[0].length, confidence: 0.9, detector: 'secret.structured' });
  }
}

export function detectConnectionStrings(text: string, out: DlpFinding[]): void {
  for (const m of text.matchAll(AZURE_KEY)) {
    const start = m.index + m[0].length - m[1]!.length;
    out.push({ type: 'SECRET', subtype: 'azure-storage-key', start, end: start + m[1]!.length, confidence: 0.95, detector: 'secret.connection-string' });
  }
  for (const m of text.matchAll(ADO)) {
    // Only in a connection string: another key=value; pair on the same line.
    const line = text.slice(text.lastIndexOf('\n', m.index) + 1, m.index);
    if (!/\b(?:server|host|data source|user id|uid|database|initial catalog)\s*=/i.test(line + text.slice(m.index, m.index + 200))) continue;
    if (PLACEHOLDER.test(m[1]!)) continue;
    const start = m.index + m[0].indexOf(m[1]!, m[0].indexOf('='));
    out.push({ type: 'SECRET', subtype: 'connection-string', start, end: start + m[1]!.length, confidence: 0.9, detector: 'secret.connection-string' });
  }
}

/** Values that are obviously not secrets: templates, variables, masks, words about secrets. */
export const PLACEHOLDER =
  /^(?:<[^>]*>|\$\{[^}]*\}|\$\([^)]*\)|\{\{[^}]*\}\}|\{[A-Za-z_][\w.]*\}|%[A-Za-z_]+%|\$[A-Za-z_][A-Za-z0-9_]*|[x*.#_-]+|(?:your|my|the|some|insert|enter|put|replace|add|example|sample|dummy|fake|test|placeholder|changeme|change_me|redacted|hidden|secret|password|passwd|token|api[_-]?key|none|null|nil|undefined|true|false|todo|xxx)(?:[_\-. ]?[a-z]*)*)$/i;

/** Applied right after a secret word: rest of the key, assignment, optional quote or scheme, the value. */
const ASSIGNED =
  /(?:[_.-]?[A-Za-z0-9]){0,40}(?:\[\d*\])?["']?[ \t]*(?:(?:=|:=|::=|:|=>|!==?|===?|\?=)[ \t]*|\([ \t]*|\.assign\([ \t]*|[ \t]+(?=["'`]))@?(?:(?:Bearer|Basic|Token)\s+)?(?:"([^"\n]{8,200})"|'([^'\n]{8,200})'|`([^`\n]{8,200})`|([^\s"'`,;]{8,200}))/y;
/** A quoted literal compared with a secret-named variable: `if ("..." == password)`. */
const REVERSED = /(["'])([^"'\n]{8,200})\1\s*(?:===?|!==?)\s*[\w.]*(?:pass|pwd|secret|token|key)[\w.]*/gi;
/** Keys that name a secret's metadata, not the secret (`credentialsId`, `SECRET_NAME`, `tokenUrl`, `csrf_token`). */
const KEY_NOT_SECRET = /(?:id|ids|name|names|url|uri|file|path|endpoint|variable|var|length|len|size|type|format|field|header|label|count|expiry|expires|ttl|ref|vault|secrets)$|^(?:csrf|xsrf|public|publishable|page|next|continuation)/i;
/** Values that are not secrets whatever the key: UUIDs, versions, file names, host:port, text with spaces, truncated or redacted displays, examples. */
const VALUE_NOT_SECRET = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|\d+\.\d+(?:\.\d+)?$|^[\w-]+\.(?:cer|pem|crt|key|txt|json|ya?ml|xml|csv|p12|pfx|jks|env|cfg|conf|ini|log)$|^[\w-]+(?:\.[\w-]+)+:\d+$|\s|\.\.|…|redacted|example|xxxx|####|your_|_here|^[[({<]/i;

/** For keyword-driven (generic) secret rules: the value cannot be a secret. */
export function implausibleSecret(value: string): boolean {
  return PLACEHOLDER.test(value) || VALUE_NOT_SECRET.test(value);
}

function identifierAround(text: string, start: number, end: number): string {
  let s = start;
  while (s > 0 && s > start - 40 && /[\w.-]/.test(text[s - 1]!)) s--;
  let e = end;
  while (e < text.length && e < end + 40 && /[\w.-]/.test(text[e]!)) e++;
  return text.slice(s, e);
}

/** Unquoted values that are code, not secrets: `foo.Bar{`, `getenv(`, `os.environ[`. */
const CODE_EXPRESSION = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*[({[]/;

/**
 * Generic secrets: a secret-like key assigned a value. The value must not look like a placeholder, must mix
 * character classes, and must pass an entropy floor (lower for passwords, which are short).
 */
export function detectKeyedSecrets(text: string, out: DlpFinding[], hits: KeywordHits = findKeywordHits(text)): void {
  const found = hits[KW_SECRET];
  let lastEnd = -1;
  for (let h = 0; h < found.length; h += 2) {
    const word = found[h]!;
    const at = found[h + 1]!;
    if (at < lastEnd) continue;
    const key = SECRET_WORDS[word]!;
    ASSIGNED.lastIndex = at + key.length;
    const m = ASSIGNED.exec(text);
    if (!m) continue;
    if (KEY_NOT_SECRET.test(identifierAround(text, at, at + key.length))) continue;
    const quoted = m[4] === undefined;
    // Call-style or space-separated assignments count only with a quoted literal: `secret("...")`, `password "..."`.
    if (!quoted ? /\(|^[^=:>]*$/.test(m[0].slice(0, m[0].length - m[4]!.length)) : false) continue;
    let value = m[1] ?? m[2] ?? m[3] ?? m[4]!;
    if (!quoted && (CODE_EXPRESSION.test(value) || /^(?:[A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*$/.test(value))) continue;
    if (!quoted) value = value.replace(/[)\]>.]+$/, '');
    if (value.length < 8 || PLACEHOLDER.test(value) || VALUE_NOT_SECRET.test(value)) continue;
    if (/^(?:https?:\/\/|\/|\.\/|[a-z]+\()/i.test(value)) continue;
    if (/^[a-z]+(?:[_-][a-z]+)*$/i.test(value)) continue; // an identifier, not a secret
    const isPassword = /pass|pwd/.test(key);
    const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(value)).length;
    const entropy = shannonEntropy(value);
    if (entropy < (isPassword ? 2.5 : 3.0) || classes < 2) continue;
    const start = m.index + m[0].lastIndexOf(value);
    lastEnd = start + value.length;
    out.push({ type: 'SECRET', subtype: 'keyword', start, end: start + value.length, confidence: isPassword ? 0.75 : 0.7, detector: 'secret.keyword' });
  }
  if (text.indexOf('==') === -1 && text.indexOf('!=') === -1) return;
  for (const m of text.matchAll(REVERSED)) {
    const value = m[2]!;
    if (PLACEHOLDER.test(value) || shannonEntropy(value) < 2.5) continue;
    const start = m.index + 1;
    if (start < lastEnd) continue;
    out.push({ type: 'SECRET', subtype: 'keyword', start, end: start + value.length, confidence: 0.7, detector: 'secret.keyword' });
  }
}
