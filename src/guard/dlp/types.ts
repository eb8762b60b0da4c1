import type { Candidates } from './candidates.js';

/** The DLP vocabulary: what can be found, and what a finding says (never the raw value). */

/** Personal data types; PERSON and ADDRESS are best-effort and never block by default. */
export const PII_TYPES = [
  'EMAIL',
  'PHONE',
  'CREDIT_CARD',
  'IBAN',
  'SSN',
  'IP',
  'MAC_ADDRESS',
  'CRYPTO_WALLET',
  'NATIONAL_ID',
  'URL_CREDENTIALS',
  'PERSON',
  'ADDRESS',
] as const;
export type PiiType = (typeof PII_TYPES)[number];

/** Every finding type: PII plus SECRET (API keys, private keys, tokens, passwords; `subtype` says which). */
export const DLP_TYPES = [...PII_TYPES, 'SECRET'] as const;
export type DlpType = (typeof DLP_TYPES)[number];

/** Types reported separately and never acted on unless configured (low precision by nature). */
export const BEST_EFFORT_TYPES: readonly DlpType[] = ['PERSON', 'ADDRESS'];

export interface DlpFinding {
  type: DlpType;
  /** Finer kind: the gitleaks rule id for secrets (`github-pat`), `private-key`, `jwt`, `visa`, `DE` (IBAN country)... */
  subtype?: string;
  /** JS string offsets into the scanned text, end exclusive. */
  start: number;
  end: number;
  /** 0..1: how sure the detector is (checksums and context raise it). */
  confidence: number;
  /** Which detector produced it (`pii.email`, `secret.gitleaks`, ...). */
  detector: string;
}

/** A detector scans text and appends findings; it never throws on odd input. `candidates`: the shared fused pass. */
export type Detector = (text: string, out: DlpFinding[], candidates: Candidates) => void;
