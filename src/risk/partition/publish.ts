/**
 * What reaches a principal's owner other than live traffic (docs/deploy.md, "Risk partitioning"): imported
 * logs (`warden ingest`, `POST /admin/ingest`) and the forgiving of an incident resolved as a false
 * positive. Both are published onto the partitioned stream, on the principal's bucket subject, so the
 * owner applies them in stream order with the live events, and a later owner reads them from its
 * checkpoint like any other message.
 *
 * Idempotency is the stream's duplicate window (30 min) keyed by `Nats-Msg-Id`:
 * - an imported event's key is a hash of the record it came from (its event without the ids, which the
 *   connectors draw at random for formats that carry none) and how many identical records came before it
 *   in the same batch, so importing the same file again publishes nothing new, while two identical lines
 *   of one file stay two events;
 * - a forgive's key is a hash of the principal, the detectors and the time, and applying one twice
 *   removes nothing more (RiskLedger.remove).
 *
 * @example
 * const receipt = await publishImported(nc, events, 64); // { published, duplicates, last: Map(bucket -> seq) }
 * await waitForCheckpoints(repo, receipt.last, Date.now() + 60_000); // true once every owner saved past them
 */
import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import type { WardenEvent, EntityRef } from '../../core/index.js';
import type { RiskStateRepository } from '../store/types.js';
import { bucketOf, ensureRiskStream, fnv1a, riskSubject } from './buckets.js';
import { partitionName } from './owner.js';

/** Connections on which the stream is known to exist: a forgive is repeated every second for a minute. */
const streamReady = new WeakSet<NatsConnection>();

async function ensureStreamOnce(nc: NatsConnection): Promise<void> {
  if (streamReady.has(nc)) return;
  await ensureRiskStream(nc);
  streamReady.add(nc);
}

/** Publishes in flight at once: a round trip each, in order on one connection. */
const WINDOW = 256;
const CHECKPOINT_POLL_MS = 100;

export interface ImportReceipt {
  /** Events JetStream acknowledged as stored now, and those it already held (the same record imported before). */
  published: number;
  duplicates: number;
  /** Lowest and highest stream sequence acknowledged (0 when nothing was acknowledged). */
  first: number;
  last: number;
  /** Per bucket, the highest stream sequence acknowledged: what its owner's checkpoint must pass. */
  lastByBucket: Map<number, number>;
}

/** A publish that failed part-way: only `acknowledged` events are known to be stored. */
export class ImportPublishError extends Error {
  constructor(
    message: string,
    readonly acknowledged: number,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/** The idempotency keys of a batch of imported events (see the file comment). */
export function importKeys(events: readonly WardenEvent[]): string[] {
  const seen = new Map<string, number>();
  return events.map((event) => {
    const { id: _id, requestId: _request, decisionId: _decision, ...record } = event as WardenEvent & { requestId?: unknown; decisionId?: unknown };
    const content = createHash('sha256').update(JSON.stringify(record)).digest('hex');
    const nth = seen.get(content) ?? 0;
    seen.set(content, nth + 1);
    return `import-${createHash('sha256').update(content).update(`#${nth}`).digest('hex').slice(0, 48)}`;
  });
}

/**
 * Publishes imported events to their buckets and waits for every acknowledgement. Throws
 * `ImportPublishError` (with the count acknowledged before the failure) when JetStream does not store one.
 */
export async function publishImported(nc: NatsConnection, events: readonly WardenEvent[], buckets: number): Promise<ImportReceipt> {
  await ensureStreamOnce(nc);
  const js = jetstream(nc);
  const keys = importKeys(events);
  const receipt: ImportReceipt = { published: 0, duplicates: 0, first: 0, last: 0, lastByBucket: new Map() };
  const acknowledge = (bucket: number, ack: { seq: number; duplicate: boolean }): void => {
    if (ack.duplicate) receipt.duplicates++;
    else receipt.published++;
    receipt.first = receipt.first === 0 ? ack.seq : Math.min(receipt.first, ack.seq);
    receipt.last = Math.max(receipt.last, ack.seq);
    receipt.lastByBucket.set(bucket, Math.max(receipt.lastByBucket.get(bucket) ?? 0, ack.seq));
  };
  for (let start = 0; start < events.length; start += WINDOW) {
    const batch = events.slice(start, start + WINDOW).map((event, i) => {
      const bucket = bucketOf(event, buckets);
      return js.publish(riskSubject(bucket), JSON.stringify(event), { msgID: keys[start + i]! }).then((ack) => acknowledge(bucket, ack));
    });
    const settled = await Promise.allSettled(batch);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw new ImportPublishError(`JetStream did not store every event: ${String((failed.reason as Error)?.message ?? failed.reason)}`, receipt.published + receipt.duplicates, { cause: failed.reason });
  }
  return receipt;
}

/**
 * Waits until each bucket's saved checkpoint (written by its owner with the baselines that include the
 * events up to it) has reached the sequence given; false when `deadline` (epoch ms) passed first.
 */
export async function waitForCheckpoints(repo: Pick<RiskStateRepository, 'checkpoint'>, lastByBucket: ReadonlyMap<number, number>, deadline: number): Promise<boolean> {
  const waiting = new Map(lastByBucket);
  for (;;) {
    for (const [bucket, seq] of waiting) if ((await repo.checkpoint(partitionName(bucket))).seq >= seq) waiting.delete(bucket);
    if (waiting.size === 0) return true;
    if (Date.now() >= deadline) return false;
    await delay(CHECKPOINT_POLL_MS);
  }
}

/** A forgive as it travels on a bucket's subject; not an event (the owner's reader tells them apart by `control`). */
const forgiveShape = z.strictObject({
  control: z.literal('forgive'),
  principal: z.strictObject({ type: z.enum(['User', 'Service', 'Agent']), id: z.string().min(1).max(256) }),
  detectors: z.array(z.string().min(1).max(200)).max(256),
  until: z.number().finite(),
});

export type ForgiveMessage = z.infer<typeof forgiveShape>;

/** A forgive control message, or undefined (an event, or bytes no Warden wrote). */
export function parseForgive(data: Uint8Array): ForgiveMessage | undefined {
  try {
    const parsed = forgiveShape.safeParse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Publishes a forgive on the principal's bucket subject, for its owner to apply in order with the events. */
export async function publishForgive(nc: NatsConnection, principal: EntityRef, detectors: readonly string[], until: number, buckets: number): Promise<void> {
  const message: ForgiveMessage = { control: 'forgive', principal: { type: principal.type as ForgiveMessage['principal']['type'], id: principal.id }, detectors: [...detectors].sort(), until };
  const key = `${principal.type}:${principal.id}`;
  const id = `forgive-${createHash('sha256').update(JSON.stringify(message)).digest('hex').slice(0, 48)}`;
  await ensureStreamOnce(nc);
  await jetstream(nc).publish(riskSubject(fnv1a(key) % buckets), JSON.stringify(message), { msgID: id });
}
