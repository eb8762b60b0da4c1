/**
 * scanText: runs every DLP detector over one text and returns non-overlapping findings, sorted by offset.
 * Where two findings overlap, the stronger type wins (a secret over the card number inside it, a card over a
 * phone-shaped digit run), then the higher confidence, then the longer span.
 *
 * @example
 * scanText('mail jane@example.com, card 4111 1111 1111 1111')
 * // [{ type: 'EMAIL', start: 5, end: 21, ... }, { type: 'CREDIT_CARD', start: 28, end: 47, ... }]
 */
import { detectGitleaks } from './gitleaks-runner.js';
import { findKeywordHits } from './keyword-hits.js';
import { detectEmail, detectIp, detectMac, detectPhone, detectUrlCredentials } from './pii-contact.js';
import { detectCreditCard, detectCryptoWallet, detectIban, detectNationalId, detectSsn } from './pii-financial.js';
import { detectAddress, detectPerson } from './pii-names.js';
import { detectConnectionStrings, detectKeyedSecrets, detectPrivateKeys, detectStructuredTokens } from './secrets.js';
import type { Detector, DlpFinding, DlpType } from './types.js';

export interface ScanOptions {
  /** Only report these types (all by default). */
  types?: ReadonlySet<DlpType>;
  /** Run the best-effort PERSON and ADDRESS detectors (default true). */
  bestEffort?: boolean;
  /** Drop findings below this confidence (default 0). */
  minConfidence?: number;
}

const PRIORITY: Record<DlpType, number> = {
  SECRET: 100,
  URL_CREDENTIALS: 95,
  CREDIT_CARD: 90,
  IBAN: 88,
  CRYPTO_WALLET: 85,
  EMAIL: 80,
  SSN: 75,
  NATIONAL_ID: 70,
  IP: 65,
  MAC_ADDRESS: 64,
  PHONE: 60,
  ADDRESS: 20,
  PERSON: 10,
};

const DETECTORS: { types: DlpType[]; run: Detector }[] = [
  { types: ['SECRET'], run: detectPrivateKeys },
  { types: ['SECRET'], run: detectGitleaks },
  { types: ['SECRET'], run: detectConnectionStrings },
  { types: ['SECRET'], run: detectStructuredTokens },
  { types: ['SECRET'], run: detectKeyedSecrets },
  { types: ['URL_CREDENTIALS', 'SECRET'], run: detectUrlCredentials },
  { types: ['EMAIL'], run: detectEmail },
  { types: ['CREDIT_CARD'], run: detectCreditCard },
  { types: ['IBAN'], run: detectIban },
  { types: ['SSN'], run: detectSsn },
  { types: ['CRYPTO_WALLET'], run: detectCryptoWallet },
  { types: ['NATIONAL_ID'], run: detectNationalId },
  { types: ['IP'], run: detectIp },
  { types: ['MAC_ADDRESS'], run: detectMac },
  { types: ['PHONE'], run: detectPhone },
];
const BEST_EFFORT: { types: DlpType[]; run: Detector }[] = [
  { types: ['ADDRESS'], run: detectAddress },
  { types: ['PERSON'], run: detectPerson },
];

/** Keeps the strongest of overlapping findings. */
export function resolveOverlaps(findings: DlpFinding[]): DlpFinding[] {
  const ranked = [...findings].sort(
    (a, b) => PRIORITY[b.type] - PRIORITY[a.type] || b.confidence - a.confidence || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  const kept: DlpFinding[] = [];
  for (const f of ranked) {
    if (f.end <= f.start) continue;
    if (kept.some((k) => f.start < k.end && k.start < f.end)) continue;
    kept.push(f);
  }
  return kept.sort((a, b) => a.start - b.start);
}

export function scanText(text: string, options: ScanOptions = {}): DlpFinding[] {
  const found: DlpFinding[] = [];
  const wanted = options.types;
  const detectors = options.bestEffort === false ? DETECTORS : [...DETECTORS, ...BEST_EFFORT];
  const hits = findKeywordHits(text);
  for (const d of detectors) {
    if (wanted && !d.types.some((t) => wanted.has(t))) continue;
    d.run(text, found, hits);
  }
  const min = options.minConfidence ?? 0;
  const filtered = found.filter((f) => f.confidence >= min && (!wanted || wanted.has(f.type)));
  return resolveOverlaps(filtered);
}
