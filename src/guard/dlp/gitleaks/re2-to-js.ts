/**
 * Translates a Go RE2 pattern (as written in gitleaks' TOML) into a JavaScript RegExp source.
 *
 * Node 20's V8 has no inline modifiers, so RE2's scoped flags are rewritten:
 * - `(?i)` / `(?i:...)` / `(?-i:...)`: letters and letter ranges inside the scope become both-case
 *   classes (`a` -> `[aA]`, `[a-f]` -> `[a-fA-F]`); a leading `(?i)` with no `-i` anywhere becomes the `i` flag
 * - `(?s)` / `(?s:...)`: `.` inside the scope becomes `[\s\S]`
 * - `(?P<name>` -> `(?<name>`; `\z` -> `$` (no `m` flag, so `$` is the end of input); `\A` -> `^`
 * - a `]` right after `[` or `[^` is a literal in RE2 and is escaped; a `{` that is not a repetition is escaped
 * Constructs with no JS equivalent (`\Q..\E`, `\p{..}`, `\x{..}`, `\C`) throw: the build step drops the rule.
 *
 * @example
 * re2ToJs('\\b(p8e-(?i)[a-z0-9]{32})\\z') // { source: '\\b(p8e-[a-zA-Z0-9]{32})$', flags: '', notes: [...] }
 */

export interface ConvertedPattern {
  source: string;
  flags: string;
  notes: string[];
}

interface Scope {
  ci: boolean;
  dotAll: boolean;
}

const POSIX: Record<string, string> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: 'A-Za-z0-9', upper: 'A-Z', lower: 'a-z', space: '\\s', xdigit: '0-9A-Fa-f',
  word: '\\w', punct: '!-\\/:-@\\[-`{-~', print: ' -~', graph: '!-~', cntrl: '\\x00-\\x1f\\x7f', blank: ' \\t',
};

function isLetter(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

function swapCase(c: string): string {
  return c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
}

/** Parses a character class starting at `src[i] === '['`; returns the JS class and the index after it. */
function convertClass(src: string, start: number, ci: boolean): { out: string; next: number } {
  let i = start + 1;
  let negate = false;
  if (src[i] === '^') {
    negate = true;
    i++;
  }
  const items: string[] = [];
  const extra: string[] = [];
  let first = true;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ']' && !first) break;
    first = false;
    if (c === '[' && src[i + 1] === ':') {
      const end = src.indexOf(':]', i + 2);
      if (end < 0) throw new Error('unterminated POSIX class');
      const name = src.slice(i + 2, end);
      const neg = name.startsWith('^');
      const body = POSIX[neg ? name.slice(1) : name];
      if (body === undefined || neg) throw new Error(`unsupported POSIX class [:${name}:]`);
      items.push(body);
      i = end + 2;
      continue;
    }
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) throw new Error('dangling escape in class');
      if (n === 'p' || n === 'P' || n === 'Q' || (n === 'x' && src[i + 2] === '{')) throw new Error(`unsupported escape \\${n} in class`);
      if (n === 'x') {
        items.push(src.slice(i, i + 4));
        i += 4;
        continue;
      }
      items.push('\\' + n);
      i += 2;
      continue;
    }
    // A range a-z (the '-' is not last and not first)
    if (src[i + 1] === '-' && src[i + 2] !== undefined && src[i + 2] !== ']') {
      let hi = src[i + 2]!;
      let width = 3;
      if (hi === '\\') {
        hi = src.slice(i + 2, i + 4);
        width = 4;
      }
      const lo = c === '[' || c === ']' ? '\\' + c : c;
      items.push(`${lo}-${hi === ']' || hi === '[' ? '\\' + hi : hi}`);
      if (ci && isLetter(c) && hi.length === 1 && isLetter(hi) && (c <= 'Z') === (hi <= 'Z')) extra.push(`${swapCase(c)}-${swapCase(hi)}`);
      i += width;
      continue;
    }
    if (c === ']' || c === '[') items.push('\\' + c);
    else items.push(c);
    if (ci && isLetter(c)) extra.push(swapCase(c));
    i++;
  }
  if (src[i] !== ']') throw new Error('unterminated character class');
  return { out: `[${negate ? '^' : ''}${items.join('')}${extra.join('')}]`, next: i + 1 };
}

