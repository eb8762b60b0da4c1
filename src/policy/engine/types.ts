/**
 * The evaluator contract shared by both Cedar engines: cedar-wasm (the reference) and the compiled
 * JavaScript evaluator. An evaluator is built once per published policy set and entity-store version;
 * a request brings only what changes per request (principal entity, context).
 */
import type { EntityJson, EntityUidJson, CedarValueJson, PolicySet, PolicyJson, Schema } from '@cedar-policy/cedar-wasm/nodejs';

export type { EntityJson, EntityUidJson, CedarValueJson, PolicySet, PolicyJson, Schema };

export interface AuthzRequest {
  principal: EntityUidJson;
  action: EntityUidJson;
  resource: EntityUidJson;
  context: Record<string, CedarValueJson>;
  /**
   * With a schema: validate the request against it (declared action, principal and resource types the
   * action applies to, conforming context), as Cedar does by default. Default true; ignored without a
   * schema.
   */
  validateRequest?: boolean;
}

export interface AuthzResult {
  decision: 'allow' | 'deny';
  /** Cedar's `reason`: the ids of the policies that determined the decision. */
  determining: string[];
  /** Policies skipped because their evaluation errored. */
  errors: { policyId: string; message: string }[];
}

export type EngineName = 'wasm' | 'compiled';

export interface EvaluatorInput {
  /** The policy set with explicit ids (static policies keyed by id, templates and links). */
  policies: PolicySet;
  /** Entities that do not change per request (groups, actions, resources). */
  entities: EntityJson[];
  /**
   * Optional schema (Cedar text or JSON). When given, entity and context JSON are read the way Cedar
   * reads them with a schema (extension values and entity references without escapes, e.g.
   * `"confidence": "0.6"` for a `decimal`), and the schema's action entities are added to the store.
   */
  schema?: Schema;
}

export interface PolicyEvaluator {
  readonly engine: EngineName;
  /**
   * Decides one request. `requestEntities` (the caller, its device) are added to, and take precedence
   * over, the evaluator's static entities for this request only.
   */
  isAuthorized(request: AuthzRequest, requestEntities: EntityJson[]): AuthzResult;
  /** Frees engine resources (e.g. the preparsed set inside cedar-wasm). */
  dispose(): void;
}
