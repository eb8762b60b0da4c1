/**
 * Cedar policies that use the attributes the integrity module gives to `Warden::Model` and
 * `Warden::Dataset` resources (`verified`, `signer`, `lastVerified`, `suspect`). They ship in the demo
 * policy set (demo/policies/integrity.cedar); test/integrity/policies.test.ts checks their decisions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/index.js';

export const INTEGRITY_POLICIES = readFileSync(join(packageRoot(), 'demo', 'policies', 'integrity.cedar'), 'utf8');
