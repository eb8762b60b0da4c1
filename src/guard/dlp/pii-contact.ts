/**
 * Contact and network identifiers: EMAIL, PHONE (libphonenumber-js), IP (v4 and v6), MAC_ADDRESS, and
 * URLs that carry credentials (`https://user:pass@host`). Database URLs with a password are SECRETs.
 *
 * @example
 * const out: DlpFinding[] = [];
 * detectEmail('write to jane@example.com', out); // [{ type: 'EMAIL', start: 9, end: 25, ... }]
 */
import { isIPv6 } from 'node:net';
import { isValidPhoneNumber, isPossiblePhoneNumber, type CountryCode } from 'libphonenumber-js/max';
import { hasContext, NOT_PHONE_CONTEXT, PHONE_CONTEXT } from './context.js';
import type { DlpFinding } from './types.js';

function isLocalChar(c: number): boolean {
  // A-Z a-z 0-9 . _ % + - '
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45 || c === 39;
}
function isDomainChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 46 || c === 45;
}

/** EMAIL: scans for `@` and grows both sides (faster than a regex over the whole text). */
export function detectEmail(text: string, out: DlpFinding[]): void {
  let at = text.indexOf('@');
  while (at !== -1) {
    let s = at;
    while (s > 0 && isLocalChar(text.charCodeAt(s - 1)) && at - s < 64) s--;
    while (s < at && (text[s] === '.' || text[s] === "'")) s++;
    let e = at + 1;
    while (e < text.length && isDomainChar(text.charCodeAt(e)) && e - at < 255) e++;
    while (e > at + 1 && (text[e - 1] === '.' || text[e - 1] === '-')) e--;
    const domain = text.slice(at + 1, e);
    const dot = domain.lastIndexOf('.');
    const tld = dot > 0 ? domain.slice(dot + 1) : '';
    if (s < at && text[at - 1] !== '.' && dot > 0 && (/^[A-Za-z]{2,24}$/.test(tld) || /^xn--[a-z0-9-]{2,59}$/i.test(tld)) && !domain.includes('..')) {
      out.push({ type: 'EMAIL', start: s, end: e, confidence: 0.95, detector: 'pii.email' });
    }
    at = text.indexOf('@', Math.max(at + 1, e));
  }
}

const IPV4 = /\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/g;
const MAC_DASH = /[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}/y;
const MAC_DOT = /[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}/y;
const MAC_COLON = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$/;

function isWordOr(c: number, extra: string): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || (c > 0 && extra.includes(String.fromCharCode(c)));
}
function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** IP: dotted-quad IPv4 (each octet <= 255) and IPv6 validated by node:net (with an optional zone). */
export function detectIp(text: string, out: DlpFinding[]): void {
  detectIpv4(text, out);
  detectColonAddresses(text, out);
}

/** IPv4 only (scanText runs it in the windows around digit clusters). */
export function detectIpv4(text: string, out: DlpFinding[]): void {
  for (const m of text.matchAll(IPV4)) {
    const before = m.index > 0 ? text.charCodeAt(m.index - 1) : 0;
    const endAt = m.index + m[0].length;
    const after = text.charCodeAt(endAt);
    if (isWordOr(before, '.') || (after >= 48 && after <= 57) || (after === 46 && /\d/.test(text[endAt + 1] ?? ''))) continue;
    if (m[0].split('.').some((o) => Number(o) > 255)) continue;
    out.push({ type: 'IP', subtype: 'v4', start: m.index, end: endAt, confidence: 0.9, detector: 'pii.ip' });
  }
}

/** IPv6 and colon-separated MACs: grows a token around each `:` over hex digits, colons, dots and a zone. */
export function detectColonAddresses(text: string, out: DlpFinding[]): void {
  let i = text.indexOf(':');
  let lastEnd = -1;
  while (i !== -1) {
    if (i >= lastEnd) {
      let s = i;
      while (s > 0 && (isHex(text.charCodeAt(s - 1)) || text.charCodeAt(s - 1) === 58)) s--;
      let e = i + 1;
      while (e < text.length && (isHex(text.charCodeAt(e)) || text.charCodeAt(e) === 58 || (text.charCodeAt(e) === 46 && isHex(text.charCodeAt(e + 1))))) e++;
      let zoneEnd = e;
      if (text[e] === '%') {
        zoneEnd = e + 1;
        while (zoneEnd < text.length && zoneEnd - e < 17 && isWordOr(text.charCodeAt(zoneEnd), '')) zoneEnd++;
      }
      lastEnd = zoneEnd;
      const before = s > 0 ? text.charCodeAt(s - 1) : 0;
      const after = zoneEnd < text.length ? text.charCodeAt(zoneEnd) : 0;
      // Two colons at least (`a:b:c`) before any string is made: most colons in text and code are single.
      const second = text.indexOf(':', i + 1);
      if (!isWordOr(before, '.') && !isWordOr(after, '=') && second !== -1 && second < e) {
        const token = text.slice(s, e);
        if (MAC_COLON.test(token)) out.push({ type: 'MAC_ADDRESS', start: s, end: e, confidence: 0.85, detector: 'pii.mac' });
        else if (isIPv6(token)) out.push({ type: 'IP', subtype: 'v6', start: s, end: zoneEnd, confidence: 0.9, detector: 'pii.ip' });
      }
    }
    i = text.indexOf(':', Math.max(i + 1, lastEnd));
  }
}

