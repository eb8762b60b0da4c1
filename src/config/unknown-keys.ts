/**
 * Unknown keys are errors: the schemas drop keys they do not know, so a misspelt `polciy:` would silently
 * leave the defaults (the demo policies) in force. Comparing what was written with what the schema kept
 * finds every dropped key at any depth, with a "did you mean" from the keys the schema does know.
 *
 * @example
 * unknownKeys({ polciy: {} }, configSchema.parse({}))
 * // [{ path: 'polciy', message: 'unknown key; did you mean `policy`?' }]
 */
export function unknownKeys(raw: unknown, parsed: unknown, path = ''): { path: string; message: string }[] {
  if (Array.isArray(raw) && Array.isArray(parsed)) {
    return raw.flatMap((item, i) => (i < parsed.length ? unknownKeys(item, parsed[i], `${path}.${i}`) : []));
  }
  if (!isRecord(raw) || !isRecord(parsed)) return [];
  const issues: { path: string; message: string }[] = [];
  const known = Object.keys(parsed);
  for (const [key, value] of Object.entries(raw)) {
    const at = path ? `${path}.${key}` : key;
    if (!(key in parsed)) {
      // An optional key written as null or left empty is absent after parsing, but it is not a typo.
      if (value === null || value === undefined) continue;
      const guess = closest(key, known);
      issues.push({ path: at, message: `unknown key${guess ? `; did you mean \`${guess}\`?` : ''}` });
    } else {
      issues.push(...unknownKeys(value, parsed[key], at));
    }
  }
  return issues;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The known key within edit distance 2 (or a third of its length), if one is clearly closest. */
function closest(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** Damerau-Levenshtein (optimal string alignment): a swapped pair of letters counts as one edit. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
