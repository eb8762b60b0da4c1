/**
 * Tokens that are secrets without a keyword around them, by shape alone: a known service prefix (`ghp_`, `xoxb-`,
 * `hf_`) before a random body; a GitHub-style CRC32 checksum (`abc_` + 30 random + 6 check characters: any
 * service that copied the format is verified without being known); or an unknown lower-case prefix and separator
 * before a long random body (`zpk_live_8f3K...`), where randomness is judged by entropy, character mix, the
 * longest alphanumeric run and the absence of repetition, sequences and hash shapes.
 *
 * @example
 * const out: DlpFinding[] = [];
 * createBareTokenDetector()('deploy with qzx_live_4fT9kLm2Qw8ZrV1xNc7BpJ3d', out); // SECRET/prefixed-token
 */
import { shannonEntropy } from './checksums.js';
import { KNOWN_PREFIXES } from './secret-families.js';
import { charClasses, crc32Base62Valid, dominantShare, hasAscendingRun, longestAlnumRun } from './token-shape.js';
import type { DlpFinding } from './types.js';

export interface BareTokenTuning {
  /** Entropy floor (bits per character) of the body after an unknown prefix. */
  prefixedMinEntropy: number;
}

/** Shipped floors: the tuning chosen on all families by eval/dlp (see docs/dlp.md). */
export const DEFAULT_BARE_TOKEN_TUNING: BareTokenTuning = { prefixedMinEntropy: 3.75 };

/** A run of token characters long enough to hold a credential (base64 padding allowed at the end). */
const TOKEN_RUN = /[A-Za-z0-9_\-+/.~]{20,}/g;
/** An unknown prefix: a lower-case word and up to two more segments, each ending with `_` or `-`. */
const UNKNOWN_PREFIX = /^[a-z][a-z0-9]{1,9}(?:[_-][a-z0-9]{1,10}){0,2}[_-]/;
/** Prefixes that announce a digest or an encoding, never a credential (`sha512-` in lock files). */
const NOT_SECRET_PREFIX = /^(?:sha\d*|md5|blake\d*\w*|crc\d*|xxh\w*|base64|hex|data|uuid|sri|etag|hash|commit|build|release|version|v\d+|pk|pub|public)[_-]/i;
/** A UUID written with `_` or `-` (`api_org_96726c78_4ae3_...`): an identifier. */
const UUID_LIKE = /^[0-9a-f]{8}[_-][0-9a-f]{4}[_-][0-9a-f]{4}[_-][0-9a-f]{4}[_-][0-9a-f]{12}$/i;
const VOWELS = /[aeiouAEIOU]/g;

interface PrefixEntry {
  prefix: string;
  family: string;
}

/** Length of the longest run of ASCII letters and digits in text[start, end). */
function longestAlnumIn(text: string, start: number, end: number): number {
  let best = 0;
  let run = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
      if (++run > best) best = run;
    } else run = 0;
  }
  return best;
}

function hasDot(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === 46) return true;
  return false;
}

function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/**
 * Words, not random characters: a lower-case run of 8 letters, or a vowel share of the letters typical of
 * language (random base62 letters are about 19% vowels). Hex bodies are judged by the other tests.
 */
export function wordy(body: string): boolean {
  if (/[a-z]{8}/.test(body)) return true;
  if (/^[0-9a-fA-F_-]*$/.test(body)) return false;
  const letters = body.replace(/[^A-Za-z]/g, '');
  return letters.length >= 12 && (letters.match(VOWELS)?.length ?? 0) / letters.length >= 0.35;
}

/**
 * Base64 that decodes to readable text is an encoding of words (`YmVkcm9jay5hbWF6b25hd3M` = `bedrock.amazonaws`);
 * encoded JSON (`eyJ...`) is not excused: signed claims are how many tokens carry themselves.
 */
function encodedText(body: string): boolean {
  if (!/^[A-Za-z0-9+/_-]{16,}={0,2}$/.test(body) || body.startsWith('eyJ')) return false;
  const bytes = Buffer.from(body, 'base64');
  let printable = 0;
  for (const b of bytes) if ((b >= 32 && b < 127) || b === 10) printable++;
  return printable / Math.max(1, bytes.length) >= 0.9;
}

/** Random enough to be generated: not repeated, not a typed sequence, not words, mixing classes, a long unbroken run. */
function randomBody(body: string, minEntropy: number, minRun: number): boolean {
  const alnum = body.replace(/[^A-Za-z0-9]/g, '');
  if (alnum.length < 16 || longestAlnumRun(body) < minRun) return false;
  if (dominantShare(alnum) >= 0.4 || hasAscendingRun(alnum.replace(/\d/g, ''), 8)) return false;
  if (charClasses(alnum) < 2 || wordy(body) || UUID_LIKE.test(body) || encodedText(body)) return false;
  return shannonEntropy(body) >= minEntropy;
}

/**
 * Signed or structured tokens written as base64url segments joined by dots (JWTs, Discord bot tokens,
 * macaroons): at least two segments of 6+ characters, one of 20+, every long segment mixing upper case, lower
 * case and digits (domain names, package paths and versions never do), 40+ characters in all.
 */
