/**
 * The reference evaluator: cedar-wasm with the policy set preparsed once, so that a request sends only
 * the request and the entities across the wasm boundary.
 */
import { setFlagsFromString } from 'node:v8';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { checkEntities } from './request-check.js';
import { callWithLosslessJson } from './wasm-json.js';
import type { AuthzRequest, AuthzResult, EntityJson, EvaluatorInput, PolicyEvaluator } from './types.js';

// Node 20's V8 (11.3) can abort the process ("Fatal error ... unreachable code" in
// Deoptimizer::DoComputeBuiltinContinuation) when TurboFan has inlined JS-to-Wasm calls into
// cedar-wasm's glue and then deoptimises. Reproduced here with mixed cedar-wasm / compiled workloads
// (bench:pdp, fuzz:cedar); gone with this inlining off. It costs one JS-to-Wasm wrapper call per request.
setFlagsFromString('--no-turbo-inline-js-wasm-calls');

let nextSetId = 0;

export function createWasmEvaluator(input: EvaluatorInput): PolicyEvaluator {
  const setId = `warden-${process.pid}-${nextSetId++}`;
  const parsed = cedar.preparsePolicySet(setId, input.policies);
  if (parsed.type === 'failure') {
    throw new Error(`cedar could not parse the policy set: ${parsed.errors.map((e) => e.message).join('; ')}`);
  }
  let schemaName: string | undefined;
  if (input.schema !== undefined) {
    schemaName = `${setId}-schema`;
    const schema = cedar.preparseSchema(schemaName, input.schema);
    if (schema.type === 'failure') {
      throw new Error(`cedar could not parse the schema: ${schema.errors.map((e) => e.message).join('; ')}`);
    }
  }
  // Cedar refuses stored entity data with a uid listed twice with different content (and any other bad
  // data). Checked once here, because merging request entities below would hide such a duplicate.
  const entityProblem = checkEntities(input.entities, input.schema);
  const staticEntities = new Map<string, EntityJson>();
  if (entityProblem === undefined) for (const entity of input.entities) staticEntities.set(uidKey(entity.uid), entity);

  return {
    engine: 'wasm',
    isAuthorized(request: AuthzRequest, requestEntities: EntityJson[]): AuthzResult {
      if (entityProblem !== undefined) throw new Error(`cedar could not read the entities: ${entityProblem}`);
      let entities: EntityJson[];
      if (requestEntities.length === 0) entities = input.entities;
      else {
        const merged = new Map(staticEntities);
        for (const entity of requestEntities) merged.set(uidKey(entity.uid), entity);
        entities = [...merged.values()];
      }
      const call = {
        principal: request.principal,
        action: request.action,
        resource: request.resource,
        context: request.context,
        preparsedPolicySetId: setId,
        entities,
        ...(schemaName === undefined ? {} : { preparsedSchemaName: schemaName, validateRequest: request.validateRequest ?? true }),
      };
      const answer = callWithLosslessJson(call, () => cedar.statefulIsAuthorized(call));
      if (answer.type === 'failure') {
        throw new Error(`cedar could not evaluate the request: ${answer.errors.map((e) => e.message).join('; ')}`);
      }
      return {
        decision: answer.response.decision,
        determining: answer.response.diagnostics.reason,
        errors: answer.response.diagnostics.errors.map((e) => ({ policyId: e.policyId, message: e.error.message })),
      };
    },
    dispose(): void {
      // cedar-wasm keeps preparsed sets in a thread-local map without an eviction call; replacing the
      // id with an empty set frees the parsed policies.
      cedar.preparsePolicySet(setId, { staticPolicies: {} });
      if (schemaName !== undefined) cedar.preparseSchema(schemaName, '');
    },
  };
}

export function uidKey(uid: EntityJson['uid']): string {
  const ref = '__entity' in uid ? uid.__entity : uid;
  return `${ref.type}::${JSON.stringify(ref.id)}`;
}
