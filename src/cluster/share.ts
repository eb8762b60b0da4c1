/**
 * Connects the modules that hold fast state to the shared state, with a hook each rather than a rewrite:
 * API key revocations (this store's and those read from its table) go out and others' come in; a policy
 * activation elsewhere makes this instance load the active version now instead of at its next poll; a
 * risk score that crossed a threshold on another instance counts here too. Every decision is still made
 * from memory: the listeners only update in-memory indexes.
 *
 * @example
 * const { risk } = shareState(state, { apiKeys, policies, risk: engine, bus, logger });
 */
import { z } from 'zod';
import type { EntityRef, RiskSnapshot, Logger } from '../core/index.js';
import type { EventBus } from '../events/index.js';
import type { ApiKeyStore } from '../identity/index.js';
import type { PolicyManager } from '../policy/index.js';
import type { SharedState } from './shared-state.js';

export interface ShareTargets {
  apiKeys: ApiKeyStore;
  policies: PolicyManager;
  risk: { snapshot(principal: EntityRef, sessionId?: string): RiskSnapshot };
  bus: EventBus;
  logger: Logger;
}

/** The key under which the one active policy version is shared. */
const ACTIVE_POLICY = 'active';

const revocationShape = z.object({ at: z.string().max(64) });
const snapshotShape = z.object({
  score: z.number().finite().min(0).max(100),
  factors: z.array(z.object({ name: z.string().max(200), weight: z.number().finite(), detail: z.string().max(2000).optional() })).max(64),
});

/** Tells the other instances that this one activated a policy version. */
export function announcePolicyActivation(state: SharedState, version: number): Promise<void> {
  return state.put('policy-activation', ACTIVE_POLICY, { version });
}

export function shareState(state: SharedState, targets: ShareTargets): { risk: ShareTargets['risk']; close(): void } {
  const { apiKeys, policies, bus, logger } = targets;
  const fail = (what: string) => (error: unknown) => logger.error({ err: error }, `could not share ${what}; it stays in force here`);

  apiKeys.onRevoked((id, at) => void state.put('apikey-revocation', id, { at }).catch(fail('an API key revocation')));
  const revocations = state.watch('apikey-revocation', ({ key, value }) => {
    const parsed = revocationShape.safeParse(value);
    // A malformed value still names a key someone meant to revoke, and a removed entry does not bring a
    // key back (revocations are permanent): refusing it is the safe reading either way.
    apiKeys.applyRevocation(key, parsed.success ? parsed.data.at : new Date().toISOString());
  });

  const activations = state.watch('policy-activation', ({ origin }) => {
    if (origin !== state.instanceId) {
      void policies.checkForActivation().catch((error: unknown) => logger.error({ err: error }, 'could not load the policy version another instance activated; the set in force stays'));
    }
  });

  const remoteRisk = new Map<string, RiskSnapshot>();
  const snapshots = state.watch('risk-snapshot', ({ key, value, origin }) => {
    if (origin === state.instanceId) return;
    const parsed = snapshotShape.safeParse(value);
    if (parsed.success) remoteRisk.set(key, parsed.data as RiskSnapshot);
    else remoteRisk.delete(key);
  });
  const riskEvents = bus.subscribe(
    (event) => {
      if (event.type !== 'risk') return;
      const snapshot: RiskSnapshot = { score: event.score, factors: event.factors };
      void state.put('risk-snapshot', `${event.principal.type}:${event.principal.id}`, snapshot).catch(fail('a risk snapshot'));
    },
    { name: 'shared-state', types: ['risk'] },
  );

  const risk = {
    // The higher of this instance's score and the last one shared by another: the more careful answer.
    snapshot(principal: EntityRef, sessionId?: string): RiskSnapshot {
      const local = targets.risk.snapshot(principal, sessionId);
      const remote = remoteRisk.get(`${principal.type}:${principal.id}`);
      return remote && remote.score > local.score ? remote : local;
    },
  };
  return {
    risk,
    close: () => {
      for (const s of [revocations, activations, snapshots, riskEvents]) s.unsubscribe();
    },
  };
}
