// StrykerJS configuration for `npm run mutate` (scripts/mutate.mjs picks the module through
// WARDEN_MUTATE_MODULE; see docs/mutation.md). Not part of `npm test` or CI: a full run takes an hour.
import { MUTATE_MODULES } from './scripts/mutate-modules.mjs';

const name = process.env.WARDEN_MUTATE_MODULE ?? '';
const mod = MUTATE_MODULES[name];
if (!mod) throw new Error(`WARDEN_MUTATE_MODULE must be one of ${Object.keys(MUTATE_MODULES).join(', ')}`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: mod.mutate,
  // Node's own test runner has no Stryker plugin, but a node:test file run as `node file.test.ts`
  // prints TAP, which the tap runner reads; it also reports which file covers which mutant, so each
  // mutant runs only the test files that reach it.
  testRunner: 'tap',
  tap: { testFiles: mod.tests, nodeArgs: ['--import', 'tsx'], forceBail: true },
  coverageAnalysis: 'perTest',
  // Two cores shared with other work: one mutant at a time unless the caller says otherwise.
  concurrency: Number(process.env.WARDEN_MUTATE_CONCURRENCY ?? 1),
  // Generous: the machine is shared, and a run slowed by load must not pass for a mutant that hangs.
  timeoutMS: 20000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  incremental: process.env.WARDEN_MUTATE_INCREMENTAL === '1',
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['reports', 'dist', '.warden', 'bench/node_modules', 'eval/node_modules'],
  plugins: ['@stryker-mutator/tap-runner'],
  thresholds: { high: 90, low: 85, break: null },
};
