/**
 * What the actions in force mean for a request, from memory: the hot path asks here and never reads the
 * store. Rebuilt whenever the set of active actions changes (actions are few; lookups are map reads).
 * Expiry is checked at lookup time, so an action stops applying the moment it expires even before the
 * sweeper records it.
 */
import type { BlockList } from 'node:net';
import type { EntityRef } from '../core/index.js';
import { blockListOf, parseNetwork, plainAddress, type Network } from './network.js';
import type { ActionRecord } from './types.js';

export interface PrincipalFacts {
  quarantined: boolean;
  stepUpRequired: boolean;
  /** Epoch seconds: an authentication older than this does not satisfy the step-up. */
  stepUpSince: number;
  /** Epoch ms: credentials issued before this are refused (revoke_credentials). */
  revokedBefore?: number;
}

const NONE: PrincipalFacts = { quarantined: false, stepUpRequired: false, stepUpSince: 0 };

export function principalKey(ref: EntityRef): string {
  return `${ref.type}:${ref.id}`;
}

export class EnforcementState {
  private readonly active = new Map<string, ActionRecord>();
  private byPrincipal = new Map<string, ActionRecord[]>();
  private devices = new Map<string, ActionRecord[]>();
  private assets = new Map<string, ActionRecord[]>();
  private sources: { action: ActionRecord; list: BlockList }[] = [];

  /** Replaces everything with the given actions (those not active are ignored). */
  replace(actions: Iterable<ActionRecord>): void {
    this.active.clear();
    for (const a of actions) if (a.status === 'active') this.active.set(a.id, a);
    this.reindex();
  }

  /** Adds, changes or (when no longer active) removes one action. */
  update(action: ActionRecord): void {
    if (action.status === 'active') this.active.set(action.id, action);
    else if (!this.active.delete(action.id)) return;
    this.reindex();
  }

  actions(): ActionRecord[] {
    return [...this.active.values()];
  }

  principal(ref: EntityRef, now = Date.now()): PrincipalFacts {
    const list = this.byPrincipal.get(principalKey(ref));
    if (!list) return NONE;
    const facts: PrincipalFacts = { ...NONE };
    for (const a of list) {
      if (!inForce(a, now)) continue;
      const since = Math.floor(Date.parse(a.enforcedAt ?? a.createdAt) / 1000);
      if (a.type === 'quarantine' && a.params.mode !== 'step_up') facts.quarantined = true;
      else if (a.type === 'quarantine' || a.type === 'require_step_up') {
        facts.stepUpRequired = true;
        facts.stepUpSince = Math.max(facts.stepUpSince, since);
      } else if (a.type === 'revoke_credentials') facts.revokedBefore = Math.max(facts.revokedBefore ?? 0, since * 1000);
    }
    return facts;
  }

  deviceIsolated(id: string, now = Date.now()): boolean {
    return (this.devices.get(id) ?? []).some((a) => inForce(a, now));
  }

  assetSuspect(id: string, now = Date.now()): boolean {
    return (this.assets.get(id) ?? []).some((a) => inForce(a, now));
  }

  /** The block_source action in force that covers `ip`, if any. */
  sourceBlock(ip: string, now = Date.now()): ActionRecord | undefined {
    if (this.sources.length === 0) return undefined;
    const plain = plainAddress(ip);
    if (!plain) return undefined;
    return this.sources.find((s) => inForce(s.action, now) && s.list.check(plain.address, plain.family))?.action;
  }

  private reindex(): void {
    const byPrincipal = new Map<string, ActionRecord[]>();
    const devices = new Map<string, ActionRecord[]>();
    const assets = new Map<string, ActionRecord[]>();
    const sources: { action: ActionRecord; list: BlockList }[] = [];
    const push = (map: Map<string, ActionRecord[]>, key: string, a: ActionRecord): void => {
      const list = map.get(key);
      if (list) list.push(a);
      else map.set(key, [a]);
    };
    for (const a of this.active.values()) {
      if (a.type === 'isolate_device') push(devices, a.target.id, a);
      else if (a.type === 'quarantine_asset') push(assets, a.target.id, a);
      else if (a.type === 'block_source') {
        const network = parseNetwork(String(a.params.network ?? a.target.id));
        if (network) sources.push({ action: a, list: blockListOf([network] as Network[]) });
      } else if (a.type !== 'notify') push(byPrincipal, principalKey(a.target), a);
    }
    this.byPrincipal = byPrincipal;
    this.devices = devices;
    this.assets = assets;
    this.sources = sources;
  }
}

export function inForce(a: ActionRecord, now: number): boolean {
  return a.status === 'active' && (a.expiresAt === undefined || Date.parse(a.expiresAt) > now);
}
