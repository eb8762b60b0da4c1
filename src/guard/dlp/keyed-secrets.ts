/**
 * Keyed secrets of any service: a key that names a credential, assigned a value that could be one. The key is
 * found by the shared keyword pass; this module reads the assignment in every shape real configuration takes:
 * env files and shell (`export API_TOKEN=...`), YAML and JSON (`"api_key": "..."`), XML (`<password>...</password>`,
 * `<add key="ApiKey" value="..."/>`), INI and properties (`db.password = ...`), CLI flags (`--api-key ...`),
 * URLs (`?access_token=...`), HTTP headers (`Authorization: Bearer ...`, `X-Api-Key: ...`), code in common
 * languages (`apiKey := "..."`, `'password' => '...'`, `setSecret("...")`, `getenv("TOKEN", "...")`,
 * `if (secret == "...")`) and prose (`my password is ...`). The value must then pass shape checks
 * (placeholder, code, identifier, repetition) and an entropy floor that depends on the key's strength.
 *
 * @example
 * const out: DlpFinding[] = [];
 * detectKeyedValues('<add key="StorageApiKey" value="q7Rt2VzX9pLm4WnB8sKd" />', out); // SECRET/keyed-value
 */
import { shannonEntropy } from './checksums.js';
import { findKeywordHits, KW_SECRET, type KeywordHits } from './keyword-hits.js';
import { PLACEHOLDER } from './secrets.js';
import { charClasses, dominantShare, hasAscendingRun } from './token-shape.js';
import type { DlpFinding } from './types.js';

/** The entropy floors (bits per character) of the keyed detector; tuned leave-one-family-out in eval/dlp. */
export interface KeyedTuning {
  /** Values of password keys (`password`, `pwd`, `pass`): short and typed by people. */
  passwordMinEntropy: number;
  /** Values of token keys (`token`, `secret`, `api_key`, `auth`, `credential`). */
  tokenMinEntropy: number;
  /** Values of weak keys that only end in `key` (`sl_key`, `AccountKey`): also at least 16 characters. */
  weakKeyMinEntropy: number;
}

/** Shipped floors: the tuning chosen on all families by eval/dlp (see docs/dlp.md). */
export const DEFAULT_KEYED_TUNING: KeyedTuning = { passwordMinEntropy: 2.25, tokenMinEntropy: 3.0, weakKeyMinEntropy: 2.5 };

type KeyStrength = 'password' | 'token' | 'weak';

/** Longest value read (signed tokens with many claims run to a few KB). */
const MAX_VALUE = 4096;

const PASSWORD_WORDS = /^(?:password|passwd|passphrase|passwort|pwd|pass|pw|passcode)s?$/;
/** Inside one word too: `SOFTLAYERAPIKEY`, `dbpassword`, `clientsecret`. */
const PASSWORD_INSIDE = /password|passwd|passphrase/;
const TOKEN_STEMS = /^(?:secret(?!ar)|token(?!i[sz])|credential|creds$|apikey|bearer$|auth$|authorization$|authtoken|accesskey|privatekey|secretkey)/;
const TOKEN_INSIDE = /apikey|secret(?!ar)|token(?!i[sz])|credential|accesskey|privatekey|authtoken/;
/** Words in a key that say the value is metadata about a secret, not the secret. */
const META_WORDS = new Set([
  'id', 'ids', 'name', 'names', 'url', 'uri', 'file', 'path', 'endpoint', 'var', 'variable', 'length', 'len', 'size', 'type', 'format', 'field',
  'header', 'label', 'count', 'expiry', 'expires', 'expiration', 'ttl', 'ref', 'hint', 'prompt', 'description', 'help', 'placeholder',
  'text', 'title', 'error', 'regex', 'pattern', 'policy', 'reset', 'min', 'max', 'hash', 'public', 'publishable', 'csrf', 'xsrf', 'page', 'next',
  'continuation', 'cursor', 'sort', 'partition', 'primary', 'foreign', 'cache', 'lookup', 'encoding', 'algorithm', 'alg', 'version', 'mode',
  'enabled', 'required', 'column', 'input', 'form', 'provider', 'manager', 'location', 'vault', 'secrets', 'limit', 'usage', 'budget', 'tokenizer',
  'class', 'kind', 'strength', 'policy', 'rotation', 'validator', 'generator', 'store', 'keystore', 'field', 'env', 'param', 'arn', 'dir', 'folder',
  'hotkey', 'shortcut', 'authenticity', 'verification', 'nonce', 'state', 'count', 'binding', 'press', 'keyboard', 'prefix', 'suffix', 'sample', 'example', 'test', 'fake', 'dummy', 'mock',
]);

function isIdentChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45;
}

/** Splits `my_apiKey-v2` into `my`, `api`, `key`, `v2` (separators and camelCase). */
function keyWords(identifier: string): string[] {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Cheap first look: could the identifier name a secret at all? (Most keyword hits in code are `keyof`, `tokenize`.) */
const MAYBE_SECRET = /pass|pwd|secret|token|credential|creds|apikey|bearer|auth|key$|_pw$|-pw$/;

/** Identifiers repeat (code names the same keys again and again): their strengths are remembered, up to a bound. */
const strengths = new Map<string, KeyStrength | null>();

/** How strongly an identifier names a secret, or undefined when it does not (or names its metadata). */
export function keyStrength(identifier: string): KeyStrength | undefined {
  const known = strengths.get(identifier);
  if (known !== undefined) return known ?? undefined;
  const strength = judgeKey(identifier);
  if (strengths.size >= 4096) strengths.clear();
  strengths.set(identifier, strength ?? null);
  return strength;
}

function judgeKey(identifier: string): KeyStrength | undefined {
  if (!MAYBE_SECRET.test(identifier.toLowerCase())) return undefined;
  const words = keyWords(identifier);
  if (words.length === 0 || words.length > 8) return undefined;
  if (words.some((w) => META_WORDS.has(w))) return undefined;
  let strength: KeyStrength | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const pair = i > 0 ? words[i - 1]! + w : '';
    if (PASSWORD_WORDS.test(w) || PASSWORD_INSIDE.test(w)) return 'password';
    if (TOKEN_STEMS.test(w) || TOKEN_STEMS.test(pair) || TOKEN_INSIDE.test(w)) strength = 'token';
  }
  if (strength) return strength;
  // A key that only ends in `key` (`sl_key`, `AccountKey`): weak, and never `key` alone.
  if (words.length >= 2 && (words[words.length - 1] === 'key' || words[words.length - 1] === 'pw')) return 'weak';
  return undefined;
}

/** Values that are not secrets whatever the key: versions, file names, host:port, truncated or redacted displays. */
const VALUE_NOT_SECRET =
  /\d+\.\d+(?:\.\d+)?$|^[\w-]+\.(?:cer|pem|crt|key|txt|json|ya?ml|xml|csv|p12|pfx|jks|env|cfg|conf|ini|log)$|^[\w-]+(?:\.[\w-]+)+:\d+$|\.\.|…|redacted|example|xxxx|####|\*\*\*|your_|_here|^[[({<]/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SCHEME = /^(?:Bearer|Basic|Token|token|bearer|Digest|ApiKey|Key)\s+/;

