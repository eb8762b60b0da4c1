/** Shape of one converted gitleaks rule (see scripts/build-gitleaks-rules.ts). */
export interface PatternSpec {
  source: string;
  flags: string;
}

export interface GitleaksRuleSpec {
  id: string;
  description: string;
  source: string;
  flags: string;
  /** Lower-case literals; the rule runs only near one of them (gitleaks' own pre-filter). */
  keywords: string[];
  /** Minimum Shannon entropy (bits per character) of the secret; 0 = none. */
  entropy: number;
  /** `first`: the first non-empty capture group is the secret; `whole`: the whole match; a number: that group. */
  secretGroup: 'first' | 'whole' | number;
  /** The pattern's leading `[\w.-]{0,50}?` was stripped: the match extends left over [\w.-] by up to this many characters. */
  identPrefix: number;
  /** Allow-list regexes by what they are tested against. */
  allow: { secret: PatternSpec[]; match: PatternSpec[]; line: PatternSpec[] };
  /** Lower-case words; a secret containing one is not reported. */
  stopwords: string[];
}
