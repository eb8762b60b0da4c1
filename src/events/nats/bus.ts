/**
 * The event bus of a cluster: today's in-process delivery to local subscribers, plus every event
 * replicated to the JetStream stream for the consumers shared by all instances (`attachConsumer`).
 *
 * An event goes to JetStream directly while NATS is connected and the outbox is empty; otherwise (NATS
 * away, a publish that failed or timed out) it is committed to the local outbox, which is drained in order
 * when NATS is back. `publishDurably` settles once the local durable subscribers have the event **and**
 * JetStream acknowledged it or the outbox committed it, so an answered request's event is never lost. A
 * publish that timed out may still have reached the stream: the drain sends it again under the same
 * `Nats-Msg-Id` and the stream stores it once (consumers also skip a repeated id).
 *
 * @example
 * const bus = new NatsBus({ link, outbox, logger, instanceId });
 * await bus.publishDurably(decisionEvent);
 * bus.attachConsumer({ name: 'export', handler: (e) => sink.write(e) });
 */
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { NewEvent, WardenEvent, Logger } from '../../core/index.js';
import { InProcessBus, stampEvent, type EventBus, type EventHandler, type SubscribeOptions, type Subscription } from '../bus.js';
import type { NatsLink } from '../../cluster/index.js';
import { attachDurableConsumer, type DurableConsumer, type DurableConsumerSpec } from './consumer.js';
import type { Outbox } from './outbox.js';
import { ensureEventStream, eventSubject } from './stream.js';

export interface NatsBusOptions {
  link: NatsLink;
  outbox: Outbox;
  logger: Logger;
  /** A JetStream publish not acknowledged within this goes to the outbox instead. */
  publishTimeoutMs?: number;
  /** Events sent per round while draining the outbox. */
  drainBatch?: number;
  onSubscriberError?: (name: string, error: unknown) => void;
}

export type ConsumerAttachment = Omit<DurableConsumerSpec, 'logger'>;

/** What `/readyz` says about the event stream. */
export interface NatsBusStatus {
  nats: 'connected' | 'connecting' | 'reconnecting' | 'closed';
  outboxPending: number;
}