function dottedToken(run: string, minEntropy: number): boolean {
  if (run.length < 40 || !run.includes('.')) return false;
  const parts = run.split('.');
  if (parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return false;
  const long = parts.filter((p) => p.length >= 6);
  if (long.length < 2 || !long.some((p) => p.length >= 20)) return false;
  if (long.some((p) => p.length >= 20 && (charClasses(p.replace(/[_-]/g, '')) < 3 || dominantShare(p) >= 0.3))) return false;
  return shannonEntropy(run) >= minEntropy;
}

/** `runs`: token runs [start, end, ...] from the fused pass (found here with a regex when absent). */
export type BareTokenDetector = (text: string, out: DlpFinding[], runs?: number[]) => void;

function runsOf(text: string): number[] {
  const runs: number[] = [];
  TOKEN_RUN.lastIndex = 0;
  for (let m = TOKEN_RUN.exec(text); m !== null; m = TOKEN_RUN.exec(text)) runs.push(m.index, m.index + m[0].length);
  return runs;
}

export interface BareTokenOptions {
  /** Forget the prefixes of these families (leave-one-family-out evaluation). */
  excludeFamilies?: ReadonlySet<string>;
  /** Families whose own gitleaks rules are on: their exact formats and allow-lists decide, not the prefix. */
  deferTo?: ReadonlySet<string>;
  /** Values never reported (gitleaks' global allow-list: template variables, published examples). */
  allowed?: (secret: string) => boolean;
  /** Shapes a dedicated detector that is on already judges (`^eyJ` for JWTs): the generic rules leave them to it. */
  owned?: readonly RegExp[];
  tuning?: BareTokenTuning;
}

export function createBareTokenDetector(options: BareTokenOptions = {}): BareTokenDetector {
  const tuning = options.tuning ?? DEFAULT_BARE_TOKEN_TUNING;
  const allowed = options.allowed ?? (() => false);
  const byHead = new Map<string, PrefixEntry[]>();
  const owned = [...(options.owned ?? [])];
  // Prefixes left to their family's own rules, by their first two characters (one map lookup per run).
  const deferred = new Map<string, string[]>();
  for (const [prefix, family] of KNOWN_PREFIXES) {
    if (options.excludeFamilies?.has(family)) continue;
    if (options.deferTo?.has(family)) {
      deferred.set(prefix.slice(0, 2), [...(deferred.get(prefix.slice(0, 2)) ?? []), prefix]);
      continue;
    }
    const head = prefix.slice(0, 2);
    const list = byHead.get(head) ?? [];
    list.push({ prefix, family });
    byHead.set(head, list.sort((a, b) => b.prefix.length - a.prefix.length));
  }

  const known = (run: string): PrefixEntry | undefined => byHead.get(run.slice(0, 2))?.find((p) => run.startsWith(p.prefix));

  return (text, out, runs = runsOf(text)) => {
    for (let r = 0; r < runs.length; r += 2) {
      const start = runs[r]!;
      if (runs[r + 1]! - start < 20) continue;
      const before = start > 0 ? text.charCodeAt(start - 1) : 0;
      if (isWord(before)) continue; // inside a longer word (the run's class excludes some word characters)
      // Every shape below needs an alphanumeric run of 10 (a random body) or is a dotted token of 40+ with a
      // dot: most runs (paths, member chains, identifiers) are ruled out here, before any string is made.
      if (longestAlnumIn(text, start, runs[r + 1]!) < 10 && (runs[r + 1]! - start < 40 || !hasDot(text, start, runs[r + 1]!))) continue;
      let run = text.slice(start, runs[r + 1]);
      while (run.endsWith('.') || run.endsWith('/') || run.endsWith('-')) run = run.slice(0, -1);
      const entry = known(run);
      if (entry) {
        const body = run.slice(entry.prefix.length);
        if (body.length < 16 || !randomBody(body, 3.0, 10) || allowed(run)) continue;
        const checked = crc32Base62Valid(run);
        out.push({ type: 'SECRET', subtype: `${entry.family}-token`, start, end: start + run.length, confidence: checked ? 0.99 : 0.9, detector: 'secret.prefix' });
        continue;
      }
      if (/^[a-z]{2,10}_[A-Za-z0-9]{30,}$/.test(run) && crc32Base62Valid(run) && !allowed(run)) {
        out.push({ type: 'SECRET', subtype: 'checksum-token', start, end: start + run.length, confidence: 0.97, detector: 'secret.checksum' });
        continue;
      }
      if (deferred.get(run.slice(0, 2))?.some((p) => run.startsWith(p)) || owned.some((re) => re.test(run))) continue;
      if (dottedToken(run, tuning.prefixedMinEntropy) && !allowed(run)) {
        out.push({ type: 'SECRET', subtype: 'dotted-token', start, end: start + run.length, confidence: 0.7, detector: 'secret.dotted' });
        continue;
      }
      if (NOT_SECRET_PREFIX.test(run)) continue;
      const prefix = UNKNOWN_PREFIX.exec(run);
      const body = prefix ? run.slice(prefix[0].length) : '';
      if (!prefix || body.length < 20 || /[/+.~]/.test(body)) continue;
      if (!randomBody(body, tuning.prefixedMinEntropy, 16) || allowed(run)) continue;
      out.push({ type: 'SECRET', subtype: 'prefixed-token', start, end: start + run.length, confidence: 0.7, detector: 'secret.prefixed' });
    }
  };
}

