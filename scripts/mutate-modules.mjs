// The security-critical modules that `npm run mutate` checks, each with the source files StrykerJS
// mutates and the only test files it runs against them (a mutant is judged by the tests that cover it,
// so each module's run stays minutes long on a 2-core machine). Smallest and most critical first: that
// is the order `npm run mutate` runs them in.
//
// Test files that spawn whole Warden servers or crash children (test/e2e, */crash.test.ts) are left
// out on purpose: a mutant that breaks start-up would time out there instead of failing fast, and the
// unit files below reach the same code.
export const MUTATE_MODULES = {
  identity: {
    mutate: ['src/identity/**/*.ts', '!src/identity/index.ts'],
    tests: ['test/foundation/identity.test.ts', 'test/foundation/identity-mutants*.test.ts'],
  },
  'audit-tree': {
    mutate: ['src/audit/tree.ts'],
    tests: ['test/audit/tree.test.ts', 'test/audit/mutants-tree*.test.ts'],
  },
  'audit-tree-state': {
    // The live log's tree view is reached only through the log (test/audit/log.test.ts, ~10 s a run).
    mutate: ['src/audit/tree-state.ts'],
    tests: ['test/audit/log.test.ts', 'test/audit/mutants-tree*.test.ts'],
  },
  'export-cursor': {
    // worker.ts lines 175-262: the holder's delivery loop, rewinds and the cursor commit (the rest is batching
    // and status, checked by the export tests but not the cursor's durability).
    mutate: ['src/export/store/sqlite.ts', 'src/export/backoff.ts', 'src/export/worker.ts:175-262'],
    tests: ['test/export/exporter.test.ts', 'test/export/audit-integration.test.ts', 'test/export/mutants*.test.ts', 'test/store/export-cursors.test.ts'],
  },
  'integrity-scan': {
    mutate: ['src/integrity/scan/**/*.ts', '!src/integrity/scan/index.ts'],
    tests: ['test/integrity/scan.test.ts', 'test/integrity/pickle-formats.test.ts', 'test/integrity/fuzz.test.ts', 'test/integrity/mutants-scan*.test.ts'],
  },
  'guard-request': {
    mutate: ['src/guard/request/**/*.ts'],
    // A mutant stops at the first test file that fails, in this order (named files first, then glob
    // matches): the short unit files before request.test.ts, which loads the whole guard (~2x slower).
    tests: ['test/guard/mutants-request-extract.test.ts', 'test/guard/mutants-request-inspect.test.ts', 'test/guard/mutants-request*.test.ts', 'test/guard/request.test.ts'],
  },
  'guard-output': {
    mutate: ['src/guard/output/**/*.ts'],
    tests: ['test/guard/output.test.ts', 'test/guard/answer-classifier.test.ts', 'test/guard/mutants-output*.test.ts'],
  },
  'integrity-verify': {
    mutate: ['src/integrity/signing/**/*.ts', 'src/integrity/verifier.ts', 'src/integrity/manifest.ts'],
    tests: ['test/integrity/sign-verify.test.ts', 'test/integrity/model-signing-vectors.test.ts', 'test/integrity/mutants-verify*.test.ts'],
  },
  'audit-verify': {
    // tamper.test.ts takes about 40 s a run: this module is the slowest to check.
    mutate: ['src/audit/verify.ts', 'src/audit/verify-scan.ts', 'src/audit/checkpoint.ts'],
    tests: ['test/audit/tamper.test.ts', 'test/audit/log.test.ts', 'test/audit/mutants-verify*.test.ts'],
  },
  policy: {
    // The decision point and the compiled engine's evaluator; the fuzzer and the test-case loader are
    // test tooling, not the enforcement path.
    mutate: ['src/policy/pdp.ts', 'src/policy/engine/request-check.ts', 'src/policy/engine/compiled/*.ts'],
    tests: ['test/foundation/policy.test.ts', 'test/policy-engine/compiled.test.ts', 'test/policy-engine/exactness.test.ts', 'test/policy-engine/request-values.test.ts', 'test/policy-engine/mutants*.test.ts'],
  },
};
