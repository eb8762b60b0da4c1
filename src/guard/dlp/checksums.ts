/**
 * Check digits and validity rules that turn a pattern match into a finding: Luhn (cards), ISO 13616 mod-97
 * (IBAN), US SSN area/group/serial rules, Base58Check and Bech32 (wallets), Shannon entropy (secrets).
 *
 * @example
 * luhnValid('4111111111111111') // true
 * ibanValid('GB82WEST12345698765432') // true
 */
import { createHash } from 'node:crypto';

/** Luhn mod-10 over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** IBAN lengths by country (ISO 13616 registry, SWIFT release 2024). */
const IBAN_LENGTHS: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22,
  CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22,
  GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30,
  KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27,
  MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33,
  SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29,
  VA: 22, VG: 24, XK: 20, YE: 30,
};

/** Registered IBAN length for a country code, if any. */
export function ibanLength(country: string): number | undefined {
  return IBAN_LENGTHS[country.toUpperCase()];
}

/** ISO 13616: known country, its length, and mod-97 == 1. Input may contain spaces; case-insensitive. */
export function ibanValid(raw: string): boolean {
  const iban = raw.replace(/[\s-]/g, '').toUpperCase();
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (expected === undefined || iban.length !== expected || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const code = rearranged.charCodeAt(i);
    const value = code >= 65 ? code - 55 : code - 48;
    rem = value >= 10 ? (rem * 100 + value) % 97 : (rem * 10 + value) % 97;
  }
  return rem === 1;
}

/** US SSN: area not 000, 666 or 900-999; group not 00; serial not 0000; not a well-known advertising number. */
export function ssnValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const area = Number(digits.slice(0, 3));
  const group = Number(digits.slice(3, 5));
  const serial = Number(digits.slice(5));
  if (area === 0 || area === 666 || area >= 900 || group === 0 || serial === 0) return false;
  if (digits === '078051120' || digits === '219099999' || digits === '123456789') return false;
  return !/^(\d)\1{8}$/.test(digits);
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Bitcoin-style Base58Check: decodes, and the last 4 bytes are the double-SHA256 of the rest. */
export function base58CheckValid(s: string): boolean {
  let n = 0n;
  for (const ch of s) {
    const v = B58.indexOf(ch);
    if (v < 0) return false;
    n = n * 58n + BigInt(v);
  }
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let leading = 0;
  while (leading < s.length && s[leading] === '1') leading++;
  const bytes = Buffer.concat([Buffer.alloc(leading), Buffer.from(hex === '0' ? '' : hex, 'hex')]);
  if (bytes.length < 5) return false;
  const payload = bytes.subarray(0, bytes.length - 4);
  const check = createHash('sha256').update(createHash('sha256').update(payload).digest()).digest();
  return check.subarray(0, 4).equals(bytes.subarray(bytes.length - 4));
}

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

/** BIP-173/350 Bech32 or Bech32m checksum (segwit addresses `bc1...`). */
export function bech32Valid(s: string): boolean {
  const lower = s.toLowerCase();
  if (lower !== s && s.toUpperCase() !== s) return false;
  const pos = lower.lastIndexOf('1');
  if (pos < 1 || pos + 7 > lower.length) return false;
  const hrp = lower.slice(0, pos);
  const data: number[] = [];
  for (const ch of lower.slice(pos + 1)) {
    const v = BECH32.indexOf(ch);
    if (v < 0) return false;
    data.push(v);
  }
  const values = [...[...hrp].map((c) => c.charCodeAt(0) >> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31), ...data];
  const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i]!;
  }
  return chk === 1 || chk === 0x2bc830a3;
}

function digitsOf(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0) - 48);
}

