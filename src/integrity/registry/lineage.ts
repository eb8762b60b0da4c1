/**
 * Lineage: edges upstream -> downstream (dataset version -> training run -> model version), with the
 * digests of both ends when recorded and who recorded them. A tampered asset marks everything downstream
 * of it as suspect (transitively), each with an `asset` event `marked_suspect`.
 *
 * @example
 * await lineage.add({ upstream: 'reviews-2026-10', downstream: 'sentiment-v3', runId: 'run-118' }, { id: 'bob' });
 * await lineage.show('sentiment-v3'); // { upstream: [edge...], downstream: [] }
 */
import { z } from 'zod';
import { WardenError } from '../../core/index.js';
import type { EventBus } from '../../events/index.js';
import type { IntegrityRepository } from '../store/types.js';
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

const MAX_NODES = 10_000;

export class Lineage {
  constructor(
    private readonly repo: IntegrityRepository,
    private readonly registry: AssetRegistry,
    private readonly bus?: EventBus,
  ) {}

  async add(input: LineageInput, actor: Actor): Promise<LineageEdge> {
    const parsed = lineageInputSchema.safeParse(input);
    if (!parsed.success) throw new WardenError('validation_failed', `invalid lineage edge: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const e = parsed.data;
    if (e.upstream === e.downstream) throw new WardenError('validation_failed', 'an asset cannot be its own upstream');
    const up = await this.registry.require(e.upstream);
    const down = await this.registry.require(e.downstream);
    const edge = await this.repo.addEdge({
      upstreamId: e.upstream,
      downstreamId: e.downstream,
      runId: e.runId ?? null,
      upstreamDigest: e.upstreamDigest ?? up.verifiedDigest,
      downstreamDigest: e.downstreamDigest ?? down.verifiedDigest,
      recordedBy: actor.id,
      recordedAt: new Date().toISOString(),
    });
    if (!edge) throw new WardenError('conflict', `\`${e.downstream}\` is already upstream of \`${e.upstream}\`: the edge would make a cycle`);
    this.bus?.publish({ type: 'asset', assetId: e.downstream, change: 'lineage_recorded', actor: { type: actor.type ?? 'User', id: actor.id }, details: { upstream: e.upstream, downstream: e.downstream, runId: e.runId ?? null, upstreamDigest: edge.upstreamDigest, downstreamDigest: edge.downstreamDigest } });
    return edge;
  }

  /** Every edge reachable upstream and downstream of the asset. */
  async show(assetId: string): Promise<{ asset: string; upstream: LineageEdge[]; downstream: LineageEdge[] }> {
    await this.registry.require(assetId);
    return { asset: assetId, upstream: await this.walk(assetId, 'up'), downstream: await this.walk(assetId, 'down') };
  }

  /** Marks every asset downstream of `assetId` as suspect; returns their ids. */
  async markDownstreamSuspect(assetId: string, reason: string): Promise<string[]> {
    const marked: string[] = [];
    for (const id of new Set((await this.walk(assetId, 'down')).map((e) => e.downstreamId))) {
      const asset = await this.registry.get(id);
      if (!asset || asset.suspect) continue;
      await this.registry.update(id, { suspect: true, suspectReason: reason });
      marked.push(id);
      this.bus?.publish({ type: 'asset', assetId: id, change: 'marked_suspect', details: { because: assetId, reason } });
    }
    return marked;
  }

  private async walk(start: string, direction: 'up' | 'down'): Promise<LineageEdge[]> {
    const seen = new Set<string>([start]);
    const edges: LineageEdge[] = [];
    const queue = [start];
    while (queue.length && seen.size < MAX_NODES) {
      const id = queue.shift() as string;
      for (const edge of await this.repo.edges(id, direction)) {
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
