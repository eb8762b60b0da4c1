/**
 * The one NATS connection of an instance. Warden must serve while NATS is away, so the link never blocks
 * start-up: it connects in the background (again and again until the first success), after which the
 * client reconnects by itself forever. Users register `onConnected` (run after the first connection and
 * after every reconnection: re-attach, drain the outbox) and read `connected` on the hot path.
 *
 * @example
 * const link = new NatsLink({ url: 'nats://127.0.0.1:4222', logger });
 * link.onConnected(async (nc) => { await ensureEventStream(nc); });
 * link.start();
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../core/index.js';

export type NatsLinkState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface NatsLinkOptions {
  url: string;
  logger: Logger;
  /** Name the server shows for this client (the instance id). */
  name?: string;
  /** Delay between first-connection attempts; the client's own reconnects use the same wait. */
  retryMs?: number;
}

type ConnectedListener = (nc: NatsConnection) => void | Promise<void>;

export class NatsLink {
  private nc: NatsConnection | undefined;
  private current: NatsLinkState = 'connecting';
  private readonly listeners: ConnectedListener[] = [];
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: NatsLinkOptions) {}

  get state(): NatsLinkState {
    return this.current;
  }

  get connected(): boolean {
    return this.current === 'connected';
  }

  /** The connection once established (it may be reconnecting: check `connected`). */
  get connection(): NatsConnection | undefined {
    return this.nc;
  }

  /** Runs `listener` on every (re)connection, and at once when already connected. */
  onConnected(listener: ConnectedListener): void {
    this.listeners.push(listener);
    if (this.nc && this.connected) void this.notify(listener, this.nc);
  }

  start(): void {
    void this.attempt();
  }

  /** A method, not an inline comparison: the state changes while this object awaits. */
  private get closed(): boolean {
    return this.current === 'closed';
  }

  private async attempt(): Promise<void> {
    if (this.closed) return;
    const retryMs = this.options.retryMs ?? 250;
    try {
      const nc = await connect({
        servers: this.options.url,
        name: this.options.name ?? 'warden',
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: retryMs,
        timeout: 2000,
        pingInterval: 5000,
      });
      if (this.closed) {
        await nc.close();
        return;
      }
      this.nc = nc;
      this.options.logger.info({ nats: this.options.url }, 'connected to NATS');
      void this.follow(nc);
      this.becomeConnected(nc);
    } catch (error) {
      if (this.current === 'connecting') this.options.logger.warn({ nats: this.options.url, err: (error as Error).message }, 'NATS is unreachable; retrying (events go to the local outbox)');
      this.retryTimer = setTimeout(() => void this.attempt(), retryMs);
      this.retryTimer.unref();
    }
  }

  /** Tracks the client's own disconnect/reconnect cycle. */
  private async follow(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnecting' || status.type === 'staleConnection') {
        if (this.current === 'connected') this.options.logger.warn({ nats: this.options.url }, 'lost the connection to NATS; events go to the local outbox');
        if (this.current !== 'closed') this.current = 'reconnecting';
      } else if (status.type === 'reconnect') {
        this.options.logger.info({ nats: this.options.url }, 'reconnected to NATS');
        this.becomeConnected(nc);
      }
    }
  }

  private becomeConnected(nc: NatsConnection): void {
    if (this.current === 'closed') return;
    this.current = 'connected';
    for (const listener of this.listeners) void this.notify(listener, nc);
  }

  private async notify(listener: ConnectedListener, nc: NatsConnection): Promise<void> {
    try {
      await listener(nc);
    } catch (error) {
      this.options.logger.error({ err: error }, 'NATS connection listener failed');
    }
  }

  /** Flushes what the client still buffers, then closes; without a server to flush to, closes at once. */
  async close(): Promise<void> {
    const wasConnected = this.connected;
    this.current = 'closed';
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const nc = this.nc;
    this.nc = undefined;
    if (!nc || nc.isClosed()) return;
    if (wasConnected) await nc.drain().catch(() => nc.close());
    else await nc.close();
  }
}
