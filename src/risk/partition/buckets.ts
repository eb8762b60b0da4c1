/**
 * Which partition bucket an event belongs to, and where its bucket's events are kept. A principal's
 * events all land in one bucket, `fnv1a(Type:id) mod buckets`, so one instance at a time (the bucket's
 * owner) learns that principal's baseline. Events that name no principal (an asset change, a sign-in
 * attempt without an account) are spread by their id.
 *
 * @example
 * bucketOf({ type: 'decision', principal: { type: 'User', id: 'alice' }, ... }, 64); // 0..63, always the same for alice
 * riskSubject(17); // 'warden.risk.17'
 */
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { WardenEvent, WardenEventType } from '../../core/index.js';

/** The partitioned stream: the risk engine's events again, one subject per bucket. */
export const RISK_STREAM = 'WARDEN_RISK';
export const RISK_SUBJECT_PREFIX = 'warden.risk';
/** The event types the risk engine learns from (what `subscribeTo` takes in a single instance). */
export const RISK_EVENT_TYPES = ['decision', 'authentication', 'detection', 'asset'] as const satisfies readonly WardenEventType[];

const DUPLICATE_WINDOW_MS = 30 * 60_000;
const MAX_AGE_MS = 7 * 24 * 3_600_000;

export function riskSubject(bucket: number): string {
  return `${RISK_SUBJECT_PREFIX}.${bucket}`;
}

/** 32-bit FNV-1a of the UTF-16 code units: cheap, stable across processes and versions. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The `Type:id` key of the principal whose baseline the event changes (the engine's baseline key), if any. */
export function principalKeyOf(event: WardenEvent): string | undefined {
  const ref = event.type === 'decision' ? (event.delegation?.actor ?? event.principal) : event.type === 'authentication' ? event.principal : event.type === 'detection' ? event.entity : undefined;
  return ref && typeof ref.type === 'string' && typeof ref.id === 'string' ? `${ref.type}:${ref.id}` : undefined;
}

export function bucketOf(event: WardenEvent, buckets: number): number {
  return fnv1a(principalKeyOf(event) ?? event.id) % buckets;
}

/** Creates the partitioned stream, or brings an existing one to this configuration. */
export async function ensureRiskStream(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config = { subjects: [`${RISK_SUBJECT_PREFIX}.>`], duplicate_window: nanos(DUPLICATE_WINDOW_MS), max_age: nanos(MAX_AGE_MS) };
  try {
    await jsm.streams.info(RISK_STREAM);
    await jsm.streams.update(RISK_STREAM, config);
  } catch (error) {
    // Only a missing stream is created; any other failure (a refused update, NATS gone) is the caller's to see.
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
    await jsm.streams.add({ name: RISK_STREAM, ...config });
  }
}
