/**
 * Feeds the partitioned stream: a durable consumer (`risk-router`, shared by every instance, so each event
 * is routed by one of them) takes the risk engine's event types from the event stream and publishes each
 * to its bucket's subject. The event id is the publish id, so an event routed twice (a redelivery after
 * an instance died between publishing and acking) is stored once in the partitioned stream; the consumer
 * acks only after JetStream acknowledged the publish, so no event is lost between the two streams.
 *
 * @example
 * const router = routeRiskEvents(cluster.natsBus, link, 64);
 * await router.detach();
 */
import { jetstream } from '@nats-io/jetstream';
import type { NatsLink } from '../../cluster/index.js';
import type { NatsBus } from '../../events/index.js';
import { bucketOf, ensureRiskStream, RISK_EVENT_TYPES, riskSubject } from './buckets.js';

export const ROUTER_CONSUMER = 'risk-router';

export function routeRiskEvents(bus: NatsBus, link: NatsLink, buckets: number): { detach(): Promise<void> } {
  let streamReady = false;
  return bus.attachConsumer({
    name: ROUTER_CONSUMER,
    types: [...RISK_EVENT_TYPES],
    handler: async (event) => {
      const nc = link.connection;
      // Thrown: the consumer delivers the event again after its retry delay.
      if (!nc || !link.connected) throw new Error('NATS is not connected');
      if (!streamReady) {
        await ensureRiskStream(nc);
        streamReady = true;
      }
      await jetstream(nc).publish(riskSubject(bucketOf(event, buckets)), JSON.stringify(event), { msgID: event.id });
    },
  });
}
