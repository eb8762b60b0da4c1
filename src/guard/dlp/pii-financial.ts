/**
 * Financial and government identifiers, each confirmed by its check rule: CREDIT_CARD (Luhn + issuer prefix),
 * IBAN (country length + mod-97), US SSN (area/group/serial rules), CRYPTO_WALLET (Base58Check, Bech32,
 * Ethereum shape) and NATIONAL_ID (national numbers with a check digit; digit-only shapes need context).
 *
 * @example
 * const out: DlpFinding[] = [];
 * detectCreditCard('card 4111 1111 1111 1111', out); // [{ type: 'CREDIT_CARD', subtype: 'visa', start: 5, end: 24, ... }]
 */
import { base58CheckValid, bech32Valid, ibanLength, ibanValid, luhnValid, NATIONAL_ID_CHECKS, ssnValid } from './checksums.js';
import { CARD_CONTEXT, hasContext, NATIONAL_ID_CONTEXT, SSN_CONTEXT } from './context.js';
import type { DlpFinding } from './types.js';

const CARD = /(?<![\w+-])(?:\d{4}([ -])\d{4}\1\d{4}\1\d{1,7}|\d{4}([ -])\d{6}\2\d{4,5}|\d{12,19})(?![\d]|-\d)/g;

function cardBrand(d: string): string | undefined {
  if (/^4/.test(d)) return 'visa';
  if (/^(?:5[1-5]|2(?:2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720))/.test(d)) return 'mastercard';
  if (/^3[47]/.test(d)) return d.length === 15 ? 'amex' : undefined;
  if (/^(?:6011|65|64[4-9]|622)/.test(d)) return 'discover';
  if (/^(?:35|1800|2131)/.test(d)) return 'jcb';
  if (/^(?:30[0-5]|309|36|38|39)/.test(d)) return 'diners';
  if (/^62/.test(d)) return 'unionpay';
  if (/^(?:50|5[6-9]|6\d)/.test(d)) return 'maestro';
  if (/^1/.test(d) && d.length === 15) return 'uatp';
  return undefined;
}

export function detectCreditCard(text: string, out: DlpFinding[]): void {
  for (const m of text.matchAll(CARD)) {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length < 12 || digits.length > 19 || !luhnValid(digits)) continue;
    if (/^(\d)\1+$/.test(digits)) continue;
    const context = hasContext(text, m.index, m.index + m[0].length, CARD_CONTEXT);
    const brand = cardBrand(digits) ?? (context ? 'unknown' : undefined);
    if (!brand) continue;
    out.push({ type: 'CREDIT_CARD', subtype: brand, start: m.index, end: m.index + m[0].length, confidence: context ? 0.98 : 0.85, detector: 'pii.credit-card' });
  }
}

const IBAN = /\b[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){11,30}/g;

export function detectIban(text: string, out: DlpFinding[]): void {
  for (const m of text.matchAll(IBAN)) {
    const raw = m[0];
    const length = ibanLength(raw.slice(0, 2));
    if (length === undefined) continue;
    // The registered length decides where the IBAN ends (the match may run into the next word).
    let seen = 0;
    let end = 0;
    while (end < raw.length && seen < length) {
      if (raw[end] !== ' ' && raw[end] !== '-') seen++;
      end++;
    }
    if (seen < length) continue;
    const next = text.charCodeAt(m.index + end);
    if ((next >= 48 && next <= 57) || (next >= 65 && next <= 90) || (next >= 97 && next <= 122)) continue;
    const candidate = raw.slice(0, end);
    if (candidate !== candidate.toUpperCase() && candidate !== candidate.toLowerCase()) continue;
    if (!ibanValid(candidate)) continue;
    out.push({ type: 'IBAN', subtype: candidate.slice(0, 2).toUpperCase(), start: m.index, end: m.index + end, confidence: 0.97, detector: 'pii.iban' });
  }
}

const SSN = /(?<![\d-])\d{3}([- .]?)\d{2}([- .]?)\d{4}(?![\d]|-\d)/g;

export function detectSsn(text: string, out: DlpFinding[]): void {
  for (const m of text.matchAll(SSN)) {
    const digits = m[0].replace(/\D/g, '');
    if (!ssnValid(digits)) continue;
    const context = hasContext(text, m.index, m.index + m[0].length, SSN_CONTEXT, 64);
    const separated = m[1] !== '' && m[1] === m[2];
    const dashOnly = (m[1] === '-' && m[2] === '') || (m[1] === '' && m[2] === '-');
    if (!context && !separated && !dashOnly) continue;
    out.push({ type: 'SSN', start: m.index, end: m.index + m[0].length, confidence: context ? 0.95 : separated ? 0.65 : 0.5, detector: 'pii.ssn' });
  }
}

const WALLET = /\b(?:([13][1-9A-HJ-NP-Za-km-z]{25,34})|((?:bc|tb|BC|TB)1[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87})|(0x[0-9a-fA-F]{40}))\b/g;

export function detectCryptoWallet(text: string, out: DlpFinding[]): void {
  for (const m of text.matchAll(WALLET)) {
    const end = m.index + m[0].length;
    if (m[1] !== undefined ? base58CheckValid(m[1]) : m[2] !== undefined ? bech32Valid(m[2]) : false) {
      out.push({ type: 'CRYPTO_WALLET', subtype: 'btc', start: m.index, end, confidence: 0.95, detector: 'pii.crypto' });
    } else if (m[3] !== undefined) out.push({ type: 'CRYPTO_WALLET', subtype: 'eth', start: m.index, end, confidence: 0.6, detector: 'pii.crypto' });
  }
}

/** Shapes with letters or a century sign are distinctive; bare digit runs need context. */
const ID_DISTINCT = /\b(?:\d{6}[-+A]\d{3}[0-9A-Y]|\d{8}-?[A-Z]|[XYZ]-?\d{7}-?[A-Z]|\d{6}-[1-8]\d{6}|\d{6}-\d{4})(?![\w-])/g;
const ID_DIGITS = /\b\d(?:[ -]?\d){8,12}(?![\w-])/g;

function idKind(compact: string): string | undefined {
  for (const [kind, check] of Object.entries(NATIONAL_ID_CHECKS)) if (check(compact)) return kind;
  return undefined;
}

export function detectNationalId(text: string, out: DlpFinding[]): void {
  for (const m of text.matchAll(ID_DISTINCT)) {
    const raw = m[0];
    if (m.index > 0 && text[m.index - 1] === '-') continue;
    const compact = /^\d{6}[-+A]\d{3}[0-9A-Y]$/.test(raw) ? raw : raw.replace(/-/g, '');
    const kind = idKind(compact);
    if (kind) out.push({ type: 'NATIONAL_ID', subtype: kind, start: m.index, end: m.index + raw.length, confidence: 0.85, detector: 'pii.national-id' });
  }
  for (const m of text.matchAll(ID_DIGITS)) {
    if (m.index > 0 && text[m.index - 1] === '-') continue;
    if (!hasContext(text, m.index, m.index + m[0].length, NATIONAL_ID_CONTEXT, 48, 16)) continue;
    const compact = m[0].replace(/[ -]/g, '');
    const kind = idKind(compact);
    if (!kind) continue;
    out.push({ type: 'NATIONAL_ID', subtype: kind, start: m.index, end: m.index + m[0].length, confidence: 0.75, detector: 'pii.national-id' });
  }
}