function stickyAt(re: RegExp, text: string, at: number): number {
  if (at < 0) return -1;
  re.lastIndex = at;
  const m = re.exec(text);
  return m ? at + m[0].length : -1;
}

/** MAC_ADDRESS with `-` or Cisco dots (colon MACs are found by the IPv6 scan). */
export function detectMac(text: string, out: DlpFinding[]): void {
  const tryAt = (start: number, re: RegExp): number => {
    const end = stickyAt(re, text, start);
    if (end < 0) return -1;
    if (isWordOr(start > 0 ? text.charCodeAt(start - 1) : 0, '-.:') || isWordOr(end < text.length ? text.charCodeAt(end) : 0, '-:')) return -1;
    const value = text.slice(start, end);
    if (re === MAC_DOT && !/[a-f]/i.test(value)) return -1; // 1234.5678.9012: a number, not a MAC
    out.push({ type: 'MAC_ADDRESS', start, end, confidence: 0.85, detector: 'pii.mac' });
    return end;
  };
  for (let i = text.indexOf('-'); i !== -1; ) {
    const end = isHex(text.charCodeAt(i - 1)) && isHex(text.charCodeAt(i + 1)) && text[i + 3] === '-' ? tryAt(i - 2, MAC_DASH) : -1;
    i = text.indexOf('-', end > 0 ? end : i + 1);
  }
  for (let i = text.indexOf('.'); i !== -1; ) {
    const end = isHex(text.charCodeAt(i - 1)) && isHex(text.charCodeAt(i + 1)) && text[i + 5] === '.' ? tryAt(i - 4, MAC_DOT) : -1;
    i = text.indexOf('.', end > 0 ? end : i + 1);
  }
}

