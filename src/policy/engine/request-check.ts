/**
 * With a schema, Cedar reads a request's context and entities through the schema and (unless told not
 * to) validates the request against it: the action must be declared, the principal and resource types
 * must be ones it applies to, the context and the entities must conform. The compiled engine does not
 * re-implement that reading; it asks cedar-wasm, the reference, through an empty preparsed policy set
 * and the preparsed schema, so both engines refuse exactly the same requests. This costs a wasm call per
 * request, and only with a schema (`warden policy test`, the fuzzer); Warden's own decision point passes
 * none, and its hot path never comes here.
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { callWithLosslessJson } from './wasm-json.js';
import type { AuthzRequest, EntityJson, Schema } from './types.js';

export interface RequestChecker {
  /** Undefined when Cedar accepts the request; else Cedar's reason. */
  check(request: AuthzRequest, requestEntities: readonly EntityJson[]): string | undefined;
  dispose(): void;
}

let nextId = 0;

export function createRequestChecker(schema: Schema): RequestChecker {
  const id = `warden-check-${process.pid}-${nextId++}`;
  const set = cedar.preparsePolicySet(id, { staticPolicies: {} });
  if (set.type === 'failure') throw new Error(`cedar could not prepare an empty policy set: ${set.errors.map((e) => e.message).join('; ')}`);
  const parsed = cedar.preparseSchema(id, schema);
  if (parsed.type === 'failure') throw new Error(`cedar could not parse the schema: ${parsed.errors.map((e) => e.message).join('; ')}`);
  return {
    check(request, requestEntities) {
      const call = {
        principal: request.principal,
        action: request.action,
        resource: request.resource,
        context: request.context,
        preparsedPolicySetId: id,
        preparsedSchemaName: id,
        validateRequest: request.validateRequest ?? true,
        entities: requestEntities as EntityJson[],
      };
      const answer = callWithLosslessJson(call, () => cedar.statefulIsAuthorized(call));
      return answer.type === 'failure' ? answer.errors.map((e) => e.message).join('; ') : undefined;
    },
    dispose() {
      cedar.preparsePolicySet(id, { staticPolicies: {} });
      cedar.preparseSchema(id, '');
    },
  };
}

/** Cedar's own check of entity data (shape, values, duplicates, cycles; conformance with a schema). */
export function checkEntities(entities: readonly EntityJson[], schema: Schema | undefined): string | undefined {
  const call = { entities: entities as EntityJson[], ...(schema === undefined ? {} : { schema }) };
  try {
    const answer = callWithLosslessJson(call, () => cedar.checkParseEntities(call));
    return answer.type === 'failure' ? answer.errors.map((e) => e.message).join('; ') : undefined;
  } catch (err) {
    // cedar-wasm throws (instead of answering) when its JSON reader cannot read the text at all, e.g.
    // a number beyond a double's range: entity data Cedar cannot read, like any other refusal
    return err instanceof Error ? err.message : String(err);
  }
}
