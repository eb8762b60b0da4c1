/**
 * One decision explained: the recorded event, the policies that decided it with their text and
 * annotations (from the policy version in force now, named in the answer: decision events record policy
 * ids, not versions), the context the decision saw (authentication, device, network, risk score and the
 * principal's current risk factors), detections raised for the same request, and whether the outcome
 * was enforced or only recorded (monitor mode). Decision events never hold prompt text or secrets.
 */
import { WardenError, type DecisionEvent } from '../core/index.js';
import type { DecisionLog } from '../events/index.js';
import type { RiskSource } from '../gateway/index.js';
import { compileBundle, type CompiledBundle, type PolicyManager } from '../policy/index.js';
import type { RiskEngine } from '../risk/index.js';

export interface PolicyExplanation {
  id: string;
  effect: 'permit' | 'forbid' | 'unknown';
  text: string | null;
  annotations: Record<string, string>;
  source: { file: string; line: number } | null;
}

export interface ExplainDeps {
  decisions: DecisionLog;
  policies: PolicyManager;
  risk: RiskSource;
  engine: Pick<RiskEngine, 'detections'>;
}

export class DecisionExplainer {
  private compiled: { version: number; bundle: CompiledBundle } | undefined;

  constructor(private readonly deps: ExplainDeps) {}

  async explain(decisionId: string): Promise<Record<string, unknown>> {
    await this.deps.decisions.flush();
    const event: DecisionEvent | undefined = await this.deps.decisions.repo.get(decisionId);
    if (!event) throw new WardenError('not_found', 'no decision with this id');
    const active = await this.activeBundle();
    const policies: PolicyExplanation[] = event.policyIds.map((id) => {
      const text = (active?.bundle.policies.staticPolicies as Record<string, string> | undefined)?.[id] ?? null;
      const effect = text === null ? 'unknown' : /^\s*(@[^\n]*\n\s*)*forbid\b/.test(text) ? 'forbid' : 'permit';
      return { id, effect, text, annotations: active?.bundle.annotations.get(id) ?? {}, source: active?.bundle.source.get(id) ?? null };
    });
    const principal = event.principal;
    // Detections do not name the request that raised them: those of the principal from shortly before
    // the decision until a minute after it (detectors run after the decision) are the ones it relates to.
    const at = Date.parse(event.time);
    const detections = principal
      ? (await this.deps.engine.detections({ entityType: principal.type, entityId: principal.id, since: new Date(at - 10 * 60_000).toISOString(), limit: 50 }))
          .filter((d) => Date.parse(d.time) <= at + 60_000)
      : [];
    return {
      decision: event,
      policyVersion: active?.version ?? null,
      policies,
      context: {
        authentication: { method: event.authMethod ?? 'none', credentialId: event.credentialId ?? null },
        device: event.device ?? null,
        network: { sourceIp: event.sourceIp, userAgent: event.userAgent ?? null },
        delegation: event.delegation ?? null,
        riskAtDecision: event.risk ?? null,
        riskNow: principal ? this.deps.risk.snapshot({ type: principal.type, id: principal.id }) : null,
      },
      detections,
      monitorOnly: !event.enforced,
    };
  }

  private async activeBundle(): Promise<{ version: number; bundle: CompiledBundle } | undefined> {
    const version = this.deps.policies.pdp.version;
    if (version === undefined) return undefined;
    if (this.compiled?.version !== version) {
      const stored = await this.deps.policies.store.get(version);
      if (!stored) return undefined;
      this.compiled = { version, bundle: compileBundle(stored) };
    }
    return this.compiled;
  }
}
