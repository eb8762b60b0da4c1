/**
 * Runs the converted gitleaks rules the way gitleaks does: a keyword pre-filter (here one Aho-Corasick pass),
 * then the rule's regex near each keyword, the secret taken from the first non-empty group, an entropy floor,
 * and the rule's and the global allow-lists and stop-words.
 *
 * @example
 * const out: DlpFinding[] = [];
 * const text = 'export GITHUB_TOKEN=ghp_' + 'x'.repeat(36);
 * createGitleaksDetector()(text, out, findCandidates(text));
 */
import { shannonEntropy } from './checksums.js';
import { GITLEAKS_GLOBAL_ALLOW, GITLEAKS_GLOBAL_STOPWORDS, GITLEAKS_RULES } from './gitleaks/rules.generated.js';
import type { GitleaksRuleSpec } from './gitleaks/rule-spec.js';
import { findCandidates } from './candidates.js';
import { KW_GITLEAKS, KW_SECRET, REPLACED_GITLEAKS_RULES } from './keyword-hits.js';
import { implausibleSecret, jwtHeaderValid } from './secrets.js';
import type { Detector, DlpFinding } from './types.js';

interface CompiledRule {
  spec: GitleaksRuleSpec;
  regex: RegExp;
  allowSecret: RegExp[];
  allowMatch: RegExp[];
  allowLine: RegExp[];
  generic: boolean;
  /** Characters after a keyword that can still belong to a match. */
  after: number;
}

/** Rules whose matches are weak on their own (keyword + any token): lower confidence. */
const GENERIC = new Set(['generic-api-key', 'database-password', 'curl-auth-user', 'curl-auth-header']);
/** How far before / after a keyword the rule's regex is run. */
const BEFORE = 200;
const AFTER = 1200;
/** Most rules match a short key, an operator and a value: a narrower window after the keyword suffices. */
const AFTER_SHORT = 320;

const compile = (p: { source: string; flags: string }): RegExp => new RegExp(p.source, p.flags);

const RULES: CompiledRule[] = GITLEAKS_RULES.map((spec) => ({
  spec,
  regex: new RegExp(spec.source, spec.flags + 'g'),
  allowSecret: spec.allow.secret.map(compile),
  allowMatch: spec.allow.match.map(compile),
  allowLine: spec.allow.line.map(compile),
  generic: GENERIC.has(spec.id),
  // Long matches: multi-line blocks, bodies of 200+ characters, or unbounded repetition.
  after: /\[\\s\\S\]|\{\d{3,},?\d*\}|-----|\]\*|\]\+|\)\*|\)\+/.test(spec.source) ? AFTER : AFTER_SHORT,
}));
const GLOBAL_ALLOW = GITLEAKS_GLOBAL_ALLOW.map(compile);
/** Rules without keywords run on the whole text. */
const ALWAYS = RULES.map((_, i) => i).filter((i) => RULES[i]!.spec.keywords.length === 0);

