/**
 * The gateway's view of the actions in force (the pipeline's `ResponseGate`) and the asset overlay:
 * both read `EnforcementState` in memory, never the store.
 */
import type { Identity, Principal } from '../core/index.js';
import type { ResponseContextFacts } from '../policy/index.js';
import type { EnforcementState, PrincipalFacts } from './state.js';

const RESOURCE_KINDS_WITH_SUSPECT = new Set(['model', 'dataset']);

export class ResponseGate {
  constructor(private readonly state: EnforcementState) {}

  sourceBlocked(ip: string): boolean {
    return this.state.sourceBlock(ip) !== undefined;
  }

  revoked(identity: Identity): boolean {
    const { revokedBefore } = this.merged(identity);
    if (revokedBefore === undefined) return false;
    const authn = identity.authentication;
    // An API key is revoked in the key store itself; a token or certificate is refused when it predates the
    // revocation (a token without `iat`, or a certificate, cannot show that it does not).
    if (authn.method === 'apikey') return false;
    return authn.issuedAt === undefined || authn.issuedAt * 1000 <= revokedBefore;
  }

  facts(identity: Identity): ResponseContextFacts {
    const f = this.merged(identity);
    const deviceIsolated = identity.device !== undefined && this.state.deviceIsolated(identity.device.id);
    return {
      ...(f.quarantined || f.stepUpRequired ? { response: { quarantined: f.quarantined, stepUpRequired: f.stepUpRequired, stepUpSince: f.stepUpSince } } : {}),
      ...(deviceIsolated ? { deviceIsolated } : {}),
    };
  }

  /** An agent acting for a quarantined user is as quarantined as the user. */
  private merged(identity: Identity): PrincipalFacts {
    const of = (p: Principal): PrincipalFacts => this.state.principal({ type: p.kind, id: p.id });
    const own = of(identity.principal);
    if (!identity.delegation) return own;
    const other = of(identity.delegation.onBehalfOf);
    const revokedBefore = Math.max(own.revokedBefore ?? -1, other.revokedBefore ?? -1);
    return {
      quarantined: own.quarantined || other.quarantined,
      stepUpRequired: own.stepUpRequired || other.stepUpRequired,
      stepUpSince: Math.max(own.stepUpSince, other.stepUpSince),
      ...(revokedBefore >= 0 ? { revokedBefore } : {}),
    };
  }
}

/** Integrity attributes with `suspect: true` for an asset under `quarantine_asset`. */
export function withQuarantinedAssets(state: EnforcementState, attributes: (type: string, id: string) => object | undefined): (type: string, id: string) => object | undefined {
  return (type, id) => {
    const base = attributes(type, id);
    const kind = type.slice(type.lastIndexOf(':') + 1).toLowerCase();
    if (!RESOURCE_KINDS_WITH_SUSPECT.has(kind) || !state.assetSuspect(id)) return base;
    return { ...base, suspect: true };
  };
}
