/**
 * Splits an export file into records with the line each starts on, so that one malformed record is
 * reported by line and never stops the rest: JSON Lines, a JSON array, or a wrapper object whose
 * `Records` (CloudTrail) or `value` (Microsoft Graph) array holds the records, pretty-printed or not.
 */
export interface RawRecord {
  line: number;
  text: string;
}

export interface SplitResult {
  records: RawRecord[];
  errors: { line: number; message: string }[];
}

const WRAPPER = /"(Records|value|records)"\s*:\s*\[/;

function wrapperArray(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.Records) || Array.isArray(v.value) || Array.isArray(v.records);
}

export function splitJsonRecords(text: string): SplitResult {
  const start = text.search(/\S/);
  if (start < 0) return { records: [], errors: [] };
  const newline = text.indexOf('\n', start);
  const firstLine = text.slice(start, newline < 0 ? text.length : newline).trim();
  let first: unknown;
  let firstParses = true;
  try {
    first = JSON.parse(firstLine);
  } catch {
    // The first line is not JSON: the format is decided from the rest (JSON Lines is ruled out).
    firstParses = false;
  }
  if (text[start] === '[') return scanArray(text, start + 1, lineAt(text, start));
  if (text[start] === '{' && (firstParses ? wrapperArray(first) : true)) {
    const m = WRAPPER.exec(text.slice(start));
    if (m) {
      const open = start + m.index + m[0].length - 1;
      return scanArray(text, open + 1, lineAt(text, open));
    }
  }
  return splitLines(text);
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** JSON Lines: one record per non-empty line. */
export function splitLines(text: string): SplitResult {
  const records: RawRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t) records.push({ line: i + 1, text: t });
  }
  return { records, errors: [] };
}

/**
 * Walks the elements of a JSON array beginning at `from` (just after `[`), tracking strings, nesting and
 * lines. Each top-level element becomes a record; an element that is cut off is reported.
 */
function scanArray(text: string, from: number, firstLine: number): SplitResult {
  const records: RawRecord[] = [];
  const errors: { line: number; message: string }[] = [];
  let line = firstLine;
  let depth = 0;
  let inString = false;
  let elementStart = -1;
  let elementLine = line;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    if (depth === 0 && elementStart < 0 && c !== 32 && c !== 10 && c !== 13 && c !== 9 && c !== 44 && c !== 93) {
      elementStart = i;
      elementLine = line;
    }
    if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      if (depth === 0 && c === 93) {
        if (elementStart >= 0) records.push({ line: elementLine, text: text.slice(elementStart, i).trim() });
        return { records, errors };
      }
      depth--;
      if (depth < 0) {
        errors.push({ line, message: 'unbalanced `}`' });
        depth = 0;
      }
    } else if (c === 44 && depth === 0 && elementStart >= 0) {
      records.push({ line: elementLine, text: text.slice(elementStart, i).trim() });
      elementStart = -1;
    }
  }
  if (elementStart >= 0) errors.push({ line: elementLine, message: 'record is cut off: the file ends inside it' });
  else errors.push({ line, message: 'the array is not closed' });
  return { records, errors };
}
