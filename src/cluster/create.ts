/**
 * Builds the event bus and the shared state for an instance: in process without a NATS URL (today's single
 * instance, unchanged), else a NATS link shared by the JetStream bus (with its outbox in
 * `<dataDir>/outbox.db`) and the KV shared state. Start-up waits at most `loadTimeoutMs` for the shared
 * state's existing entries: an instance started while NATS is away serves with what it has and applies the
 * rest when NATS is reachable.
 */
import type { Logger } from '../core/index.js';
import { InProcessBus, type EventBus, NatsBus, type NatsBusStatus, Outbox } from '../events/index.js';
import { openDatabase } from '../store/index.js';
import { NatsLink } from './nats-link.js';
import { NatsSharedState } from './nats-shared-state.js';
import { InProcessSharedState, type SharedState } from './shared-state.js';

export interface ClusterOptions {
  natsUrl: string | undefined;
  dataDir: string;
  instanceId: string;
  logger: Logger;
  onSubscriberError: (name: string, error: unknown) => void;
  loadTimeoutMs?: number;
}

/** What `/readyz` shows about the cluster; `undefined` for a single instance. */
export interface ClusterStatus extends NatsBusStatus {
  sharedStatePending: number;
}

export interface Cluster {
  bus: EventBus;
  /** The JetStream bus, for attaching named durable consumers (`attachConsumer`); absent in process. */
  natsBus?: NatsBus;
  /** The NATS connection (JetStream bus only): for modules with streams and KV of their own. */
  link?: NatsLink;
  state: SharedState;
  status(): ClusterStatus | undefined;
  close(): Promise<void>;
}

export async function createCluster(options: ClusterOptions): Promise<Cluster> {
  const { natsUrl, logger, instanceId } = options;
  if (!natsUrl) {
    const state = new InProcessSharedState(instanceId, (error) => logger.error({ err: error }, 'a shared state listener failed'));
    return { bus: new InProcessBus({ onSubscriberError: options.onSubscriberError }), state, status: () => undefined, close: () => state.close() };
  }
  const link = new NatsLink({ url: natsUrl, logger, name: `warden ${instanceId}` });
  const outbox = new Outbox(openDatabase(options.dataDir, 'outbox.db'));
  const natsBus = new NatsBus({ link, outbox, logger, onSubscriberError: options.onSubscriberError });
  const state = new NatsSharedState({ link, instanceId, logger });
  link.start();
  const timeoutMs = options.loadTimeoutMs ?? 3000;
  let timer: NodeJS.Timeout | undefined;
  const loaded = await Promise.race([state.loaded().then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]);
  clearTimeout(timer);
  if (!loaded) logger.warn({ nats: natsUrl }, 'shared state not loaded from NATS yet; serving with local state and applying it when NATS is reachable');
  if (outbox.pending > 0) logger.info({ pending: outbox.pending }, 'events from before the restart wait in the outbox');
  return {
    bus: natsBus,
    natsBus,
    link,
    state,
    status: () => ({ ...natsBus.status, sharedStatePending: state.pendingWrites }),
    close: async () => {
      await natsBus.close();
      await state.close();
      await link.close();
      outbox.close();
    },
  };
}
