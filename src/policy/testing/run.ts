/**
 * Runs loaded policy test cases against one engine: each request's decision, and (when the case gives
 * them) its determining policies and errored policies, compared as sets. With a schema and
 * `shouldValidate`, the policies' validation outcome (cedar-wasm's validator) is checked too.
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { createEvaluator, type AuthzResult, type EngineName, type PolicyEvaluator } from '../engine/index.js';
import type { PolicyTestCase, PolicyTestRequest } from './load.js';

export interface PolicyTestFailure {
  caseName: string;
  /** The request's description, or `(validation)` / `(load)`. */
  what: string;
  message: string;
}

export interface PolicyTestReport {
  passed: number;
  failed: number;
  failures: PolicyTestFailure[];
  /** Cases that ran on cedar-wasm although `compiled` was asked for, with the reason. */
  fallbacks: { caseName: string; reason: string }[];
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
};

const show = (ids: readonly string[]): string => `[${[...ids].sort().join(', ')}]`;

export function checkRequest(expected: PolicyTestRequest, got: AuthzResult): string | undefined {
  const problems: string[] = [];
  if (got.decision !== expected.decision) problems.push(`decision ${got.decision}, expected ${expected.decision}`);
  if (expected.reason !== undefined && !sameSet(got.determining, expected.reason)) {
    problems.push(`reason ${show(got.determining)}, expected ${show(expected.reason)}`);
  }
  const erroredIds = got.errors.map((e) => e.policyId);
  if (expected.errors !== undefined && !sameSet(erroredIds, expected.errors)) {
    problems.push(`errors ${show(erroredIds)}, expected ${show(expected.errors)} (${got.errors.map((e) => `${e.policyId}: ${e.message}`).join('; ')})`);
  }
  return problems.length === 0 ? undefined : problems.join('; ');
}

function validates(c: PolicyTestCase): boolean | string {
  if (c.validationSchema === undefined) return true;
  const answer = cedar.validate({ schema: c.validationSchema, policies: c.input.policies });
  if (answer.type === 'failure') return answer.errors.map((e) => e.message).join('; ');
  return answer.validationErrors.length === 0;
}

export function runCases(cases: readonly PolicyTestCase[], engine: EngineName): PolicyTestReport {
  const report: PolicyTestReport = { passed: 0, failed: 0, failures: [], fallbacks: [] };
  const fail = (caseName: string, what: string, message: string): void => {
    report.failed++;
    report.failures.push({ caseName, what, message });
  };
  for (const c of cases) {
    if (c.shouldValidate !== undefined) {
      const valid = validates(c);
      if (typeof valid === 'string') fail(c.name, '(validation)', `validation failed to run: ${valid}`);
      else if (valid !== c.shouldValidate) fail(c.name, '(validation)', `policies ${valid ? 'validate' : 'do not validate'}, expected the opposite`);
      else report.passed++;
    }
    let evaluator: PolicyEvaluator;
    try {
      const created = createEvaluator(c.input, engine);
      evaluator = created.evaluator;
      if (created.fallbackReason !== undefined) report.fallbacks.push({ caseName: c.name, reason: created.fallbackReason });
    } catch (err) {
      fail(c.name, '(load)', err instanceof Error ? err.message : String(err));
      report.failed += Math.max(0, c.requests.length - 1);
      continue;
    }
    try {
      c.requests.forEach((r, i) => {
        const what = `#${i} ${r.description}`.trim();
        let got: AuthzResult;
        try {
          got = evaluator.isAuthorized(r.request, []);
        } catch (err) {
          fail(c.name, what, `evaluation failed: ${err instanceof Error ? err.message : String(err)}`);
          return;
        }
        const problem = checkRequest(r, got);
        if (problem === undefined) report.passed++;
        else fail(c.name, what, problem);
      });
    } finally {
      evaluator.dispose();
    }
  }
  return report;
}
