/**
 * Change control with the two-person rule: a change request (who, which asset, why, optionally the digest
 * the change will produce) must be approved by a different principal holding an approver role before the
 * watcher accepts a new digest for the asset. Requests, approvals and rejections are `asset` events.
 *
 * @example
 * const req = changes.request({ assetId: 'm', reason: 'retrained on fixed labels' }, { id: 'alice' });
 * changes.approve(req.id, { id: 'bob', roles: ['asset-approver'] });
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { WardenError } from '../../core/errors.js';
import type { EventBus } from '../../events/bus.js';
import type { SqliteDatabase } from '../../store/database.js';
import type { AssetRegistry } from './registry.js';
import { assetIdSchema, type Actor, type ChangeRequest } from './types.js';

export const changeInputSchema = z.object({
  assetId: assetIdSchema,
  reason: z.string().min(1).max(2000),
  expectedDigest: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type ChangeInput = z.input<typeof changeInputSchema>;

interface ChangeRow {
  id: string;
  asset_id: string;
  requested_by: string;
  reason: string;
  expected_digest: string | null;
  status: ChangeRequest['status'];
  decided_by: string | null;
  decision_note: string | null;
  created_at: string;
  decided_at: string | null;
  applied_at: string | null;
  applied_digest: string | null;
}

function toChange(r: ChangeRow): ChangeRequest {
  return { id: r.id, assetId: r.asset_id, requestedBy: r.requested_by, reason: r.reason, expectedDigest: r.expected_digest, status: r.status, decidedBy: r.decided_by, decisionNote: r.decision_note, createdAt: r.created_at, decidedAt: r.decided_at, appliedAt: r.applied_at, appliedDigest: r.applied_digest };
}

export class ChangeControl {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly registry: AssetRegistry,
    private readonly options: { approverRoles: string[]; approvalTtlSeconds: number },
    private readonly bus?: EventBus,
  ) {}

  request(input: ChangeInput, actor: Actor): ChangeRequest {
    const parsed = changeInputSchema.safeParse(input);
    if (!parsed.success) throw new WardenError('validation_failed', `invalid change request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const c = parsed.data;
    this.registry.require(c.assetId);
    const id = randomUUID();
    this.db
      .prepare('INSERT INTO integrity_changes (id, asset_id, requested_by, reason, expected_digest, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, c.assetId, actor.id, c.reason, c.expectedDigest ?? null, 'pending', new Date().toISOString());
    this.bus?.publish({ type: 'asset', assetId: c.assetId, change: 'change_requested', actor: { type: actor.type ?? 'User', id: actor.id }, details: { changeId: id, reason: c.reason, expectedDigest: c.expectedDigest ?? null } });
    return this.require(id);
  }

  approve(id: string, approver: Actor, note?: string): ChangeRequest {
    return this.decide(id, approver, 'approved', note);
  }

  reject(id: string, approver: Actor, note?: string): ChangeRequest {
    return this.decide(id, approver, 'rejected', note);
  }

  get(id: string): ChangeRequest | undefined {
    this.expire();
    const row = this.db.prepare('SELECT * FROM integrity_changes WHERE id = ?').get(id) as ChangeRow | undefined;
    return row ? toChange(row) : undefined;
  }

  require(id: string): ChangeRequest {
    const change = this.get(id);
    if (!change) throw new WardenError('not_found', `no change request \`${id}\``);
    return change;
  }

  list(filter: { assetId?: string; status?: ChangeRequest['status'] } = {}): ChangeRequest[] {
    this.expire();
    const rows = this.db
      .prepare('SELECT * FROM integrity_changes WHERE (? IS NULL OR asset_id = ?) AND (? IS NULL OR status = ?) ORDER BY created_at, id')
      .all(filter.assetId ?? null, filter.assetId ?? null, filter.status ?? null, filter.status ?? null) as ChangeRow[];
    return rows.map(toChange);
  }

  /** The approved, unexpired change that allows `digest` for the asset, if any. */
  approvedFor(assetId: string, digest: string): ChangeRequest | undefined {
    return this.list({ assetId, status: 'approved' }).find((c) => c.expectedDigest === null || c.expectedDigest === digest);
  }

  markApplied(id: string, digest: string): void {
    this.db.prepare("UPDATE integrity_changes SET status = 'applied', applied_at = ?, applied_digest = ? WHERE id = ? AND status = 'approved'").run(new Date().toISOString(), digest, id);
  }

  private decide(id: string, approver: Actor, status: 'approved' | 'rejected', note?: string): ChangeRequest {
    const change = this.require(id);
    if (change.status !== 'pending') throw new WardenError('conflict', `change request \`${id}\` is ${change.status}, not pending`);
    if (approver.id === change.requestedBy) throw new WardenError('forbidden', 'two-person rule: the requester cannot approve or reject their own change');
    if (!(approver.roles ?? []).some((role) => this.options.approverRoles.includes(role))) {
      throw new WardenError('forbidden', `deciding a change needs one of the roles ${this.options.approverRoles.map((r) => `\`${r}\``).join(', ')}`);
    }
    if (note !== undefined && note.length > 2000) throw new WardenError('validation_failed', 'note is longer than 2000 characters');
    this.db.prepare('UPDATE integrity_changes SET status = ?, decided_by = ?, decision_note = ?, decided_at = ? WHERE id = ?').run(status, approver.id, note ?? null, new Date().toISOString(), id);
    this.bus?.publish({
      type: 'asset',
      assetId: change.assetId,
      change: status === 'approved' ? 'change_approved' : 'change_rejected',
      actor: { type: approver.type ?? 'User', id: approver.id },
      details: { changeId: id, requestedBy: change.requestedBy, note: note ?? null },
    });
    return this.require(id);
  }

  private expire(): void {
    const cutoff = new Date(Date.now() - this.options.approvalTtlSeconds * 1000).toISOString();
    this.db.prepare("UPDATE integrity_changes SET status = 'expired' WHERE status = 'approved' AND decided_at < ?").run(cutoff);
  }
}
