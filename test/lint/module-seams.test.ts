/**
 * The `module-seams` lint rule (eslint-rules/module-seams.js): another module's files are reachable only
 * through its index.js. Sources are in memory, under a made-up repository at /repo whose src/ holds the modules.
 */
import { describe, it } from 'node:test';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import moduleSeams from '../../eslint-rules/module-seams.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' } });
const options = [{ root: '/repo/src' }];
const inConsole = '/repo/src/console/session/store.ts';
const deep = (spec: string, target: string, fix: string) => ({
  messageId: 'deep',
  data: { spec, target, fix },
});

tester.run('module-seams', moduleSeams, {
  valid: [
    { name: 'another module through its index', filename: '/repo/src/console/api.ts', options, code: "import { Pipeline } from '../gateway/index.js';" },
    { name: 'index from a nested file', filename: inConsole, options, code: "import type { AdminRoute } from '../../gateway/index.js';" },
    { name: 'a deep file of the same module', filename: inConsole, options, code: "import { LiveFeed } from '../live.js';\nexport { SignIn } from '../sign-in.js';" },
    { name: 'export from another index', filename: '/repo/src/console/index.ts', options, code: "export type { AdminRoute } from '../gateway/index.js';" },
    { name: 'packages and node: builtins', filename: '/repo/src/console/api.ts', options, code: "import { z } from 'zod';\nimport { readFile } from 'node:fs/promises';" },
    { name: 'a file outside the modules (tests may import src files)', filename: '/repo/test/console/api.test.ts', options, code: "import { ConsoleApi } from '../../src/console/api.js';" },
    { name: 'dynamic import of an index', filename: '/repo/src/cli/run.ts', options, code: "const m = await import('../app/index.js');" },
    { name: 'dynamic import of a package', filename: '/repo/src/guard/model.ts', options, code: "const ort = await import('onnxruntime-node');" },
  ],
  invalid: [
    {
      name: 'a deep import of another module',
      filename: '/repo/src/console/api.ts',
      options,
      code: "import { Pipeline } from '../gateway/pipeline.js';",
      errors: [deep('../gateway/pipeline.js', 'gateway', '../gateway/index.js')],
    },
    {
      name: 'a type-only deep import, from a nested file (the fix has the right depth)',
      filename: inConsole,
      options,
      code: "import type { AdminRoute } from '../../gateway/admin-route.js';",
      errors: [deep('../../gateway/admin-route.js', 'gateway', '../../gateway/index.js')],
    },
    {
      name: "a nested index is not the module's face",
      filename: '/repo/src/app/warden.ts',
      options,
      code: "import { startRiskPartitions } from '../risk/partition/index.js';",
      errors: [deep('../risk/partition/index.js', 'risk', '../risk/index.js')],
    },
    {
      name: 'export ... from a deep file',
      filename: '/repo/src/console/index.ts',
      options,
      code: "export { sendJson } from '../gateway/http.js';\nexport type { AdminRoute } from '../gateway/admin-route.js';",
      errors: [deep('../gateway/http.js', 'gateway', '../gateway/index.js'), deep('../gateway/admin-route.js', 'gateway', '../gateway/index.js')],
    },
    {
      name: 'export * from a deep file',
      filename: '/repo/src/console/index.ts',
      options,
      code: "export * from '../gateway/http.js';",
      errors: [deep('../gateway/http.js', 'gateway', '../gateway/index.js')],
    },
    {
      name: 'a dynamic import of a deep file',
      filename: '/repo/src/cli/commands/start.ts',
      options,
      code: "const { WardenApp } = await import('../../app/warden.js');",
      errors: [deep('../../app/warden.js', 'app', '../../app/index.js')],
    },
    {
      name: 'the module directory itself (no index named)',
      filename: '/repo/src/console/api.ts',
      options,
      code: "import { Pipeline } from '../gateway';",
      errors: [deep('../gateway', 'gateway', '../gateway/index.js')],
    },
  ],
});
