/**
 * Build step: converts gitleaks' rule set (src/guard/dlp/gitleaks/gitleaks.toml, MIT, copied verbatim) into
 * src/guard/dlp/gitleaks/rules.generated.ts with JavaScript RegExp sources. Run with `npm run build:rules`;
 * the output is committed so a fresh clone works without running it.
 *
 * Rules are dropped (and listed) when they cannot be used on prompt text: rules that only match file paths,
 * rules restricted to a file type (`path` + `regex`: we never know a path), and patterns the RE2 -> JS
 * translator cannot express. Allow-lists that need a path (`condition = "AND"` with `paths`) are dropped too.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parse } from 'smol-toml';
import { re2ToJs } from '../src/guard/dlp/gitleaks/re2-to-js.js';

interface TomlAllowlist {
  description?: string;
  condition?: string;
  regexTarget?: string;
  regexes?: string[];
  paths?: string[];
  stopwords?: string[];
}
interface TomlRule {
  id: string;
  description?: string;
  regex?: string;
  path?: string;
  entropy?: number;
  keywords?: string[];
  secretGroup?: number;
  allowlists?: TomlAllowlist[];
}
interface TomlConfig {
  allowlist?: TomlAllowlist;
  rules: TomlRule[];
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const RULES_DIR = join(root, 'src/guard/dlp/gitleaks');

function convert(pattern: string): { source: string; flags: string; notes: string[] } {
  const converted = re2ToJs(pattern);
  new RegExp(converted.source, converted.flags + 'g'); // throws when the translation is not valid JS
  return converted;
}

function convertList(patterns: string[] | undefined, problems: string[]): { source: string; flags: string }[] {
  const out: { source: string; flags: string }[] = [];
  for (const p of patterns ?? []) {
    try {
      const c = convert(p);
      out.push({ source: c.source, flags: c.flags });
    } catch (error) {
      problems.push(`allowlist regex \`${p}\`: ${(error as Error).message}`);
    }
  }
  return out;
}

/** Converts the TOML text into the generated module's source, and a report of what was dropped or noted. */
export function buildRules(tomlText: string): { source: string; report: string[] } {
  const config = parse(tomlText) as unknown as TomlConfig;
  const rules: unknown[] = [];
  const dropped: { id: string; reason: string }[] = [];
  const flagged: { id: string; notes: string[] }[] = [];
  for (const rule of config.rules) {
    if (!rule.regex) {
      dropped.push({ id: rule.id, reason: 'path-only rule (matches file names, not content)' });
      continue;
    }
    if (rule.path) {
      dropped.push({ id: rule.id, reason: `restricted to files matching \`${rule.path}\`` });
      continue;
    }
    // The `[\w.-]{0,50}?` lead of gitleaks' keyword template only widens the match to the left of the keyword and
    // costs 50 tries at every position: strip it; the runner re-extends the match over [\w.-] (at most 50).
    let pattern = rule.regex;
    let identPrefix = 0;
    const IDENT = '[\\w.-]{0,50}?';
    if (pattern.startsWith('(?i)' + IDENT)) {
      pattern = '(?i)' + pattern.slice(4 + IDENT.length);
      identPrefix = 50;
    } else if (pattern.startsWith(IDENT + '(?i:' + IDENT)) {
      pattern = '(?i:' + pattern.slice(IDENT.length * 2 + 4);
      identPrefix = 50;
    }
    let converted;
    try {
      converted = convert(pattern);
    } catch (error) {
      dropped.push({ id: rule.id, reason: `regex not convertible: ${(error as Error).message}` });
      continue;
    }
    const problems: string[] = [];
    const allow = { secret: [] as { source: string; flags: string }[], match: [] as { source: string; flags: string }[], line: [] as { source: string; flags: string }[] };
    const stopwords: string[] = [];
    for (const list of rule.allowlists ?? []) {
      if (list.condition === 'AND' && list.paths?.length) {
        problems.push('allowlist needing a path dropped');
        continue;
      }
      const target = (list.regexTarget ?? 'secret') as 'secret' | 'match' | 'line';
      allow[target].push(...convertList(list.regexes, problems));
      stopwords.push(...(list.stopwords ?? []).map((w) => w.toLowerCase()));
    }
    // Groups that are all named are alternatives inside the token (jwt-base64): the secret is the whole match.
    const plainGroups = /\((?!\?)/.test(converted.source);
    const notes = [...converted.notes, ...problems];
    if (notes.length) flagged.push({ id: rule.id, notes });
    rules.push({
      id: rule.id,
      description: rule.description ?? '',
      source: converted.source,
      flags: converted.flags,
      keywords: (rule.keywords ?? []).map((k) => k.toLowerCase()),
      entropy: rule.entropy ?? 0,
      secretGroup: rule.secretGroup ?? (plainGroups ? 'first' : 'whole'),
      identPrefix,
      allow,
      stopwords,
    });
  }

  const globalProblems: string[] = [];
  const globalAllow = convertList(config.allowlist?.regexes, globalProblems);
  const globalStopwords = (config.allowlist?.stopwords ?? []).map((w) => w.toLowerCase());

  const body = [
    '// GENERATED by scripts/build-gitleaks-rules.ts from gitleaks.toml (gitleaks/gitleaks, MIT: see LICENSE',
    '// in this directory). Do not edit by hand: run `npm run build:rules`.',
    `// ${rules.length} rules converted, ${dropped.length} dropped: ${dropped.map((d) => d.id).join(', ')}.`,
    "import type { GitleaksRuleSpec, PatternSpec } from './rule-spec.js';",
    '',
    `export const GITLEAKS_RULES: GitleaksRuleSpec[] = ${JSON.stringify(rules, null, 1)};`,
    '',
    `export const GITLEAKS_GLOBAL_ALLOW: PatternSpec[] = ${JSON.stringify(globalAllow)};`,
    '',
    `export const GITLEAKS_GLOBAL_STOPWORDS: string[] = ${JSON.stringify(globalStopwords)};`,
    '',
    `export const GITLEAKS_DROPPED: { id: string; reason: string }[] = ${JSON.stringify(dropped, null, 1)};`,
    '',
  ].join('\n');
  const report = [`gitleaks rules: ${config.rules.length} in TOML, ${rules.length} converted, ${dropped.length} dropped, ${flagged.length} converted with notes`];
  for (const d of dropped) report.push(`  dropped ${d.id}: ${d.reason}`);
  for (const f of flagged) report.push(`  note ${f.id}: ${f.notes.join('; ')}`);
  if (globalProblems.length) report.push(`  global allowlist: ${globalProblems.join('; ')}`);
  return { source: body, report };
}

if (process.argv[1]?.endsWith('build-gitleaks-rules.ts')) {
  const { source, report } = buildRules(readFileSync(join(RULES_DIR, 'gitleaks.toml'), 'utf8'));
  writeFileSync(join(RULES_DIR, 'rules.generated.ts'), source);
  console.log(report.join('\n'));
}