export class NatsBus implements EventBus {
  private readonly local: InProcessBus;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly attachments: ConsumerAttachment[] = [];
  private readonly consumers = new Map<string, DurableConsumer>();
  private readonly attaching = new Set<string>();
  private streamReady = false;
  private draining: Promise<void> | undefined;
  /** Events for the outbox in this tick: committed together, one fsync for the lot (group commit). */
  private outboxQueue: { event: WardenEvent; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private readonly retryTimer: NodeJS.Timeout;

  constructor(private readonly options: NatsBusOptions) {
    this.local = new InProcessBus(options.onSubscriberError ? { onSubscriberError: options.onSubscriberError } : {});
    options.link.onConnected((nc) => this.connected(nc));
    // Safety net: a drain or an attachment that failed (JetStream still recovering after a restart) is retried.
    this.retryTimer = setInterval(() => this.retry(), 1000);
    this.retryTimer.unref();
  }

  get status(): NatsBusStatus {
    return { nats: this.options.link.state, outboxPending: this.options.outbox.pending };
  }

  publish(event: NewEvent): WardenEvent {
    const stamped = this.local.publish(stampEvent(event));
    this.track(this.replicate(stamped)).catch((error: unknown) => this.options.logger.error({ eventId: stamped.id, err: error }, 'an event could be neither published nor written to the outbox'));
    return stamped;
  }

  async publishDurably(event: NewEvent): Promise<WardenEvent> {
    const stamped = stampEvent(event);
    await Promise.all([this.local.publishDurably(stamped), this.track(this.replicate(stamped))]);
    return stamped;
  }

  subscribe(handler: EventHandler, options?: SubscribeOptions): Subscription {
    return this.local.subscribe(handler, options);
  }

  /**
   * Attaches the named durable consumer (now, or as soon as NATS is reachable, and again after NATS lost
   * it). Every instance that attaches the same name shares one position in the stream.
   */
  attachConsumer(spec: ConsumerAttachment): { detach(): Promise<void> } {
    this.attachments.push(spec);
    const nc = this.options.link.connection;
    if (nc && this.options.link.connected && this.streamReady) void this.start(nc, spec);
    return {
      detach: async () => {
        this.attachments.splice(this.attachments.indexOf(spec), 1);
        const consumer = this.consumers.get(spec.name);
        this.consumers.delete(spec.name);
        await consumer?.stop();
      },
    };
  }

  async drain(): Promise<void> {
    await this.local.drain();
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** Waits for pending publishes, stops the consumers; the outbox keeps what NATS has not acknowledged. */
  async close(): Promise<void> {
    clearInterval(this.retryTimer);
    await this.drain();
    await this.draining;
    await Promise.all([...this.consumers.values()].map((c) => c.stop()));
    this.consumers.clear();
  }

  private track(work: Promise<void>): Promise<void> {
    this.inFlight.add(work);
    return work.finally(() => this.inFlight.delete(work));
  }

  private async replicate(event: WardenEvent): Promise<void> {
    const nc = this.options.link.connection;
    // While anything waits in the outbox, new events queue behind it: the stream receives them in order.
    if (nc && this.options.link.connected && this.streamReady && this.options.outbox.pending === 0 && this.outboxQueue.length === 0) {
      try {
        await this.send(nc, event);
        return;
      } catch (error) {
        this.options.logger.warn({ eventId: event.id, err: (error as Error).message }, 'JetStream did not acknowledge an event; it goes to the outbox');
      }
    }
    await this.toOutbox(event);
    this.kickDrain();
  }

  /** Resolves once the event is committed to the outbox with the others of this tick. */
  private toOutbox(event: WardenEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.outboxQueue.push({ event, resolve, reject }) > 1) return;
      setImmediate(() => {
        const batch = this.outboxQueue;
        this.outboxQueue = [];
        try {
          this.options.outbox.appendAll(batch.map((q) => q.event));
          for (const q of batch) q.resolve();
        } catch (error) {
          for (const q of batch) q.reject(error);
        }
      });
    });
  }

  private async send(nc: NatsConnection, event: WardenEvent): Promise<void> {
    await jetstream(nc).publish(eventSubject(event.type), JSON.stringify(event), { msgID: event.id, timeout: this.options.publishTimeoutMs ?? 2000 });
  }

  private async connected(nc: NatsConnection): Promise<void> {
    await ensureEventStream(nc);
    this.streamReady = true;
    this.retry();
  }

  private retry(): void {
    const nc = this.options.link.connection;
    if (!nc || !this.options.link.connected || !this.streamReady) return;
    for (const spec of this.attachments) void this.start(nc, spec);
    this.kickDrain();
  }

  private async start(nc: NatsConnection, spec: ConsumerAttachment): Promise<void> {
    if (this.consumers.has(spec.name) || this.attaching.has(spec.name)) return;
    this.attaching.add(spec.name);
    try {
      const consumer = await attachDurableConsumer(nc, { ...spec, logger: this.options.logger });
      // Detached while attaching: let go at once.
      if (!this.attachments.includes(spec)) return await consumer.stop();
      this.consumers.set(spec.name, consumer);
      // A consumer that ended by itself is forgotten, so the next retry attaches it again.
      void consumer.ended.then(() => {
        if (this.consumers.get(spec.name) === consumer) this.consumers.delete(spec.name);
      });
    } catch (error) {
      this.options.logger.error({ consumer: spec.name, err: error }, 'could not attach the durable consumer; retrying');
    } finally {
      this.attaching.delete(spec.name);
    }
  }

  private kickDrain(): void {
    if (this.draining || this.options.outbox.pending === 0) return;
    const nc = this.options.link.connection;
    if (!nc || !this.options.link.connected || !this.streamReady) return;
    this.draining = this.drainOutbox(nc).finally(() => (this.draining = undefined));
  }

  /**
   * Sends the outbox in order, a batch at a time: the publishes of a batch are pipelined on the one
   * connection (so they reach the stream in order) and removed up to the first one not acknowledged.
   */
  private async drainOutbox(nc: NatsConnection): Promise<void> {
    const batchSize = this.options.drainBatch ?? 256;
    while (this.options.link.connected && this.options.outbox.pending > 0) {
      const rows = this.options.outbox.oldest(batchSize);
      const results = await Promise.allSettled(rows.map((row) => this.send(nc, row.event)));
      const failed = results.findIndex((r) => r.status === 'rejected');
      const acknowledged = failed === -1 ? rows.length : failed;
      if (acknowledged > 0) this.options.outbox.removeThrough(rows[acknowledged - 1]!.seq);
      if (failed !== -1) {
        this.options.logger.warn({ pending: this.options.outbox.pending, err: ((results[failed] as PromiseRejectedResult).reason as Error).message }, 'draining the outbox paused: JetStream did not acknowledge');
        return;
      }
    }
    if (this.options.outbox.pending === 0) this.options.logger.info('the event outbox is drained');
  }
}