/** [\w.-] */
function isIdent(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function windowAround(text: string, at: number, after: number): [number, number] {
  let s = Math.max(0, at - BEFORE);
  // The line start, looked for only within BEFORE (a search to the start of a long line would make the scan
  // quadratic in the line's length).
  let nl = at;
  while (nl >= s && text.charCodeAt(nl) !== 10) nl--;
  if (nl + 1 > s) s = nl + 1;
  else while (s > 0 && s > at - BEFORE - 64 && !isSpace(text.charCodeAt(s - 1))) s--;
  let e = Math.min(text.length, at + after);
  while (e < text.length && e < at + after + 256 && !isSpace(text.charCodeAt(e))) e++;
  return [s, e];
}

/** How far the line of a match is read either side for line allow-lists (bounded, so long lines stay linear). */
const LINE_REACH = 1024;

function lineOf(text: string, start: number, end: number): string {
  let s = start;
  while (s > 0 && start - s < LINE_REACH && text.charCodeAt(s - 1) !== 10) s--;
  let e = end;
  while (e < text.length && e - end < LINE_REACH && text.charCodeAt(e) !== 10) e++;
  return text.slice(s, e);
}

function secretOf(rule: CompiledRule, m: RegExpExecArray): { value: string; offset: number } | undefined {
  const g = rule.spec.secretGroup;
  if (g === 'whole' || m.length === 1) return { value: m[0], offset: 0 };
  if (typeof g === 'number') {
    const v = m[g];
    return v === undefined ? undefined : { value: v, offset: m[0].indexOf(v) };
  }
  // gitleaks takes the first non-empty group; we take the longest, which is the same for every rule but one
  // (sonar-api-token, whose first group is the keyword `login|token`).
  let best: string | undefined;
  for (let i = 1; i < m.length; i++) {
    const v = m[i];
    if (v && (best === undefined || v.length > best.length)) best = v;
  }
  return best === undefined ? { value: m[0], offset: 0 } : { value: best, offset: m[0].lastIndexOf(best) };
}

function allowed(rule: CompiledRule, secret: string, match: string, line: () => string): boolean {
  const lower = secret.toLowerCase();
  for (const re of GLOBAL_ALLOW) if (re.test(secret)) return true;
  for (const w of GITLEAKS_GLOBAL_STOPWORDS) if (lower.includes(w)) return true;
  for (const re of rule.allowSecret) if (re.test(secret)) return true;
  for (const re of rule.allowMatch) if (re.test(match)) return true;
  if (rule.allowLine.length > 0) {
    const whole = line();
    for (const re of rule.allowLine) if (re.test(whole)) return true;
  }
  for (const w of rule.spec.stopwords) if (lower.includes(w)) return true;
  return false;
}

function runRule(text: string, ruleIndex: number, from: number, to: number, out: DlpFinding[]): void {
  const rule = RULES[ruleIndex]!;
  const slice = from === 0 && to === text.length ? text : text.slice(from, to);
  const re = rule.regex;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(slice)) !== null) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    const secret = secretOf(rule, m);
    if (!secret || secret.value.length === 0) continue;
    if (rule.spec.entropy > 0 && shannonEntropy(secret.value) < rule.spec.entropy) continue;
    const start = from + m.index + Math.max(0, secret.offset);
    const end = start + secret.value.length;
    let matchStart = from + m.index;
    if (rule.spec.identPrefix > 0) {
      const limit = Math.max(0, matchStart - rule.spec.identPrefix);
      while (matchStart > limit && isIdent(text.charCodeAt(matchStart - 1))) matchStart--;
    }
    const matchText = text.slice(matchStart, from + m.index + m[0].length);
    if (allowed(rule, secret.value, matchText, () => lineOf(text, start, end))) continue;
    // Beyond gitleaks: generic rules skip implausible values; JWT headers must decode.
    if (rule.generic && implausibleSecret(secret.value)) continue;
    if (rule.spec.id === 'jwt' && !jwtHeaderValid(secret.value)) continue;
    out.push({
      type: 'SECRET',
      subtype: rule.spec.id,
      start,
      end,
      confidence: rule.generic ? 0.7 : 0.95,
      detector: 'secret.gitleaks',
    });
  }
}

/**
 * A gitleaks detector over the rules `include` accepts (all by default; the leave-one-family-out evaluation
 * leaves out one family's rules); the rules in REPLACED_GITLEAKS_RULES never run. SECRET findings, subtype = the gitleaks rule id.
 */
export function createGitleaksDetector(include: (ruleId: string) => boolean = () => true): Detector {
  const enabled = Uint8Array.from(RULES, (r) => (include(r.spec.id) && !REPLACED_GITLEAKS_RULES.has(r.spec.id) ? 1 : 0));
  const always = ALWAYS.filter((i) => enabled[i] === 1);
  return (text, out, candidates = findCandidates(text)) => {
    const hits = candidates.hits;
    // Per rule, the windows still to scan (merged as keyword hits arrive in order).
    const windows = new Map<number, [number, number][]>();
    const found = hits[KW_GITLEAKS];
    for (let h = 0; h < found.length; h += 2) {
      const rule = found[h]!;
      if (enabled[rule] === 0) continue;
      const at = found[h + 1]!;
      let list = windows.get(rule);
      if (!list) windows.set(rule, (list = []));
      const last = list[list.length - 1];
      if (last && at < last[1] - 64) continue;
      const w = windowAround(text, at, RULES[rule]!.after);
      if (last && w[0] <= last[1]) last[1] = Math.max(last[1], w[1]);
      else list.push(w);
    }
    for (const [rule, list] of windows) for (const [s, e] of list) runRule(text, rule, s, e, out);
    // The rules without keywords (database-password) all key on password words: run them only where one is.
    if (hits[KW_SECRET].length > 0) for (const rule of always) runRule(text, rule, 0, text.length, out);
  };
}

export const GITLEAKS_RULE_COUNT = RULES.length;

/** gitleaks' global allow-list and stop-words: template variables, published examples, the alphabet. */
export function gitleaksGloballyAllowed(secret: string): boolean {
  const lower = secret.toLowerCase();
  return GLOBAL_ALLOW.some((re) => re.test(secret)) || GITLEAKS_GLOBAL_STOPWORDS.some((w) => lower.includes(w));
}

/** The rule ids of the converted gitleaks rules. */
export const GITLEAKS_RULE_IDS: readonly string[] = RULES.map((r) => r.spec.id);
