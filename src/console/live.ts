/**
 * The console's live stream (server-sent events): new decisions, detections, risk changes and responses
 * as they reach the bus, reduced to what the console lists (no request paths' query strings, no device
 * details, no event payloads beyond their summary). The console's own calls are left out, so an open
 * console does not fill its own feed. Connections are bounded in number and closed with their session:
 * ended here at once, and ended on another instance (signed out, idle, its credential revoked) within the
 * sessions' revalidation interval (500 ms): every interval the distinct sessions holding streams are read
 * again in one repository call, so the reads grow with time, not with the number of open streams.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WardenEvent } from '../core/index.js';
import type { EventBus, Subscription } from '../events/index.js';
import type { ConsoleSession, ConsoleSessions } from './session/store.js';

export type LiveItem =
  | { kind: 'decision'; id: string; decisionId: string; time: string; principal: string | null; outcome: string; action: string; resource: string; status: number; enforced: boolean; risk: number | null }
  | { kind: 'detection'; id: string; time: string; detector: string; severity: string; entity: string; explanation: string }
  | { kind: 'risk'; id: string; time: string; principal: string; score: number; previous: number }
  | { kind: 'response'; id: string; time: string; action: string; target: string; reason: string };

const ref = (e: { type: string; id: string }): string => `${e.type}::${e.id}`;

/** The summary the console shows, or undefined for events it does not list. */
export function liveItemOf(event: WardenEvent): LiveItem | undefined {
  switch (event.type) {
    case 'decision':
      if (event.route.startsWith('console ')) return undefined;
      return { kind: 'decision', id: event.id, decisionId: event.decisionId, time: event.time, principal: event.principal ? ref(event.principal) : null, outcome: event.outcome, action: event.action, resource: ref(event.resource), status: event.status, enforced: event.enforced, risk: event.risk ?? null };
    case 'detection':
      return { kind: 'detection', id: event.id, time: event.time, detector: event.detector, severity: event.severity, entity: ref(event.entity), explanation: event.explanation.slice(0, 1000) };
    case 'risk':
      return { kind: 'risk', id: event.id, time: event.time, principal: ref(event.principal), score: event.score, previous: event.previous };
    case 'response':
      return { kind: 'response', id: event.id, time: event.time, action: event.action, target: ref(event.target), reason: event.reason.slice(0, 1000) };
    default:
      return undefined;
  }
}

export class LiveFeed {
  private readonly clients = new Set<{ res: ServerResponse; session: ConsoleSession }>();
  private readonly subscription: Subscription;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly check: NodeJS.Timeout;
  private checking = false;

  constructor(
    bus: EventBus,
    private readonly sessions: ConsoleSessions,
    private readonly maxClients = 100,
    heartbeatMs = 15_000,
  ) {
    this.subscription = bus.subscribe((event) => this.broadcast(event), { name: 'console-live', types: ['decision', 'detection', 'risk', 'response'] });
    // A comment line keeps proxies from closing an idle stream and lets ended sessions be noticed.
    this.heartbeat = setInterval(() => this.beat(), heartbeatMs);
    this.heartbeat.unref();
    this.check = setInterval(() => void this.revalidate(), sessions.revalidateMs);
    this.check.unref();
  }

  open(req: IncomingMessage, res: ServerResponse, session: ConsoleSession, headers: Record<string, string>): void {
    if (this.clients.size >= this.maxClients) {
      const oldest = this.clients.values().next().value!;
      oldest.res.end();
      this.clients.delete(oldest);
    }
    res.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 3000\n\n');
    const client = { res, session };
    this.clients.add(client);
    req.on('close', () => {
      this.clients.delete(client);
      res.end();
    });
  }

  private broadcast(event: WardenEvent): void {
    const item = liveItemOf(event);
    if (!item) return;
    const frame = `event: ${item.kind}\ndata: ${JSON.stringify(item)}\n\n`;
    for (const client of this.clients) {
      if (!this.sessions.isLive(client.session)) this.drop(client);
      else client.res.write(frame);
    }
  }

  /** Drops streams whose session has ended; from memory (the check below keeps it current). */
  private beat(): void {
    for (const client of this.clients) {
      if (!this.sessions.isLive(client.session)) this.drop(client);
      else client.res.write(': keep-alive\n\n');
    }
  }

  /** One read for the sessions that hold streams; a session ended on another instance closes its streams here. */
  private async revalidate(): Promise<void> {
    if (this.checking || this.clients.size === 0) return;
    this.checking = true;
    try {
      await this.sessions.revalidateAll(new Set([...this.clients].map((c) => c.session)));
      for (const client of this.clients) if (!this.sessions.isLive(client.session)) this.drop(client);
    } finally {
      this.checking = false;
    }
  }

  private drop(client: { res: ServerResponse }): void {
    client.res.end();
    this.clients.delete(client as { res: ServerResponse; session: ConsoleSession });
  }

  close(): void {
    clearInterval(this.heartbeat);
    clearInterval(this.check);
    this.subscription.unsubscribe();
    for (const client of this.clients) client.res.end();
    this.clients.clear();
  }
}