/** National identifiers that carry a check digit. Each takes the compact form (separators removed). */
export const NATIONAL_ID_CHECKS: Record<string, (id: string) => boolean> = {
  /** Canada Social Insurance Number: 9 digits, Luhn. */
  CA_SIN: (id) => /^\d{9}$/.test(id) && luhnValid(id),
  /** Spain DNI/NIF: 8 digits + letter (mod 23). */
  ES_NIF: (id) => /^\d{8}[A-Z]$/.test(id) && 'TRWAGMYFPDXBNJZSQVHLCKE'[Number(id.slice(0, 8)) % 23] === id[8],
  /** Spain NIE: X/Y/Z + 7 digits + letter. */
  ES_NIE: (id) => /^[XYZ]\d{7}[A-Z]$/.test(id) && 'TRWAGMYFPDXBNJZSQVHLCKE'[Number('XYZ'.indexOf(id[0]!) + id.slice(1, 8)) % 23] === id[8],
  /** Finland HETU: DDMMYY, century sign, 3 digits, check character (mod 31). */
  FI_HETU: (id) => /^\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]$/.test(id) && '0123456789ABCDEFHJKLMNPRSTUVWXY'[Number(id.slice(0, 6) + id.slice(7, 10)) % 31] === id[10],
  /** Sweden personnummer: (YY)YYMMDD + 4 digits, Luhn over the last 10. */
  SE_PERSONNUMMER: (id) => /^(?:\d{2})?\d{6}\d{4}$/.test(id) && luhnValid(id.slice(-10)) && Number(id.slice(-8, -6)) <= 12,
  /** Poland PESEL: 11 digits, weights 1,3,7,9. */
  PL_PESEL: (id) => {
    if (!/^\d{11}$/.test(id)) return false;
    const d = digitsOf(id);
    const w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    const sum = w.reduce((a, x, i) => a + x * d[i]!, 0);
    return (10 - (sum % 10)) % 10 === d[10];
  },
  /** UK NHS number: 10 digits, mod 11. */
  UK_NHS: (id) => {
    if (!/^\d{10}$/.test(id)) return false;
    const d = digitsOf(id);
    const sum = d.slice(0, 9).reduce((a, x, i) => a + x * (10 - i), 0);
    const check = 11 - (sum % 11);
    return check !== 10 && (check === 11 ? 0 : check) === d[9];
  },
  /** Turkey T.C. Kimlik No: 11 digits, two check digits. */
  TR_TCKN: (id) => {
    if (!/^[1-9]\d{10}$/.test(id)) return false;
    const d = digitsOf(id);
    const odd = d[0]! + d[2]! + d[4]! + d[6]! + d[8]!;
    const even = d[1]! + d[3]! + d[5]! + d[7]!;
    return (((odd * 7 - even) % 10) + 10) % 10 === d[9] && d.slice(0, 10).reduce((a, x) => a + x, 0) % 10 === d[10];
  },
  /** South Africa ID: 13 digits, YYMMDD, Luhn. */
  ZA_ID: (id) => /^\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{7}$/.test(id) && luhnValid(id),
  /** US National Provider Identifier: 10 digits, Luhn with the 80840 prefix. */
  US_NPI: (id) => /^[12]\d{9}$/.test(id) && luhnValid('80840' + id),
  /** Australia Tax File Number: 9 digits, weighted mod 11. */
  AU_TFN: (id) => {
    if (!/^\d{9}$/.test(id)) return false;
    const w = [1, 4, 3, 7, 5, 8, 6, 9, 10];
    return digitsOf(id).reduce((a, x, i) => a + x * w[i]!, 0) % 11 === 0;
  },
  /** Australia Business Number: 11 digits, mod 89. */
  AU_ABN: (id) => {
    if (!/^\d{11}$/.test(id)) return false;
    const d = digitsOf(id);
    d[0]! -= 1;
    const w = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
    return d.reduce((a, x, i) => a + x * w[i]!, 0) % 89 === 0;
  },
  /** Korea resident registration number: 13 digits, weighted mod 11. */
  KR_RRN: (id) => {
    if (!/^\d{6}[1-8]\d{6}$/.test(id)) return false;
    const d = digitsOf(id);
    const w = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
    return (11 - (d.slice(0, 12).reduce((a, x, i) => a + x * w[i]!, 0) % 11)) % 10 === d[12];
  },
  /** Thailand national ID: 13 digits, weighted mod 11. */
  TH_TNIN: (id) => {
    if (!/^[1-8]\d{12}$/.test(id)) return false;
    const d = digitsOf(id);
    return (11 - (d.slice(0, 12).reduce((a, x, i) => a + x * (13 - i), 0) % 11)) % 10 === d[12];
  },
  /** Germany tax id (Steuer-IdNr): 11 digits, ISO 7064 MOD 11,10. */
  DE_TAX_ID: (id) => {
    if (!/^[1-9]\d{10}$/.test(id)) return false;
    const d = digitsOf(id);
    let product = 10;
    for (let i = 0; i < 10; i++) {
      let sum = (d[i]! + product) % 10;
      if (sum === 0) sum = 10;
      product = (sum * 2) % 11;
    }
    return (11 - product) % 10 === d[10];
  },
};
