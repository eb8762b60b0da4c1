/**
 * Data-loss prevention: detectors for personal data and secrets, and the transforms that act on findings.
 *
 * @example
 * import { scanText, applyActions, TokenVault } from './dlp/index.js';
 * const findings = scanText('mail jane@example.com');
 */
export { scanText, resolveOverlaps, type ScanOptions } from './scan.js';
export { PII_TYPES, DLP_TYPES, BEST_EFFORT_TYPES, type DlpType, type PiiType, type DlpFinding } from './types.js';
export { applyActions, createRedactionState, maskValue, DLP_ACTIONS, type DlpAction, type AppliedAction, type ActionResult, type RedactionState } from './transform.js';
export { TokenVault, type TokenVaultOptions } from './vault.js';
export { luhnValid, ibanValid, ssnValid, shannonEntropy } from './checksums.js';
export { GITLEAKS_RULE_COUNT } from './gitleaks-runner.js';
export { GITLEAKS_DROPPED } from './gitleaks/rules.generated.js';
export { createSecretDetector, DEFAULT_SECRET_TUNING, type SecretDetectorOptions, type SecretTuning } from './secret-detector.js';
export { familyOf, GENERIC_FAMILIES, KNOWN_PREFIXES } from './secret-families.js';
export { crc32Base62Valid } from './token-shape.js';
export type { Detector } from './types.js';
export { findKeywordHits, type KeywordHits } from './keyword-hits.js';
export { findCandidates, type Candidates } from './candidates.js';
