/**
 * The policy decision point: holds the active policy version's evaluators and decides requests with
 * Warden's outcomes. Cedar says allow or deny; Warden adds step_up: a deny whose determining forbids all
 * carry `@on_deny("step_up")`, and which the set without those forbids would allow, can be satisfied by
 * stronger authentication. A denial is a value; only the gateway maps it to HTTP.
 */
import type { DecisionOutcome, DecisionReason } from '../core/index.js';
import { compileBundle, type CompiledBundle } from './compile.js';
import type { PolicyBundle } from './bundle.js';
import { createEvaluator } from './engine/index.js';
import type { AuthzRequest, EngineName, EntityJson, PolicyEvaluator } from './engine/types.js';

export interface PdpResult {
  outcome: DecisionOutcome;
  reasons: DecisionReason[];
  policyIds: string[];
  errors: { policyId: string; message: string }[];
  version: number;
}

interface ActiveSet {
  version: number;
  compiled: CompiledBundle;
  evaluator: PolicyEvaluator;
  withoutStepUp: PolicyEvaluator;
}

export interface LoadReport {
  version: number;
  engine: EngineName;
  /** Set when the compiled engine could not take this set and cedar-wasm decides instead. */
  fallbackReason?: string;
}

export class PolicyDecisionPoint {
  private active: ActiveSet | undefined;

  constructor(private readonly engine: EngineName) {}

  get version(): number | undefined {
    return this.active?.version;
  }

  get compiled(): CompiledBundle | undefined {
    return this.active?.compiled;
  }

  /** Validates and loads a bundle; on any error the set in force stays in force. */
  load(version: number, bundle: PolicyBundle): LoadReport {
    const compiled = compileBundle(bundle);
    const main = createEvaluator({ policies: compiled.policies, entities: bundle.entities }, this.engine);
    const withoutStepUp = createEvaluator({ policies: compiled.withoutStepUp, entities: bundle.entities }, this.engine);
    const previous = this.active;
    this.active = { version, compiled, evaluator: main.evaluator, withoutStepUp: withoutStepUp.evaluator };
    previous?.evaluator.dispose();
    previous?.withoutStepUp.dispose();
    return { version, engine: main.fallbackReason ? 'wasm' : this.engine, ...(main.fallbackReason ? { fallbackReason: main.fallbackReason } : {}) };
  }

  decide(request: AuthzRequest, entities: EntityJson[]): PdpResult {
    const active = this.active;
    if (!active) throw new Error('no policy set is loaded');
    const result = active.evaluator.isAuthorized(request, entities);
    const base = { errors: result.errors, version: active.version, policyIds: result.determining };
    if (result.decision === 'allow') {
      return { ...base, outcome: 'allow', reasons: result.determining.map((id) => this.reason(active, id, 'permitted')) };
    }
    const stepUp =
      result.determining.length > 0 &&
      result.determining.every((id) => active.compiled.stepUpIds.has(id)) &&
      active.withoutStepUp.isAuthorized(request, entities).decision === 'allow';
    const reasons = result.determining.length
      ? result.determining.map((id) => this.reason(active, id, stepUp ? 'requires stronger authentication' : 'forbidden'))
      : [{ policyId: '', message: 'no policy permits this request' }];
    return { ...base, outcome: stepUp ? 'step_up' : 'deny', reasons };
  }

  private reason(active: ActiveSet, policyId: string, fallback: string): DecisionReason {
    const annotations = active.compiled.annotations.get(policyId);
    return { policyId, message: annotations?.reason ?? annotations?.message ?? `${fallback} by \`${policyId}\`` };
  }
}