/** Code, not a literal: `getenv("X")`, `config.api.key`, `os.environ["X"]`, `Foo{...}` with balanced brackets. */
export function looksLikeCode(value: string): boolean {
  if (/^(?:[A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*$/.test(value)) return true;
  const head = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*(?=[({[])/.exec(value);
  if (!head) return false;
  const open = '([{';
  const close = ')]}';
  const stack: number[] = [];
  for (let i = head[0].length; i < value.length; i++) {
    const o = open.indexOf(value[i]!);
    if (o >= 0) stack.push(o);
    const c = close.indexOf(value[i]!);
    if (c >= 0 && stack.pop() !== c) return false;
  }
  return stack.length === 0;
}

/** Whether `value` (already unquoted) can be the secret of a key of this strength. */
export function plausibleKeyedValue(value: string, strength: KeyStrength, quote: string, tuning: KeyedTuning): boolean {
  const quoted = quote !== '';
  const minLength = strength === 'weak' ? 16 : strength === 'token' ? 10 : 8;
  if (value.length < minLength || value.length > MAX_VALUE) return false;
  if (UUID.test(value)) return false; // an identifier far more often than a (legacy npm or Heroku) token
  if (PLACEHOLDER.test(value) || VALUE_NOT_SECRET.test(value)) return false;
  if (value.startsWith('$')) return false; // shell or template expansion: `$(gcloud auth ...)`, `${VAR:=x}`
  if (/\s/.test(value)) {
    if (quote === '`') return false; // a shell command substitution, not a literal
    // People quote passphrases; a quoted phrase of a few words under a secret key is one. Prose is not.
    if (!quoted || strength === 'weak' || value.split(/\s+/).length > 6 || /[.!?:]$/.test(value)) return false;
  }
  if (!quoted && looksLikeCode(value)) return false;
  if (/^(?:https?:\/\/|\/|\.\/|~\/)/i.test(value)) return false;
  if (/^[a-z]+(?:[_-][a-z]+)*$/i.test(value)) return false; // an identifier or a word
  if (dominantShare(value) >= 0.5 || hasAscendingRun(value.replace(/[^A-Za-z]/g, ''), 8)) return false;
  if (charClasses(value) < 2) return false;
  const floor = strength === 'password' ? tuning.passwordMinEntropy : strength === 'token' ? tuning.tokenMinEntropy : tuning.weakKeyMinEntropy;
  return shannonEntropy(value) >= floor;
}

interface Assignment {
  value: string;
  start: number;
  /** The quote character around the value, or '' when unquoted. */
  quote: string;
}

/** Reads a quoted literal starting at `at` (the quote), on one line. */
function quotedAt(text: string, at: number): Assignment | undefined {
  const q = text.charCodeAt(at);
  // Read at most MAX_VALUE characters: a search to the end of the line or text would be quadratic on long lines.
  const limit = Math.min(text.length, at + 2 + MAX_VALUE);
  for (let end = at + 1; end < limit; end++) {
    const c = text.charCodeAt(end);
    if (c === q) return { value: text.slice(at + 1, end), start: at + 1, quote: text[at]! };
    if (c === 10) return undefined;
  }
  return undefined;
}

function skipBlanks(text: string, i: number): number {
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  return i;
}

/** The value assigned after an identifier ending at `end`, in any of the shapes listed above. */
function assignedValue(text: string, identStart: number, end: number): Assignment | undefined {
  const before = text[identStart - 1];
  const quotedKey = before === '"' || before === "'";
  let i = end;
  // Closing quote or bracket of the key: `"api_key":`, `["API_KEY"] =`, `secret[25] =`, `<password>`.
  if (quotedKey && text[i] === before) i++;
  const index = /^\[\d*\]/.exec(text.slice(i, i + 8));
  if (index) i += index[0].length;
  else if (text[i] === ']') i++;
  // XML attribute pair: key="ApiKey" value="...".
  if (quotedKey && /(?:key|name)\s*=\s*$/i.test(text.slice(Math.max(0, identStart - 12), identStart - 1))) {
    const m = /^\s+value\s*=\s*(["'])/i.exec(text.slice(i, i + 24));
    return m ? quotedAt(text, i + m[0].length - 1) : undefined;
  }
  // XML element: <password>...</password>.
  if (before === '<' && text[i] === '>') {
    const close = text.indexOf('<', i + 1);
    if (close === -1 || close - i > MAX_VALUE) return undefined;
    const raw = text.slice(i + 1, close);
    const value = raw.trim();
    return { value, start: i + 1 + raw.indexOf(value), quote: '<' };
  }
  i = skipBlanks(text, i);
  const op = /^(?:::=|:=|=>|\?=|\|\|=|===?|!==?|=|:(?!:)|,|\(|is\b|was\b|are\b)/.exec(text.slice(i, i + 4));
  let spaceOnly = false;
  if (op) {
    if (op[0] === ',' && !quotedKey) return undefined;
    i += op[0].length;
  } else if (i > end) spaceOnly = true; // `--api-key VALUE`, `ENV TOKEN VALUE`
  else return undefined;
  const comparison = op !== null && /^[=!]==?$/.test(op[0]) && op[0] !== '=';
  i = skipBlanks(text, i);
  // C# verbatim strings (`@"..."`) are literals; other `@` (PowerShell here-strings, decorators) are not.
  if (text[i] === '@') {
    if (text[i + 1] !== '"') return undefined;
    i++;
  }
  const scheme = SCHEME.exec(text.slice(i, i + 10));
  if (scheme) i += scheme[0].length;
  const q = text[i];
  if (q === '"' || q === "'" || q === '`') {
    const lit = quotedAt(text, i);
    if (lit) {
      const s = SCHEME.exec(lit.value);
      return s ? { ...lit, value: lit.value.slice(s[0].length), start: lit.start + s[0].length } : lit;
    }
    return undefined;
  }
  if (comparison || (op && op[0] === '(')) return undefined; // only literals are compared or passed
  let e = i;
  const stopAtAmp = before === '?' || before === '&';
  while (e < text.length && e - i < MAX_VALUE) {
    const c = text.charCodeAt(e);
    if (c <= 32 || c === 34 || c === 39 || c === 96 || c === 44 || c === 59 || (c === 38 && stopAtAmp) || (c === 60 && e > i)) break;
    e++;
  }
  let value = text.slice(i, e);
  // Judged before trailing brackets and dots are trimmed: `config.get_token()`, `Foo{...}`, `abc..`.
  if (looksLikeCode(value)) return undefined;
  if (VALUE_NOT_SECRET.test(value)) return { value, start: i, quote: '' };
  value = value.replace(/[)\]}>.]+$/, '');
  if (spaceOnly && value.length < 16) return undefined;
  return { value, start: i, quote: '' };
}

/** A quoted literal compared with a secret-named variable: `if ("..." == password)`. */
const REVERSED = /(["'])([^"'\n]{8,200})\1\s*(?:===?|!==?)\s*[\w.]*(?:pass|pwd|secret|token|key)[\w.]*/gi;

/**
 * SECRET/keyed-value findings. `hits` is the shared keyword pass; `tuning` the entropy floors.
 */
export function detectKeyedValues(text: string, out: DlpFinding[], hits: KeywordHits = findKeywordHits(text), tuning: KeyedTuning = DEFAULT_KEYED_TUNING): void {
  const found = hits[KW_SECRET];
  let lastIdentEnd = -1;
  let lastEnd = -1;
  for (let h = 1; h < found.length; h += 2) {
    const at = found[h]!;
    if (at < lastIdentEnd || at < lastEnd) continue;
    let s = at;
    while (s > 0 && at - s < 60 && isIdentChar(text.charCodeAt(s - 1))) s--;
    let e = at;
    while (e < text.length && e - at < 60 && isIdentChar(text.charCodeAt(e))) e++;
    lastIdentEnd = e;
    // A trailing `.` or `-` ends a sentence or a flag list, not the key.
    while (e > at && (text[e - 1] === '.' || text[e - 1] === '-')) e--;
    const identifier = text.slice(s, e).replace(/^[-.]+/, '');
    const strength = keyStrength(identifier);
    if (!strength) continue;
    const assigned = assignedValue(text, s, e);
    if (!assigned || !plausibleKeyedValue(assigned.value, strength, assigned.quote, tuning)) continue;
    lastEnd = assigned.start + assigned.value.length;
    out.push({ type: 'SECRET', subtype: 'keyed-value', start: assigned.start, end: lastEnd, confidence: strength === 'weak' ? 0.6 : 0.75, detector: 'secret.keyed' });
  }
  if (text.indexOf('==') === -1 && text.indexOf('!=') === -1) return;
  for (const m of text.matchAll(REVERSED)) {
    const value = m[2]!;
    if (PLACEHOLDER.test(value) || shannonEntropy(value) < tuning.passwordMinEntropy) continue;
    const start = m.index + 1;
    if (start < lastEnd) continue;
    out.push({ type: 'SECRET', subtype: 'keyed-value', start, end: start + value.length, confidence: 0.7, detector: 'secret.keyed' });
  }
}
