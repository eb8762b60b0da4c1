/**
 * The compiled evaluator: every policy and template link compiled once to closures, entities indexed
 * once. Per request it converts only the request (uids, context) and the request entities.
 */
import type { AuthzRequest, AuthzResult, EntityJson, EvaluatorInput, PolicyEvaluator } from '../types.js';
import { policySetParts } from '../parts.js';
import { createSchemaReader, type SchemaReader } from '../schema-json.js';
import { checkEntities, createRequestChecker, type RequestChecker } from '../request-check.js';
import { compilePolicy, type CompiledPolicy } from './compile-policy.js';
import type { Env } from './compile-expr.js';
import { EntityDataError, EntityStore, uidFromJson, valueFromJson } from './entities.js';
import { CedarError, CedarRecord, UnsupportedConstruct, type EntityRef, type Value } from './values.js';

export { UnsupportedConstruct };

/** Compiles the set; throws `UnsupportedConstruct` when some construct needs cedar-wasm. */
export function compilePolicies(input: EvaluatorInput): CompiledPolicy[] {
  const parts = policySetParts(input.policies);
  const compiled: CompiledPolicy[] = parts.statics.map((p) => compilePolicy(p.id, p.json, new Map()));
  const templates = new Map(parts.templates.map((t) => [t.id, t.json]));
  for (const link of parts.links) {
    const template = templates.get(link.templateId);
    if (template === undefined) throw new UnsupportedConstruct(`link \`${link.id}\` names no template \`${link.templateId}\``);
    const slots = new Map<string, EntityRef>();
    for (const [slot, uid] of Object.entries(link.values)) slots.set(slot, uidFromJson(uid));
    compiled.push(compilePolicy(link.id, template, slots));
  }
  return compiled;
}

export function createCompiledEvaluator(input: EvaluatorInput): PolicyEvaluator {
  const schema: SchemaReader | undefined = input.schema === undefined ? undefined : createSchemaReader(input.schema);
  const policies = compilePolicies(input);
  const permits = policies.filter((p) => p.effect === 'permit');
  const forbids = policies.filter((p) => p.effect === 'forbid');
  // Bad entity data (a duplicate uid with other content, a cycle, a malformed value, and with a schema
  // anything that does not conform) fails every request, as with cedar-wasm, which reads the entities
  // per request. Cedar's own reader decides, once, here.
  let store: EntityStore | undefined;
  let storeError: EntityDataError | undefined;
  try {
    const problem = checkEntities(input.entities, input.schema);
    if (problem !== undefined) throw new EntityDataError(problem);
    store = EntityStore.build(schema === undefined ? input.entities : schema.entities(input.entities));
  } catch (err) {
    if (!(err instanceof EntityDataError)) throw err;
    storeError = err;
  }
  const checker: RequestChecker | undefined = input.schema === undefined ? undefined : createRequestChecker(input.schema);

  return {
    engine: 'compiled',
    isAuthorized(request: AuthzRequest, requestEntities: EntityJson[]): AuthzResult {
      if (store === undefined) throw storeError as EntityDataError;
      if (checker !== undefined) {
        const problem = checker.check(request, requestEntities);
        if (problem !== undefined) throw new EntityDataError(problem);
      }
      const action = uidFromJson(request.action);
      const contextJson = schema === undefined ? request.context : schema.context(request.context, action.type, action.id);
      const context = valueFromJson(contextJson ?? {});
      if (!(context instanceof CedarRecord)) throw new EntityDataError('the context must be a record');
      const extra = schema === undefined || requestEntities.length === 0 ? requestEntities : schema.entities(requestEntities, false);
      const env: Env = {
        principal: uidFromJson(request.principal),
        action,
        resource: uidFromJson(request.resource),
        context,
        entities: store.withRequestEntities(extra),
      };
      const errors: AuthzResult['errors'] = [];
      const forbidding = satisfiedIds(forbids, env, errors);
      const permitting = satisfiedIds(permits, env, errors);
      if (forbidding.length > 0) return { decision: 'deny', determining: forbidding, errors };
      if (permitting.length > 0) return { decision: 'allow', determining: permitting, errors };
      return { decision: 'deny', determining: [], errors };
    },
    dispose(): void {
      // closures are garbage-collected with the evaluator; the schema check holds wasm state
      checker?.dispose();
    },
  };
}

function satisfiedIds(policies: readonly CompiledPolicy[], env: Env, errors: AuthzResult['errors']): string[] {
  const ids: string[] = [];
  for (const p of policies) {
    try {
      if (p.satisfied(env)) ids.push(p.id);
    } catch (err) {
      if (!(err instanceof CedarError)) throw err;
      errors.push({ policyId: p.id, message: err.message });
    }
  }
  return ids;
}

export type { Value };
