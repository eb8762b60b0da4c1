/**
 * Warden's one JetStream stream: every event under `warden.events.<type>`, kept by limits (not a work
 * queue: the audit log, the risk engine and the exporters each read all of it through their own durable
 * consumer). The event id is the publish id (`Nats-Msg-Id`), so a publish repeated within the duplicate
 * window (a retried publish, an outbox drained twice after a crash) is stored once.
 */
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import type { WardenEvent, WardenEventType } from '../../core/index.js';

export const EVENT_STREAM = 'WARDEN_EVENTS';
export const EVENT_SUBJECT_PREFIX = 'warden.events';

/** Outages longer than this lose publish-side de-duplication; consumers still drop a repeated id. */
const DUPLICATE_WINDOW_MS = 30 * 60_000;
const MAX_AGE_MS = 7 * 24 * 3_600_000;

export const EVENT_TYPES = ['decision', 'authentication', 'detection', 'asset', 'admin', 'risk', 'response'] as const satisfies readonly WardenEventType[];

export function eventSubject(type: WardenEventType): string {
  return `${EVENT_SUBJECT_PREFIX}.${type}`;
}

/** Creates the stream, or brings an existing one to this configuration. */
export async function ensureEventStream(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config = { subjects: [`${EVENT_SUBJECT_PREFIX}.>`], duplicate_window: nanos(DUPLICATE_WINDOW_MS), max_age: nanos(MAX_AGE_MS) };
  try {
    await jsm.streams.info(EVENT_STREAM);
    await jsm.streams.update(EVENT_STREAM, config);
  } catch (error) {
    // Only a missing stream is created; any other failure (a refused update, NATS gone) is the caller's to see.
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
    await jsm.streams.add({ name: EVENT_STREAM, ...config });
  }
}

/**
 * What a consumer accepts from the stream. Anyone allowed to publish on `warden.events.>` controls these
 * bytes, so the fields Warden relies on (id for de-duplication, type for routing) are checked, and the
 * size is bounded by the server's `max_payload`.
 */
const eventShape = z.looseObject({
  id: z.string().min(1).max(200),
  type: z.enum(EVENT_TYPES),
  time: z.string().min(1).max(64),
});

export function parseStreamEvent(data: Uint8Array): WardenEvent | undefined {
  try {
    const parsed = eventShape.safeParse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data)));
    return parsed.success ? (parsed.data as unknown as WardenEvent) : undefined;
  } catch {
    // Not UTF-8 or not JSON: the message is dropped like any other that fails the shape check.
    return undefined;
  }
}
