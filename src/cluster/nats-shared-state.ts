/**
 * Shared fast state over a JetStream KV bucket (`warden_state`, one value per key). KV rather than plain
 * core-NATS subjects because the state must reach instances that were not listening when it was written:
 * a bucket keeps the last value of each key, so one `watch` is both the start-up loader (it first delivers
 * every existing entry) and the live feed (then every change, pushed by the server within milliseconds).
 * Plain subjects would need a second mechanism for loading, and would lose a revocation sent while an
 * instance was reconnecting.
 *
 * A write applies here at once; while NATS is away it is kept and written when NATS is back (the last
 * write per key wins), so an instance cut off keeps its own revocations in force and shares them later.
 *
 * @example
 * const state = new NatsSharedState({ link, instanceId, logger });
 * state.watch('apikey-revocation', ({ key }) => apiKeys.applyRevocation(key));
 */
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import type { Logger } from '../core/index.js';
import type { Subscription } from '../events/index.js';
import type { NatsLink } from './nats-link.js';
import { STATE_KINDS, StateTable, type SharedState, type StateKind, type StateListener } from './shared-state.js';

export const STATE_BUCKET = 'warden_state';

export interface NatsSharedStateOptions {
  link: NatsLink;
  instanceId: string;
  logger: Logger;
}

/** What is stored under a key; anyone allowed to write the bucket controls it, so it is checked. */
const storedShape = z.object({ origin: z.string().min(1).max(200), value: z.unknown() });

const MAX_KEY_LENGTH = 1024;

function encodeKey(kind: StateKind, key: string): string {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw new RangeError(`a shared state key must be 1-${MAX_KEY_LENGTH} characters`);
  // base64url keeps any principal or key id (quotes, colons, spaces) inside the characters KV allows.
  return `${kind}.${Buffer.from(key, 'utf8').toString('base64url')}`;
}

function decodeKey(raw: string): { kind: StateKind; key: string } | undefined {
  const dot = raw.indexOf('.');
  const kind = raw.slice(0, dot) as StateKind;
  if (dot < 0 || !STATE_KINDS.includes(kind)) return undefined;
  const key = Buffer.from(raw.slice(dot + 1), 'base64url').toString('utf8');
  return key.length ? { kind, key } : undefined;
}

type PendingWrite = { kind: StateKind; key: string; value: unknown };

export class NatsSharedState implements SharedState {
  readonly instanceId: string;
  private readonly table: StateTable;
  private kv: KV | undefined;
  private watching = false;
  private readonly pending = new Map<string, PendingWrite>();
  private flushing: Promise<void> | undefined;
  private readonly loadedOnce: Promise<void>;
  private markLoaded!: () => void;
  private stopWatch: (() => void) | undefined;
  private readonly retryTimer: NodeJS.Timeout;

  constructor(private readonly options: NatsSharedStateOptions) {
    this.instanceId = options.instanceId;
    this.table = new StateTable((error) => options.logger.error({ err: error }, 'a shared state listener failed'));
    this.loadedOnce = new Promise((resolve) => (this.markLoaded = resolve));
    options.link.onConnected((nc) => this.connected(nc));
    // Safety net: deferred writes are retried, and a watch that ended is started again.
    this.retryTimer = setInterval(() => {
      if (this.kv && !this.watching && this.options.link.connected) void this.startWatch(this.kv);
      void this.flush();
    }, 1000);
    this.retryTimer.unref();
  }

  async put(kind: StateKind, key: string, value: unknown): Promise<void> {
    if (value === undefined) throw new TypeError('use remove() to delete a shared state entry');
    await this.write({ kind, key, value });
  }

  async remove(kind: StateKind, key: string): Promise<void> {
    await this.write({ kind, key, value: undefined });
  }

  watch(kind: StateKind, listener: StateListener): Subscription {
    return this.table.watch(kind, listener);
  }

  get(kind: StateKind, key: string): unknown {
    return this.table.get(kind, key);
  }

  loaded(): Promise<void> {
    return this.loadedOnce;
  }

  /** Writes still queued (NATS away): what `/readyz` reports. */
  get pendingWrites(): number {
    return this.pending.size;
  }

  async close(): Promise<void> {
    clearInterval(this.retryTimer);
    await this.flushing;
    this.stopWatch?.();
  }

  private async write(change: PendingWrite): Promise<void> {
    const raw = encodeKey(change.kind, change.key);
    this.table.apply({ ...change, origin: this.instanceId });
    this.pending.set(raw, change);
    await this.flush();
  }

  private async connected(nc: NatsConnection): Promise<void> {
    this.kv ??= await new Kvm(nc).create(STATE_BUCKET, { history: 1 });
    if (!this.watching) await this.startWatch(this.kv);
    await this.flush();
  }

  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (!this.kv || !this.options.link.connected || this.pending.size === 0) return Promise.resolve();
    const kv = this.kv;
    this.flushing = (async () => {
      for (const [raw, change] of this.pending) {
        try {
          if (change.value === undefined) await kv.delete(raw);
          else await kv.put(raw, JSON.stringify({ origin: this.instanceId, value: change.value }));
          // A newer write to the same key may have replaced this one meanwhile: keep that one queued.
          if (this.pending.get(raw) === change) this.pending.delete(raw);
        } catch (error) {
          this.options.logger.warn({ err: (error as Error).message, pending: this.pending.size }, 'shared state write deferred: NATS did not acknowledge');
          return;
        }
      }
    })().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async startWatch(kv: KV): Promise<void> {
    this.watching = true;
    let entries: Awaited<ReturnType<KV['watch']>>;
    try {
      const empty = (await kv.status()).values === 0;
      entries = await kv.watch({ key: '>' });
      if (empty) this.markLoaded();
    } catch (error) {
      this.watching = false;
      this.options.logger.warn({ err: (error as Error).message }, 'could not watch the shared state; retrying');
      return;
    }
    this.stopWatch = () => entries.stop();
    void this.follow(entries).catch((error: unknown) => this.options.logger.error({ err: error }, 'the shared state watch ended; it will be started again'));
  }

  private async follow(entries: Awaited<ReturnType<KV['watch']>>): Promise<void> {
    try {
      for await (const entry of entries) {
        // Nothing pending after the last existing entry (delta 0), and every later entry is an update.
        if (entry.delta === 0 || entry.isUpdate) this.markLoaded();
        const name = decodeKey(entry.key);
        if (!name) continue;
        if (entry.operation !== 'PUT') {
          this.table.apply({ ...name, value: undefined, origin: 'nats' });
          continue;
        }
        const stored = parseStored(entry.value);
        if (!stored) {
          this.options.logger.warn({ key: entry.key }, 'ignored a malformed shared state entry');
          continue;
        }
        // Our own write comes back too: it was applied when written, and an echo arriving after a newer
        // write of ours would briefly bring the older value back.
        if (entry.isUpdate && stored.origin === this.instanceId) continue;
        this.table.apply({ ...name, value: stored.value, origin: stored.origin });
      }
    } finally {
      this.watching = false;
    }
  }
}

function parseStored(data: Uint8Array): { origin: string; value: unknown } | undefined {
  try {
    const parsed = storedShape.safeParse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data)));
    return parsed.success && parsed.data.value !== undefined ? parsed.data : undefined;
  } catch {
    // Not UTF-8 or not JSON: the entry is skipped like any other that fails the shape check.
    return undefined;
  }
}
