/**
 * The secret detector: every SECRET source composed into one detector over the shared keyword pass. Built once
 * with everything on for scanText; the leave-one-family-out evaluation builds one per fold with a family's
 * dedicated knowledge (gitleaks rules, token prefixes, structured formats) left out and the generic floors
 * tuned on the other families.
 *
 * @example
 * const detect = createSecretDetector({ excludeFamilies: new Set(['github']) });
 * const out: DlpFinding[] = [];
 * detect('GITHUB_TOKEN=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', out, findKeywordHits(text)); // found generically
 */
import { createBareTokenDetector, DEFAULT_BARE_TOKEN_TUNING, type BareTokenTuning } from './bare-tokens.js';
import { findCandidates } from './candidates.js';
import { KW_SECRET, SECRET_WORDS } from './keyword-hits.js';
import { createGitleaksDetector, GITLEAKS_RULE_IDS, gitleaksGloballyAllowed } from './gitleaks-runner.js';
import { DEFAULT_KEYED_TUNING, detectKeyedValues, type KeyedTuning } from './keyed-secrets.js';
import { familyOf, GENERIC_FAMILIES } from './secret-families.js';
import { detectConnectionStrings, detectPrivateKeys, detectStructuredTokens } from './secrets.js';

/** The shape of a Discord bot token's first segment (its detector judges the rest). */
const DISCORD_SHAPE = /^[A-Z][\w-]{23,27}\./;
import { hasAscendingRun } from './token-shape.js';
import type { Detector } from './types.js';

function typedSequence(value: string): boolean {
  return hasAscendingRun(value.replace(/[^A-Za-z]/g, ''), 8);
}

/** The keyword-pass words that start `password` and `pwd` (where a connection string's password key begins). */
const PASSWORD_WORDS = new Set([SECRET_WORDS.indexOf('pass'), SECRET_WORDS.indexOf('pwd')]);

/** Positions of the hits of `words` in a [word, position, ...] hit list (ascending, as the pass found them). */
function wordPositions(hits: readonly number[], words: ReadonlySet<number>): number[] {
  const at: number[] = [];
  for (let h = 0; h < hits.length; h += 2) if (words.has(hits[h]!)) at.push(hits[h + 1]!);
  return at;
}

export type SecretTuning = KeyedTuning & BareTokenTuning;

export const DEFAULT_SECRET_TUNING: SecretTuning = { ...DEFAULT_KEYED_TUNING, ...DEFAULT_BARE_TOKEN_TUNING };

export interface SecretDetectorOptions {
  /** Families whose dedicated rules, prefixes and formats are left out (generic mechanisms always stay). */
  excludeFamilies?: ReadonlySet<string>;
  /** Entropy floors of the generic detectors. */
  tuning?: SecretTuning;
}

export function createSecretDetector(options: SecretDetectorOptions = {}): Detector {
  const excluded = options.excludeFamilies ?? new Set<string>();
  const tuning = options.tuning ?? DEFAULT_SECRET_TUNING;
  const on = (family: string): boolean => GENERIC_FAMILIES.has(family) || !excluded.has(family);
  // gitleaks' generic-api-key is replaced by the keyed detector (REPLACED_GITLEAKS_RULES): it reads more shapes
  // and knows metadata keys (`password_hint`), with the same recall on the evaluation data.
  const gitleaks = createGitleaksDetector((id) => on(familyOf(id)));
  const withRules = new Set(GITLEAKS_RULE_IDS.map(familyOf).filter(on));
  const privateKeys = on('private-key');
  const azure = on('azure');
  const formats = { discord: on('discord'), jwt: on('jwt') };
  const owned = [...(formats.jwt ? [/^eyJ/] : []), ...(formats.discord ? [DISCORD_SHAPE] : [])];
  const bare = createBareTokenDetector({ excludeFamilies: excluded, deferTo: withRules, allowed: gitleaksGloballyAllowed, owned, tuning });
  return (text, out, candidates = findCandidates(text)) => {
    const from = out.length;
    if (privateKeys) detectPrivateKeys(text, out);
    gitleaks(text, out, candidates);
    const passwordAt = wordPositions(candidates.hits[KW_SECRET], PASSWORD_WORDS);
    if (passwordAt.length > 0 || text.includes('AccountKey=')) detectConnectionStrings(text, out, azure, passwordAt);
    detectStructuredTokens(text, out, formats, candidates.runs);
    detectKeyedValues(text, out, candidates.hits, tuning);
    bare(text, out, candidates.runs);
    // A value with a typed alphabet run (`klmnopqr`) is a stand-in, not a generated secret. Only the generic
    // detectors are held to this; a dedicated rule's own allow-list decides for its format.
    for (let i = out.length - 1; i >= from; i--) {
      const f = out[i]!;
      if (GENERIC_FAMILIES.has(familyOf(f.subtype ?? '')) && typedSequence(text.slice(f.start, f.end))) out.splice(i, 1);
    }
  };
}

/** Everything on, shipped floors: what scanText runs. */
export const detectSecrets: Detector = createSecretDetector();
