/**
 * Lineage: edges upstream -> downstream (dataset version -> training run -> model version), with the
 * digests of both ends when recorded and who recorded them. A tampered asset marks everything downstream
 * of it as suspect (transitively), each with an `asset` event `marked_suspect`.
 *
 * @example
 * lineage.add({ upstream: 'reviews-2026-10', downstream: 'sentiment-v3', runId: 'run-118' }, { id: 'bob' });
 * lineage.show('sentiment-v3'); // { upstream: [edge...], downstream: [] }
 */
import { z } from 'zod';
import { WardenError } from '../../core/errors.js';
import type { EventBus } from '../../events/bus.js';
import type { SqliteDatabase } from '../../store/database.js';
import type { AssetRegistry } from './registry.js';
import { assetIdSchema, type Actor, type LineageEdge } from './types.js';

export const lineageInputSchema = z.object({
  upstream: assetIdSchema,
  downstream: assetIdSchema,
  runId: z.string().min(1).max(200).optional(),
  upstreamDigest: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  downstreamDigest: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type LineageInput = z.input<typeof lineageInputSchema>;

interface EdgeRow {
  id: number;
  upstream_id: string;
  downstream_id: string;
  run_id: string | null;
  upstream_digest: string | null;
  downstream_digest: string | null;
  recorded_by: string;
  recorded_at: string;
}

function toEdge(r: EdgeRow): LineageEdge {
  return { id: r.id, upstreamId: r.upstream_id, downstreamId: r.downstream_id, runId: r.run_id, upstreamDigest: r.upstream_digest, downstreamDigest: r.downstream_digest, recordedBy: r.recorded_by, recordedAt: r.recorded_at };
}

const MAX_NODES = 10_000;

export class Lineage {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly registry: AssetRegistry,
    private readonly bus?: EventBus,
  ) {}

  add(input: LineageInput, actor: Actor): LineageEdge {
    const parsed = lineageInputSchema.safeParse(input);
    if (!parsed.success) throw new WardenError('validation_failed', `invalid lineage edge: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const e = parsed.data;
    if (e.upstream === e.downstream) throw new WardenError('validation_failed', 'an asset cannot be its own upstream');
    const up = this.registry.require(e.upstream);
    const down = this.registry.require(e.downstream);
    if (this.walk(e.downstream, 'down').some((edge) => edge.downstreamId === e.upstream)) {
      throw new WardenError('conflict', `\`${e.downstream}\` is already upstream of \`${e.upstream}\`: the edge would make a cycle`);
    }
    const result = this.db
      .prepare('INSERT INTO integrity_lineage (upstream_id, downstream_id, run_id, upstream_digest, downstream_digest, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(e.upstream, e.downstream, e.runId ?? null, e.upstreamDigest ?? up.verifiedDigest, e.downstreamDigest ?? down.verifiedDigest, actor.id, new Date().toISOString());
    const edge = toEdge(this.db.prepare('SELECT * FROM integrity_lineage WHERE id = ?').get(result.lastInsertRowid) as EdgeRow);
    this.bus?.publish({ type: 'asset', assetId: e.downstream, change: 'lineage_recorded', actor: { type: actor.type ?? 'User', id: actor.id }, details: { upstream: e.upstream, downstream: e.downstream, runId: e.runId ?? null, upstreamDigest: edge.upstreamDigest, downstreamDigest: edge.downstreamDigest } });
    return edge;
  }

  /** Every edge reachable upstream and downstream of the asset. */
  show(assetId: string): { asset: string; upstream: LineageEdge[]; downstream: LineageEdge[] } {
    this.registry.require(assetId);
    return { asset: assetId, upstream: this.walk(assetId, 'up'), downstream: this.walk(assetId, 'down') };
  }

  /** Marks every asset downstream of `assetId` as suspect; returns their ids. */
  markDownstreamSuspect(assetId: string, reason: string): string[] {
    const marked: string[] = [];
    for (const id of new Set(this.walk(assetId, 'down').map((e) => e.downstreamId))) {
      const asset = this.registry.get(id);
      if (!asset || asset.suspect) continue;
      this.registry.update(id, { suspect: true, suspectReason: reason });
      marked.push(id);
      this.bus?.publish({ type: 'asset', assetId: id, change: 'marked_suspect', details: { because: assetId, reason } });
    }
    return marked;
  }

  private walk(start: string, direction: 'up' | 'down'): LineageEdge[] {
    const sql = direction === 'down' ? 'SELECT * FROM integrity_lineage WHERE upstream_id = ? ORDER BY id' : 'SELECT * FROM integrity_lineage WHERE downstream_id = ? ORDER BY id';
    const statement = this.db.prepare(sql);
    const seen = new Set<string>([start]);
    const edges: LineageEdge[] = [];
    const queue = [start];
    while (queue.length && seen.size < MAX_NODES) {
      const id = queue.shift() as string;
      for (const row of statement.all(id) as EdgeRow[]) {
        const edge = toEdge(row);
        edges.push(edge);
        const next = direction === 'down' ? edge.downstreamId : edge.upstreamId;
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    return edges;
  }
}
