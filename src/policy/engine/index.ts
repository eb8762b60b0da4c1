/**
 * Warden's Cedar engines behind one contract: `wasm` (cedar-wasm, the reference) and `compiled` (the
 * policy set compiled to JavaScript closures, proven equal by the integration corpus and the
 * differential fuzzer). A set the compiler cannot handle runs on cedar-wasm, and says why.
 *
 * @example
 *   const { evaluator, fallbackReason } = createEvaluator({ policies, entities }, 'compiled');
 *   if (fallbackReason) log.warn({ fallbackReason }, 'policy set runs on cedar-wasm');
 *   const result = evaluator.isAuthorized(request, [callerEntity]);
 */
import { createCompiledEvaluator, UnsupportedConstruct } from './compiled/evaluator.js';
import { createWasmEvaluator } from './wasm.js';
import type { EngineName, EvaluatorInput, PolicyEvaluator } from './types.js';

export type {
  AuthzRequest,
  AuthzResult,
  CedarValueJson,
  EngineName,
  EntityJson,
  EntityUidJson,
  EvaluatorInput,
  PolicyEvaluator,
  PolicyJson,
  PolicySet,
  Schema,
} from './types.js';
export { createWasmEvaluator, uidKey } from './wasm.js';
export { createCompiledEvaluator, compilePolicies, UnsupportedConstruct } from './compiled/evaluator.js';
export { policyAnnotations, policySetParts, splitPolicyText, PolicyParseError } from './parts.js';
export { createSchemaReader, SchemaReadError, type SchemaReader } from './schema-json.js';
export { EntityDataError } from './compiled/entities.js';

export const ENGINE_NAMES: readonly EngineName[] = ['compiled', 'wasm'];

export interface CreatedEvaluator {
  evaluator: PolicyEvaluator;
  /** Set when `compiled` was asked for but the set uses a construct the compiler does not handle. */
  fallbackReason?: string;
}

/**
 * Builds the evaluator for a published policy set. For `compiled`, a construct the compiler does not
 * handle makes the whole set run on cedar-wasm, with `fallbackReason` saying why (log it and count it:
 * never silently different). Parse errors are thrown, as cedar-wasm throws them.
 */
export function createEvaluator(input: EvaluatorInput, engine: EngineName): CreatedEvaluator {
  if (engine === 'wasm') return { evaluator: createWasmEvaluator(input) };
  try {
    return { evaluator: createCompiledEvaluator(input) };
  } catch (err) {
    if (!(err instanceof UnsupportedConstruct)) throw err;
    return { evaluator: createWasmEvaluator(input), fallbackReason: err.message };
  }
}
