/**
 * A named durable consumer on Warden's event stream. One durable per role (`audit`, `risk`, `export`):
 * every instance that attaches the same name shares it, so JetStream hands each event to one of them (a
 * work queue), and what was not acknowledged when an instance died is delivered again to another. Handling
 * is in stream order within an instance; an event is acked only after its handler resolved, and a failed
 * handler gets it again after `retryMs`. Repeated ids (at-least-once delivery) are acked without handling.
 *
 * @example
 * const consumer = await attachDurableConsumer(nc, { name: 'audit', handler: (e) => log.append(e), logger });
 * await consumer.stop();
 */
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager, type ConsumerMessages } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { WardenEvent, WardenEventType, Logger } from '../../core/index.js';
import { EVENT_STREAM, EVENT_SUBJECT_PREFIX, eventSubject, parseStreamEvent } from './stream.js';
import { RecentIds, type IdempotencyFilter } from './recent-ids.js';

export interface DurableConsumerSpec {
  /** The role: the durable consumer's name, shared by every instance that attaches it. */
  name: string;
  handler: (event: WardenEvent) => void | Promise<void>;
  /** Event types delivered; omitted means all. */
  types?: WardenEventType[];
  /** Ids already handled; default: a window of recent ids in memory. */
  seen?: IdempotencyFilter;
  logger: Logger;
  /** Redelivery delay after a failed handler. */
  retryMs?: number;
  /** How long JetStream waits for an ack before delivering again (the handler's time budget). */
  ackWaitMs?: number;
}

export interface DurableConsumer {
  readonly name: string;
  /** Settles when the consumer stopped taking messages (stopped, or lost: the caller attaches again). */
  readonly ended: Promise<void>;
  /** Stops taking messages; what was not acked is delivered again later (here or elsewhere). */
  stop(): Promise<void>;
}

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export async function attachDurableConsumer(nc: NatsConnection, spec: DurableConsumerSpec): Promise<DurableConsumer> {
  if (!NAME_PATTERN.test(spec.name)) throw new Error(`consumer name \`${spec.name}\` must be 1-64 letters, digits, \`-\` or \`_\``);
  const jsm = await jetstreamManager(nc);
  const config = {
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(spec.ackWaitMs ?? 30_000),
    max_deliver: -1,
    // One subject filter only: several (`filter_subjects`) need nats-server 2.10, Debian ships 2.9.
    // Other types are then skipped here, acked without handling.
    filter_subject: spec.types?.length === 1 ? eventSubject(spec.types[0]!) : `${EVENT_SUBJECT_PREFIX}.>`,
  };
  try {
    await jsm.consumers.info(EVENT_STREAM, spec.name);
    await jsm.consumers.update(EVENT_STREAM, spec.name, config);
  } catch (error) {
    // Only a missing consumer is created; any other failure (a refused update, NATS gone) is the caller's to see.
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)) throw error;
    await jsm.consumers.add(EVENT_STREAM, { durable_name: spec.name, deliver_policy: DeliverPolicy.All, ...config });
  }
  const consumer = await jetstream(nc).consumers.get(EVENT_STREAM, spec.name);
  const messages = await consumer.consume({ max_messages: 256 });
  const done = handle(messages, spec, spec.seen ?? new RecentIds()).catch((error: unknown) => {
    spec.logger.error({ consumer: spec.name, err: error }, 'the event consumer stopped; it will be attached again');
  });
  return {
    name: spec.name,
    ended: done,
    stop: async () => {
      await messages.close();
      await done;
    },
  };
}

async function handle(messages: ConsumerMessages, spec: DurableConsumerSpec, seen: IdempotencyFilter): Promise<void> {
  const retryMs = spec.retryMs ?? 1000;
  const types = spec.types?.length ? new Set(spec.types) : undefined;
  for await (const message of messages) {
    const event = parseStreamEvent(message.data);
    if (!event) {
      // Never handled, never redelivered: a malformed message would otherwise come back forever.
      spec.logger.warn({ consumer: spec.name, subject: message.subject, seq: message.seq }, 'dropped a malformed message from the event stream');
      message.term();
      continue;
    }
    if (types && !types.has(event.type)) {
      message.ack();
      continue;
    }
    try {
      if (!(await seen.has(event.id))) {
        await spec.handler(event);
        await seen.add(event.id);
      }
      message.ack();
    } catch (error) {
      spec.logger.error({ consumer: spec.name, eventId: event.id, err: error }, 'event consumer failed; the event will be delivered again');
      message.nak(retryMs);
    }
  }
}
