/**
 * Change control with the two-person rule: a change request (who, which asset, why, optionally the digest
 * the change will produce) must be approved by a different principal holding an approver role before the
 * watcher accepts a new digest for the asset. Requests, approvals and rejections are `asset` events. The
 * decision itself is one conditional write in the repository, so of two approvers acting at once (on two
 * instances) exactly one decides, and an approval is applied to one digest once.
 *
 * @example
 * const req = await changes.request({ assetId: 'm', reason: 'retrained on fixed labels' }, { id: 'alice' });
 * await changes.approve(req.id, { id: 'bob', roles: ['asset-approver'] });
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { WardenError } from '../../core/index.js';
import type { EventBus } from '../../events/index.js';
import type { ChangeFilter, IntegrityRepository } from '../store/types.js';
import type { AssetRegistry } from './registry.js';
import { assetIdSchema, type Actor, type ChangeRequest } from './types.js';

export const changeInputSchema = z.object({
  assetId: assetIdSchema,
  reason: z.string().min(1).max(2000),
  expectedDigest: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type ChangeInput = z.input<typeof changeInputSchema>;

export class ChangeControl {
  constructor(
    private readonly repo: IntegrityRepository,
    private readonly registry: AssetRegistry,
    private readonly options: { approverRoles: string[]; approvalTtlSeconds: number },
    private readonly bus?: EventBus,
  ) {}

  async request(input: ChangeInput, actor: Actor): Promise<ChangeRequest> {
    const parsed = changeInputSchema.safeParse(input);
    if (!parsed.success) throw new WardenError('validation_failed', `invalid change request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const c = parsed.data;
    await this.registry.require(c.assetId);
    const id = randomUUID();
    await this.repo.insertChange({
      id,
      assetId: c.assetId,
      requestedBy: actor.id,
      reason: c.reason,
      expectedDigest: c.expectedDigest ?? null,
      status: 'pending',
      decidedBy: null,
      decisionNote: null,
      createdAt: new Date().toISOString(),
      decidedAt: null,
      appliedAt: null,
      appliedDigest: null,
    });
    this.bus?.publish({ type: 'asset', assetId: c.assetId, change: 'change_requested', actor: { type: actor.type ?? 'User', id: actor.id }, details: { changeId: id, reason: c.reason, expectedDigest: c.expectedDigest ?? null } });
    return this.require(id);
  }

  approve(id: string, approver: Actor, note?: string): Promise<ChangeRequest> {
    return this.decide(id, approver, 'approved', note);
  }

  reject(id: string, approver: Actor, note?: string): Promise<ChangeRequest> {
    return this.decide(id, approver, 'rejected', note);
  }

  async get(id: string): Promise<ChangeRequest | undefined> {
    await this.expire();
    return this.repo.getChange(id);
  }

  async require(id: string): Promise<ChangeRequest> {
    const change = await this.get(id);
    if (!change) throw new WardenError('not_found', `no change request \`${id}\``);
    return change;
  }

  async list(filter: ChangeFilter = {}): Promise<ChangeRequest[]> {
    await this.expire();
    return this.repo.listChanges(filter);
  }

  /** The approved, unexpired change that allows `digest` for the asset, if any. */
  async approvedFor(assetId: string, digest: string): Promise<ChangeRequest | undefined> {
    return (await this.list({ assetId, status: 'approved' })).find((c) => c.expectedDigest === null || c.expectedDigest === digest);
  }

  /** Consumes an approval for `digest`; false when it was no longer there to use (applied elsewhere, or expired meanwhile). */
  markApplied(id: string, digest: string): Promise<boolean> {
    return this.repo.markApplied(id, digest, new Date().toISOString(), this.cutoff());
  }

  private async decide(id: string, approver: Actor, status: 'approved' | 'rejected', note?: string): Promise<ChangeRequest> {
    const change = await this.require(id);
    if (change.status !== 'pending') throw new WardenError('conflict', `change request \`${id}\` is ${change.status}, not pending`);
    if (approver.id === change.requestedBy) throw new WardenError('forbidden', 'two-person rule: the requester cannot approve or reject their own change');
    if (!(approver.roles ?? []).some((role) => this.options.approverRoles.includes(role))) {
      throw new WardenError('forbidden', `deciding a change needs one of the roles ${this.options.approverRoles.map((r) => `\`${r}\``).join(', ')}`);
    }
    if (note !== undefined && note.length > 2000) throw new WardenError('validation_failed', 'note is longer than 2000 characters');
    const decided = await this.repo.decideChange(id, { status, by: approver.id, note: note ?? null, at: new Date().toISOString() });
    if (!decided) {
      // Another decision was committed between the read above and this write (another instance, the CLI).
      const now = await this.require(id);
      throw new WardenError('conflict', `change request \`${id}\` is ${now.status}, not pending`);
    }
    this.bus?.publish({
      type: 'asset',
      assetId: change.assetId,
      change: status === 'approved' ? 'change_approved' : 'change_rejected',
      actor: { type: approver.type ?? 'User', id: approver.id },
      details: { changeId: id, requestedBy: change.requestedBy, note: note ?? null },
    });
    return decided;
  }

  private expire(): Promise<void> {
    return this.repo.expireApprovals(this.cutoff());
  }

  /** Approvals decided before this instant have expired. */
  private cutoff(): string {
    return new Date(Date.now() - this.options.approvalTtlSeconds * 1000).toISOString();
  }
}
