import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRules, RULES_DIR } from '../../scripts/build-gitleaks-rules.js';

test('the committed rule module is what the build step makes from the committed TOML', () => {
  const { source, report } = buildRules(readFileSync(join(RULES_DIR, 'gitleaks.toml'), 'utf8'));
  assert.equal(readFileSync(join(RULES_DIR, 'rules.generated.ts'), 'utf8'), source, 'run `npm run build:rules`');
  assert.match(report[0]!, /218 in TOML, 213 converted, 5 dropped/);
});
