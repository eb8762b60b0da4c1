/** docs/export.md cannot rot: its configuration example must validate against exportConfigSchema. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { exportConfigSchema } from '../../src/export/index.js';

test('the YAML example in docs/export.md is a valid export config', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'export.md'), 'utf8');
  const block = /```yaml\n([\s\S]*?)```/.exec(doc);
  assert.ok(block, 'docs/export.md has a yaml example');
  const parsed = exportConfigSchema.parse((parse(block[1]!) as { export: unknown }).export);
  assert.deepEqual(parsed.sinks.map((s) => [s.name, s.type, s.format]), [
    ['splunk', 'hec', 'ocsf'],
    ['qradar', 'syslog', 'cef'],
    ['archive', 'file', 'ecs'],
    ['console', 'stdout', 'native'],
  ]);
  const archive = parsed.sinks[2]!;
  assert.equal(archive.type === 'file' && archive.file.mode, 0o600);
});
