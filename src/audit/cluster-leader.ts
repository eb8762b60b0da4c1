/**
 * The leader's work: drain the inbox into the Merkle log, one transaction per batch. A batch appends the
 * events not already in the log (by event id, also under a unique index: an event enqueued twice, say an
 * insert retried after its acknowledgement was lost, is appended once), signs a checkpoint when one is
 * due, and deletes the inbox rows it consumed. Either all of that commits or none: a leader killed mid-batch leaves neither a gap nor a
 * duplicate, and the next leader rebuilds the tree from what is stored.
 */
import type { WardenEvent } from '../core/index.js';
import type { SignedCheckpoint } from './checkpoint.js';
import type { AuditConfig } from './config.js';
import { DataKeyRotation, activeKeyFrom } from './data-key-rotation.js';
import { encodeLeafInput } from './encoding.js';
import { eventProblem, parseOwnNote } from './log-checks.js';
import { CheckpointSchedule, signAt } from './log-checkpoints.js';
import type { AuditLogger } from './log-types.js';
import { encryptFields, type FieldMatcher, type Keyring } from './sensitive.js';
import type { NoteSigner } from './signing-key.js';
import type { AppendBatch, LeaderSession } from './store/types.js';
import { hashPrefixedLeaf } from './tree.js';
import { TreeState } from './tree-state.js';

export interface LeaderContext {
  config: AuditConfig;
  signer: NoteSigner;
  verifierKey: string;
  matcher: FieldMatcher;
  keyring: Keyring | undefined;
  logger: AuditLogger | undefined;
}

export class AuditLeader {
  private readonly schedule: CheckpointSchedule;

  private constructor(
    private readonly session: LeaderSession,
    private readonly ctx: LeaderContext,
    private readonly tree: TreeState,
    private readonly keys: DataKeyRotation | undefined,
    latestNote: string | null,
  ) {
    this.schedule = new CheckpointSchedule(ctx.config.checkpoint, latestNote ? parseOwnNote(latestNote) : null);
  }

  /** Binds the session to this instance's signing key and rebuilds the tree from storage. */
  static async start(session: LeaderSession, ctx: LeaderContext): Promise<AuditLeader> {
    await session.claimSigningKey(ctx.verifierKey);
    const state = await session.load();
    // The leader only appends and takes roots, which never read stored leaf hashes.
    const tree = new TreeState(() => {
      throw new Error('the audit leader does not serve proofs');
    });
    tree.restore(state.chunks, state.tailLeaves);
    const rotationMs = ctx.config.encryption.dataKeyRotationHours * 3_600_000;
    const keys = ctx.keyring ? new DataKeyRotation(ctx.keyring, rotationMs, activeKeyFrom(state.dataKeys, ctx.keyring)) : undefined;
    return new AuditLeader(session, ctx, tree, keys, state.latestCheckpoint);
  }

  get size(): number {
    return this.tree.size;
  }

  get alive(): boolean {
    return this.session.alive;
  }

  /** Appends one batch from the inbox; false when the inbox was empty (a due checkpoint is still signed). */
  async drainOnce(): Promise<boolean> {
    const rows = await this.session.takeInbox(this.ctx.config.maxBatch);
    const first = this.tree.size;
    if (rows.length === 0) {
      if (this.checkpointDue(first, false)) await this.commit({ first, entries: [], chunks: [], keys: [], checkpoint: null, consumed: [] }, true);
      return false;
    }
    const events: { seq: string; event: WardenEvent | null }[] = rows.map((row) => {
      const problem = eventProblem(row.event);
      if (problem) this.ctx.logger?.error({ seq: row.seq, problem }, 'an audit inbox row is not an event; it is dropped');
      return { seq: row.seq, event: problem ? null : (row.event as WardenEvent) };
    });
    const seen = await this.session.appended(events.flatMap((e) => (e.event ? [e.event.id] : [])));
    const batch: AppendBatch = { first, entries: [], chunks: [], keys: [], checkpoint: null, consumed: [] };
    for (const { seq, event } of events) {
      batch.consumed.push(seq);
      if (!event || seen.has(event.id)) continue;
      seen.add(event.id);
      try {
        batch.entries.push(this.encode(event, first + batch.entries.length));
      } catch (error) {
        // Appends are checked before they are acknowledged; a row that still fails must not stall the log.
        this.ctx.logger?.error({ seq, err: (error as Error).message }, 'an audit inbox event cannot be encoded; it is dropped');
      }
    }
    for (const e of batch.entries) {
      const done = this.tree.append(e.leafHash);
      if (done) batch.chunks.push(done);
    }
    batch.keys = this.keys?.takeOps() ?? [];
    await this.commit(batch, false);
    return true;
  }

  private encode(event: WardenEvent, index: number): AppendBatch['entries'][number] {
    const stored = this.keys ? encryptFields(event, this.ctx.matcher, () => this.keys!.current()) : event;
    const input = encodeLeafInput(index, stored);
    return { eventId: event.id, entry: input.subarray(1), leafHash: hashPrefixedLeaf(input), event };
  }

  /** Whether another instance (or this one) asked for a checkpoint since the last look. */
  checkpointRequested(): boolean {
    return this.session.takeCheckpointRequest();
  }

  /** Signs a checkpoint of everything appended now, if it has none yet. */
  async checkpointNow(): Promise<void> {
    if (this.checkpointDue(this.tree.size, true)) {
      await this.commit({ first: this.tree.size, entries: [], chunks: [], keys: [], checkpoint: null, consumed: [] }, true);
    }
  }

  /** Forced, a checkpoint is still signed only for entries the last one does not cover. */
  private checkpointDue(size: number, force: boolean): boolean {
    return force ? size > (this.schedule.latest?.size ?? 0) : this.schedule.due(size);
  }

  private async commit(batch: AppendBatch, checkpointOnly: boolean): Promise<void> {
    const end = batch.first + batch.entries.length;
    let checkpoint: SignedCheckpoint | null = null;
    if (checkpointOnly || this.checkpointDue(end, false)) {
      checkpoint = signAt(this.ctx.signer, end, this.tree.root());
      batch.checkpoint = { size: end, note: checkpoint.note, createdAt: checkpoint.time };
    }
    await this.session.commit(batch);
    if (checkpoint) this.schedule.published(checkpoint);
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