function parseFlags(spec: string, scope: Scope): Scope {
  const next = { ...scope };
  let on = true;
  for (const f of spec) {
    if (f === '-') on = false;
    else if (f === 'i') next.ci = on;
    else if (f === 's') next.dotAll = on;
    else if (f === 'm' || f === 'U') throw new Error(`unsupported flag ${f}`);
  }
  return next;
}

export function re2ToJs(pattern: string): ConvertedPattern {
  const notes: string[] = [];
  let src = pattern;
  let flags = '';
  // A leading (?i) that is never switched off maps to the `i` flag (faster than class expansion).
  if (src.startsWith('(?i)') && !src.includes('(?-i')) {
    src = src.slice(4);
    flags = 'i';
  }
  const stack: Scope[] = [{ ci: false, dotAll: false }];
  let out = '';
  let i = 0;
  const top = (): Scope => stack[stack.length - 1]!;
  while (i < src.length) {
    const c = src[i]!;
    const scope = top();
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) throw new Error('dangling escape');
      if (n === 'z') {
        out += '$';
        notes.push('\\z -> $');
        i += 2;
        continue;
      }
      if (n === 'A') {
        out += '^';
        i += 2;
        continue;
      }
      if (n === 'Q' || n === 'p' || n === 'P' || n === 'C' || (n === 'x' && src[i + 2] === '{')) throw new Error(`unsupported escape \\${n}`);
      if (n === 'x') {
        out += src.slice(i, i + 4);
        i += 4;
        continue;
      }
      out += '\\' + n;
      i += 2;
      continue;
    }
    if (c === '[') {
      const cls = convertClass(src, i, scope.ci);
      out += cls.out;
      i = cls.next;
      continue;
    }
    if (c === '(') {
      if (src[i + 1] === '?') {
        const rest = src.slice(i + 2);
        const named = /^P<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
        if (named) {
          stack.push({ ...scope });
          out += `(?<${named[1]}>`;
          i += 2 + named[0].length;
          continue;
        }
        const flagOnly = /^([ismU-]+)\)/.exec(rest);
        if (flagOnly) {
          // Applies to the rest of the current group.
          stack[stack.length - 1] = parseFlags(flagOnly[1]!, scope);
          i += 2 + flagOnly[0].length;
          continue;
        }
        const flagGroup = /^([ismU-]*):/.exec(rest);
        if (flagGroup) {
          stack.push(parseFlags(flagGroup[1]!, scope));
          out += '(?:';
          i += 2 + flagGroup[0].length;
          continue;
        }
        throw new Error(`unsupported group syntax (?${rest.slice(0, 3)}`);
      }
      stack.push({ ...scope });
      out += '(';
      i++;
      continue;
    }
    if (c === ')') {
      if (stack.length <= 1) throw new Error('unbalanced )');
      stack.pop();
      out += ')';
      i++;
      continue;
    }
    if (c === '.') {
      out += scope.dotAll ? '[\\s\\S]' : '.';
      i++;
      continue;
    }
    if (c === '{') {
      const rep = /^\{\d+(?:,\d*)?\}/.exec(src.slice(i));
      if (rep) {
        out += rep[0];
        i += rep[0].length;
        continue;
      }
      out += '\\{';
      i++;
      continue;
    }
    if (c === '}') {
      out += '\\}';
      i++;
      continue;
    }
    if (scope.ci && flags !== 'i' && isLetter(c)) {
      out += `[${c}${swapCase(c)}]`;
      i++;
      continue;
    }
    out += c;
    i++;
  }
  if (stack.length !== 1) throw new Error('unbalanced (');
  if (/\(\?<[A-Za-z_]/.test(out)) notes.push('named groups kept');
  return { source: out, flags, notes };
}
