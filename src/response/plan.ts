/**
 * From a playbook's action and what fired it to an action record: the target each type acts on, the
 * protected-principal downgrade (stepped up, never locked out), dry-run, approval and rate-limit
 * escalation. Pure: the engine stores and carries out what this returns.
 */
import { randomUUID } from 'node:crypto';
import type { EntityRef } from '../core/index.js';
import type { Playbook, PlaybookAction } from './config.js';
import type { Subject } from './matcher.js';
import { parseNetwork } from './network.js';
import type { ActionRecord } from './types.js';

export interface PlanContext {
  now: Date;
  protectedPrincipals: ReadonlySet<string>;
  /** The playbook's rate limit is exhausted for this target: a person decides. */
  escalate: boolean;
  incidentId?: string;
}

/** The entity an action of this type acts on, or why there is none. */
export function targetOf(action: PlaybookAction, subject: Subject): EntityRef | string {
  switch (action.type) {
    case 'revoke_credentials':
    case 'quarantine':
    case 'require_step_up':
      return subject.principal ?? `the event names no principal (entity ${subject.entity.type}::${subject.entity.id})`;
    case 'quarantine_asset':
      return subject.asset ? { type: 'Asset', id: subject.asset } : 'the event names no model or dataset';
    case 'isolate_device':
      return subject.device ? { type: 'Device', id: subject.device } : 'the event names no device';
    case 'block_source': {
      const network = action.network ?? subject.sourceIp;
      if (!network) return 'the event has no source address';
      return parseNetwork(network) ? { type: 'Network', id: network } : `\`${network.slice(0, 64)}\` is not an address or network`;
    }
    case 'notify':
      return subject.entity;
  }
}

/** The record, and whether to carry it out now (false: failed, dry-run, or waiting for a person). */
export function planAction(playbook: Playbook, action: PlaybookAction, subject: Subject, ctx: PlanContext): { record: ActionRecord; run: boolean } {
  const now = ctx.now.toISOString();
  const target = targetOf(action, subject);
  const base = {
    id: `act_${randomUUID()}`,
    playbook: playbook.name,
    reason: subject.summary,
    triggerEventId: subject.event.id,
    createdAt: now,
    updatedAt: now,
    ...(ctx.incidentId ? { incidentId: ctx.incidentId } : {}),
  };
  if (typeof target === 'string') return { record: { ...base, type: action.type, target: subject.entity, status: 'failed', params: { error: target } }, run: false };
  let type = action.type;
  const params: Record<string, unknown> = {};
  if (action.type === 'quarantine') params.mode = action.mode;
  if (action.type === 'block_source') params.network = target.id;
  if (action.type === 'notify') Object.assign(params, { url: action.url, secretRef: action.secret, format: action.format });
  if ('durationSeconds' in action) params.durationSeconds = action.durationSeconds;
  if (isPrincipal(target) && ctx.protectedPrincipals.has(target.id)) {
    // A break-glass account is asked for fresh MFA, never refused: an attacker who can cause detections
    // for it must not be able to lock the organisation out of its last way in.
    if (type === 'revoke_credentials') type = 'require_step_up';
    if (type === 'quarantine') params.mode = 'step_up';
    if (type !== action.type || action.type === 'quarantine') params.downgraded = 'protected principal';
  }
  if (playbook.dryRun) return { record: { ...base, type, target, status: 'dry_run', params }, run: false };
  const approval = 'approval' in action ? action.approval : undefined;
  if (ctx.escalate || approval?.required) {
    const deadline = approval?.deadlineSeconds ?? 3600;
    if (ctx.escalate) params.escalated = 'rate limit';
    return { record: { ...base, type, target, status: 'pending', params, expiresAt: new Date(ctx.now.getTime() + deadline * 1000).toISOString() }, run: false };
  }
  return { record: { ...base, type, target, status: 'pending', params }, run: true };
}

export function isPrincipal(ref: EntityRef): boolean {
  return ref.type === 'User' || ref.type === 'Agent' || ref.type === 'Service';
}

/** Actions that stop an attacker (everything but `notify`): the ones that contain an incident and count for the rate limit. */
export function isContaining(type: ActionRecord['type']): boolean {
  return type !== 'notify';
}