const DB_SCHEMES = /^(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|oracle|jdbc:[a-z]+|clickhouse|cockroachdb|neo4j|couchdb|ldaps?|ftp|sftp|smtp|nats|kafka)$/i;
const URL_USERINFO = /\b([a-z][a-z0-9+.:-]{1,24}):\/\/([^\s:@/?#'"<>]{1,128}):([^\s@/?#'"<>]{1,256})@[^\s/?#'"<>]+/gi;

/** URLs with `user:password@`: the password span is the finding (SECRET/connection-string for databases). */
export function detectUrlCredentials(text: string, out: DlpFinding[]): void {
  // A match holds no blank (no part of it may), so it lies inside the blank-free run around its `://`: the
  // regex reads only those runs, not the whole text.
  for (let p = text.indexOf('://'); p !== -1; ) {
    let s = p;
    while (s > 0 && !isBlank(text, s - 1)) s--;
    let e = p + 3;
    while (e < text.length && !isBlank(text, e)) e++;
    urlCredentialsIn(text, s, e, out);
    p = text.indexOf('://', e);
  }
}

/** JavaScript's `\s` at text[i]. */
function isBlank(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(text[i]!));
}

function urlCredentialsIn(text: string, from: number, to: number, out: DlpFinding[]): void {
  for (const found of text.slice(from, to).matchAll(URL_USERINFO)) {
    const m = { ...found, index: found.index + from } as RegExpExecArray;
    const scheme = m[1]!;
    const password = m[3]!;
    if (/^(?:\*+|x+|<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|password|pass|changeme|secret|\$[A-Z_]+)$/i.test(password)) continue;
    const start = m.index + scheme.length + 3 + m[2]!.length + 1;
    const db = DB_SCHEMES.test(scheme);
    out.push({
      type: db ? 'SECRET' : 'URL_CREDENTIALS',
      subtype: db ? 'connection-string' : 'url-password',
      start,
      end: start + password.length,
      confidence: 0.9,
      detector: 'pii.url-credentials',
    });
  }
}

const PHONE_CANDIDATE = /[+(]?\d[\d ().-]{5,28}\d(?:[ ]?(?:x|ext\.?)[ ]?\d{1,5})?/g;
const PHONE = /(?:(?:\+|\b00)\d{1,3}[ .-]?)?(?:\(0\)[ ]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,12}(?:[ .-]\d{1,8}){0,5}(?:[ ]?(?:x|ext\.?)[ ]?\d{1,5})?(?![\w@]|[.-]\d)/g;
const REGIONS: CountryCode[] = ['US', 'GB', 'DE', 'FR', 'CH', 'SE', 'NL', 'BE', 'AU', 'IT', 'ES', 'AT', 'HU', 'BR', 'IN', 'CA'];
const DATE_LIKE = /^(?:\d{4}[-. ]\d{1,2}[-. ]\d{1,2}|\d{1,2}[-. ]\d{1,2}[-. ]\d{4}|\d{1,2}[.:]\d{2}(?:[.:]\d{2})?)$/;

const STREET_AFTER = /^\s+(?:[A-Z][\w'.-]*\s+){1,3}(?:St|Street|Ave|Avenue|Road|Rd|Ln|Lane|Dr|Drive|Blvd|Boulevard|Way|Ct|Court|Pl|Place|Close|Suite|Apt|Terrace|Circle|Crescent|Highway|Hwy)\b/;
const DOTTED_QUAD = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const verdicts = new Map<string, number>();

/** 2: valid for its country code or a common region; 1: only of a possible length; 0: neither. Memoised. */
function phoneVerdict(candidate: string): number {
  const cached = verdicts.get(candidate);
  if (cached !== undefined) return cached;
  let verdict = 0;
  const intl = candidate.startsWith('+') ? candidate : candidate.startsWith('00') ? '+' + candidate.slice(2) : undefined;
  if (intl) verdict = isValidPhoneNumber(intl) ? 2 : isPossiblePhoneNumber(intl) ? 1 : 0;
  else {
    for (const r of REGIONS) {
      if (isValidPhoneNumber(candidate, r)) {
        verdict = 2;
        break;
      }
      if (verdict === 0 && isPossiblePhoneNumber(candidate, r)) verdict = 1;
    }
  }
  if (verdicts.size > 10_000) verdicts.clear();
  verdicts.set(candidate, verdict);
  return verdict;
}

/**
 * PHONE: a phone-shaped candidate (7 to 15 digits, groups, optional `+`/`00` country code, `(0)`, area code in
 * parentheses, extension) that libphonenumber-js validates for its country code or one of the common regions;
 * a number that is only *possible* (right length) is accepted when phone context words are near.
 */
export function detectPhone(text: string, out: DlpFinding[]): void {
  for (const c of text.matchAll(PHONE_CANDIDATE)) {
    if (c.index > 0 && isWordOr(text.charCodeAt(c.index - 1), '+@./-')) continue;
    for (const inner of c[0].matchAll(PHONE)) checkPhone(text, c.index + inner.index, inner[0], out);
  }
}

function checkPhone(text: string, index: number, raw: string, out: DlpFinding[]): void {
  if (index > 0 && isWordOr(text.charCodeAt(index - 1), '+@./-')) return;
  const after = text.charCodeAt(index + raw.length);
  if (isWordOr(after, '@')) return;
  const core = raw.replace(/[ ]?(?:x|ext\.?)[ ]?\d{1,5}$/, '');
  const digits = core.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return;
  if (DATE_LIKE.test(core) || /\d{4}-\d{1,2}-\d{1,2}/.test(core) || text[index + raw.length] === ':') return;
  // A dotted quad is an IPv4 address (the IP detector reports it and outranks PHONE): no phone lookup needed.
  if (DOTTED_QUAD.test(core) && core.split('.').every((o) => Number(o) <= 255)) return;
  const grouped = /[ .()-]/.test(core) || core.startsWith('+');
  const intl = core.startsWith('+') || core.startsWith('00') || core.startsWith('(');
  if (!intl && hasContext(text, index, index + raw.length, NOT_PHONE_CONTEXT, 40, 0)) return;
  const context = hasContext(text, index, index + raw.length, PHONE_CONTEXT);
  if (!context && !intl && STREET_AFTER.test(text.slice(index + raw.length, index + raw.length + 60))) return;
  // Without context, short space-grouped numbers are more often street numbers, postcodes or amounts.
  if (!context && !intl && digits.length < 9) return;
  if (!grouped && !context && digits.length !== 10 && digits.length !== 11) return;
  const verdict = phoneVerdict(core.replace(/\(0\)/, ''));
  let confidence = 0;
  if (verdict === 2) confidence = context ? 0.95 : grouped ? 0.8 : 0.6;
  else if (context && verdict === 1) confidence = 0.7;
  else if (context && grouped) confidence = 0.6;
  if (confidence === 0) return;
  out.push({ type: 'PHONE', start: index, end: index + raw.length, confidence, detector: 'pii.phone' });
}
