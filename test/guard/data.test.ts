/**
 * Checks on the shared labelled data (../shared/data/dlp) when it is present; skipped on a fresh clone
 * without it (the unit tests in this folder cover every detector on hand-written fixtures).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanText } from '../../src/guard/dlp/index.js';

const DATA = join(import.meta.dirname, '../../../shared/data/dlp');
const skip = existsSync(DATA) ? false : `shared data absent at ${DATA}`;

interface Row {
  text: string;
  spans: { start: number; end: number; type: string }[];
  negative_for?: string;
}

function rows(file: string): Row[] {
  return readFileSync(join(DATA, `${file}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
}

test('synthetic sentences: recall of the target types', { skip }, () => {
  const gold = new Map<string, [number, number]>();
  for (const r of rows('presidio-synth-v2')) {
    const found = scanText(r.text);
    for (const s of r.spans) {
      if (!['EMAIL', 'PHONE', 'CREDIT_CARD', 'IBAN', 'SSN', 'IP'].includes(s.type)) continue;
      const hit = found.some((f) => f.type === s.type && f.start < s.end && s.start < f.end);
      const g = gold.get(s.type) ?? [0, 0];
      gold.set(s.type, [g[0] + (hit ? 1 : 0), g[1] + 1]);
    }
  }
  for (const [type, [hit, n]] of gold) assert.ok(hit / n >= 0.9, `${type} recall ${hit}/${n}`);
});

test('look-alike negatives for checksummed types stay clean', { skip }, () => {
  let fp = 0;
  let n = 0;
  for (const r of rows('negatives')) {
    if (!['IBAN', 'CREDIT_CARD', 'SSN', 'EMAIL', 'IP'].includes(r.negative_for ?? '')) continue;
    n++;
    if (scanText(r.text).some((f) => f.type === r.negative_for)) fp++;
  }
  assert.ok(n > 100);
  assert.ok(fp / n <= 0.05, `${fp}/${n}`);
});
