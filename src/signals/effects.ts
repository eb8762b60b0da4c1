/**
 * What each received signal does, stored first and then in force in memory (`SignalState`), and what it
 * tells the rest of Warden: one `detection` event per signal (`ssf.<event>`) that the audit log records,
 * the risk engine scores and the response playbooks match.
 *
 * | signal                     | effect |
 * | ---                        | --- |
 * | session-revoked            | credentials of the principal issued before the event are refused; its requests in flight are cut |
 * | credential-change          | the same, unless the change is `create` (a new factor ends no session) |
 * | assurance-level-change     | `context.authn.assurance`; a single-factor level lowers `authn.mfa` for credentials from before it |
 * | device-compliance-change   | the device's `compliant` fact, with `source` `ssf:<issuer>` |
 * | account-disabled           | every request of the principal is refused (`account_disabled`) until account-enabled |
 * | credential-compromise      | as session-revoked, and its API keys are revoked; the detection raises its risk |
 */
import type { DetectionEvent, Severity, EntityRef, PrincipalKind } from '../core/index.js';
import type { EventBus } from '../events/index.js';
import type { Directory } from '../identity/index.js';
import type { CredentialStore, StreamCutter } from '../response/index.js';
import type { Signal, SignalKind } from './events.js';
import type { SignalState } from './state.js';
import type { SignalsRepository } from './store/types.js';

export interface SignalEffectsOptions {
  repo: SignalsRepository;
  state: SignalState;
  directory: Directory;
  bus: EventBus;
  instanceId: string;
  credentials: CredentialStore;
  streams?: StreamCutter;
}

/** Severity and risk confidence (0..1) of each signal's detection. */
const WEIGHT: Record<SignalKind, { severity: Severity; score: number }> = {
  'session-revoked': { severity: 'low', score: 0 },
  'credential-change': { severity: 'info', score: 0 },
  'assurance-level-change': { severity: 'info', score: 0 },
  'device-compliance-change': { severity: 'medium', score: 0 },
  'account-disabled': { severity: 'high', score: 0 },
  'account-enabled': { severity: 'info', score: 0 },
  'credential-compromise': { severity: 'critical', score: 1 },
};

const KINDS: readonly PrincipalKind[] = ['User', 'Agent', 'Service'];

export class SignalEffects {
  constructor(private readonly options: SignalEffectsOptions) {}

  async apply(signal: Signal, nowMs = Date.now()): Promise<void> {
    const { repo } = this.options;
    const now = new Date(nowMs).toISOString();
    const at = new Date(signal.eventTime).toISOString();
    const principal = signal.principal;
    const details: Record<string, unknown> = { issuer: signal.issuer, jti: signal.jti, eventTime: at };
    switch (signal.kind) {
      case 'session-revoked':
        await repo.revokeSessions(principal!, at, now);
        break;
      case 'credential-change':
        if (signal.fields.change_type !== 'create') await repo.revokeSessions(principal!, at, now);
        details.credentialType = signal.fields.credential_type;
        details.changeType = signal.fields.change_type;
        break;
      case 'assurance-level-change':
        await repo.setAssurance(principal!, { namespace: String(signal.fields.namespace), level: String(signal.fields.current_level), at }, now);
        details.namespace = signal.fields.namespace;
        details.currentLevel = signal.fields.current_level;
        break;
      case 'device-compliance-change':
        details.stored = await repo.savePosture({ device: signal.device!, source: `ssf:${signal.issuer}`, facts: { compliant: signal.fields.current_status === 'compliant' }, observedAt: at, receivedAt: now });
        details.device = signal.device;
        details.currentStatus = signal.fields.current_status;
        break;
      case 'account-disabled':
        await repo.setDisabled(principal!, at, now);
        break;
      case 'account-enabled': {
        // A late delivery of an older enablement does not undo a newer disablement.
        const disabledAt = this.options.state.principal(principal!)?.disabledAt;
        if (disabledAt && Date.parse(disabledAt) > signal.eventTime) details.ignored = 'the account was disabled after this event';
        else await repo.setDisabled(principal!, null, now);
        break;
      }
      case 'credential-compromise': {
        // The compromise may predate the report: everything issued until now is suspect.
        await repo.revokeSessions(principal!, now, now);
        const keys = (await this.options.credentials.list(principal!)).filter((k) => !k.revokedAt);
        for (const k of keys) await this.options.credentials.revoke(k.id);
        details.revokedKeys = keys.map((k) => k.id);
        details.credentialType = signal.fields.credential_type;
        break;
      }
    }
    await this.options.state.reload();
    if (principal !== undefined && ['session-revoked', 'account-disabled', 'credential-compromise'].includes(signal.kind)) this.cut(principal);
    this.publish(signal, details);
  }

  private cut(principal: string): void {
    for (const type of KINDS) this.options.streams?.cut({ type, id: principal });
  }

  private publish(signal: Signal, details: Record<string, unknown>): void {
    const entity: EntityRef = signal.kind === 'device-compliance-change' ? { type: 'Device', id: signal.device! } : { type: this.options.directory.principal(signal.principal!).kind, id: signal.principal! };
    const { severity, score } = WEIGHT[signal.kind];
    const event: Omit<DetectionEvent, 'id' | 'time'> = {
      type: 'detection',
      source: this.options.instanceId,
      detector: `ssf.${signal.kind}`,
      category: signal.kind === 'device-compliance-change' ? 'device' : 'identity',
      entity,
      score,
      severity: signal.kind === 'device-compliance-change' && signal.fields.current_status === 'compliant' ? 'info' : severity,
      explanation: `the identity provider \`${signal.issuer}\` sent \`${signal.kind}\``,
      details,
    };
    this.options.bus.publish(event);
  }
}
