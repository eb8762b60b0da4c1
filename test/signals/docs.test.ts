/**
 * docs/signals.md cannot rot: its Cedar example validates against Warden's schema (the `sources` record
 * is declared), and its YAML example is a valid `signals:` section.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { signalsConfigSchema } from '../../src/signals/config.js';
import { compileBundle, demoPolicyDir, readBundle } from '../../src/policy/index.js';
import { ROOT } from '../helpers/warden-process.js';

const doc = readFileSync(join(ROOT, 'docs', 'signals.md'), 'utf8');
const blocks = (lang: string): string[] => [...doc.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

test('the Cedar example validates against the demo schema', () => {
  const [example] = blocks('cedar');
  assert.ok(example);
  const bundle = readBundle(demoPolicyDir(), '', '');
  assert.doesNotThrow(() => compileBundle({ ...bundle, files: { ...bundle.files, 'signals-example.cedar': example } }));
});

test('the YAML example is a valid signals section', () => {
  const yaml = blocks('yaml').find((b) => b.startsWith('signals:'));
  assert.ok(yaml);
  const parsed = signalsConfigSchema.safeParse((parse(yaml) as { signals: unknown }).signals);
  assert.ok(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues));
});
