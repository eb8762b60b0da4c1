/**
 * What an agent's sessions have seen, for `context.session`. Cedar sees one request; the dangerous
 * combination (private data + untrusted content + a way out) only shows across requests, so Warden keeps
 * a short history per agent and summarises it into every decision.
 *
 * The history is keyed by the principal (the agent, and the person it acts for), not by the MCP session
 * id: the session id is chosen by the server on the agent's `initialize`, so an agent could clear a
 * per-session taint simply by opening a new session. Entries still carry their session id, and the number
 * of distinct sessions in the window is in the summary (session churn is itself a signal). History ages
 * out after `windowSeconds`.
 *
 * Decisions read the history from memory. With a repository it is also written to the store (batched,
 * off the request path) and `sync()` loads what other processes recorded, so it survives a restart and is
 * shared by every instance of a cluster within a sync interval.
 */
import { randomBytes } from 'node:crypto';
import type { Identity } from '../core/index.js';
import type { McpSessionRepository, StoredSessionEntry } from './store/types.js';

export interface SessionEntry {
  t: number;
  sessionId: string;
  tool: string;
  bytes: number;
  /** Content from outside the organisation's control entered the session with this call's result. */
  untrusted: boolean;
  openWorld: boolean;
}

/** `context.session` as Cedar reads it. */
export interface SessionSummary {
  untrustedContent: boolean;
  openWorldUsed: boolean;
  toolsCalled: string[];
  callCount: number;
  /** Calls per tool in the window: a record, declare the tools you write policies about in your schema. */
  toolCounts: Record<string, number>;
  bytesReturned: number;
  sessions: number;
  windowSeconds: number;
}

interface HeldEntry extends SessionEntry {
  id: string;
}

/**
 * One principal's entries in time order, with their totals kept as entries come and go, so that a
 * summary (asked on every decision) costs the number of distinct tools, not the number of calls.
 */
class Track {
  readonly entries: HeldEntry[] = [];
  readonly toolCounts = new Map<string, number>();
  readonly sessionCounts = new Map<string, number>();
  bytes = 0;
  untrusted = 0;
  openWorld = 0;

  insert(entry: HeldEntry): void {
    let at = this.entries.length;
    // Entries from a sync may be older than the last one held: keep the list in time order.
    while (at > 0 && this.entries[at - 1]!.t > entry.t) at--;
    this.entries.splice(at, 0, entry);
    this.count(entry, 1);
  }

  /** Removes entries from `index` (`n` of them) and returns them. */
  remove(index: number, n: number): HeldEntry[] {
    const removed = this.entries.splice(index, n);
    for (const e of removed) this.count(e, -1);
    return removed;
  }

  private count(e: HeldEntry, d: 1 | -1): void {
    bump(this.toolCounts, e.tool, d);
    bump(this.sessionCounts, e.sessionId, d);
    this.bytes += d * e.bytes;
    if (e.untrusted) this.untrusted += d;
    if (e.openWorld) this.openWorld += d;
  }
}

function bump(counts: Map<string, number>, key: string, d: number): void {
  const n = (counts.get(key) ?? 0) + d;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}

const MAX_ENTRIES = 1000;
/** Entries are written in one transaction at most this often (an fsync per call would cost more than the call). */
const FLUSH_MS = 200;
/** A row committed late may carry a receipt stamp up to this much before the last sync's clock. */
const SYNC_GRACE_MS = 5_000;

export class SessionHistory {
  private readonly byPrincipal = new Map<string, Track>();
  /** Ids of the entries held, so that a sync never counts one twice. */
  private readonly held = new Set<string>();
  private readonly instance = randomBytes(6).toString('hex');
  private counter = 0;
  private pending: StoredSessionEntry[] = [];
  private flushing: Promise<void> | undefined;
  private syncedTo = 0;

  constructor(
    private readonly options: { windowSeconds: number; maxPrincipals: number },
    private readonly store?: McpSessionRepository,
    private readonly onStoreError: (error: unknown) => void = () => undefined,
  ) {}

  static keyOf(identity: Identity): string {
    const p = identity.principal;
    const d = identity.delegation?.onBehalfOf;
    return `${p.kind}:${p.id}${d ? `>${d.kind}:${d.id}` : ''}`;
  }

  record(key: string, entry: SessionEntry): void {
    const held: HeldEntry = { ...entry, id: `${this.instance}:${++this.counter}` };
    this.hold(key, held);
    if (!this.store) return;
    this.pending.push({ ...held, principal: key });
    // Written in batches, off the request's path.
    this.flushing ??= later(FLUSH_MS).then(() => this.flush());
  }

  summary(key: string, now: number): SessionSummary {
    const track = this.live(key, now);
    const toolCounts: Record<string, number> = Object.create(null) as Record<string, number>;
    if (track) for (const [tool, n] of track.toolCounts) toolCounts[tool] = n;
    return {
      untrustedContent: (track?.untrusted ?? 0) > 0,
      openWorldUsed: (track?.openWorld ?? 0) > 0,
      toolsCalled: Object.keys(toolCounts),
      callCount: track?.entries.length ?? 0,
      toolCounts,
      bytesReturned: track?.bytes ?? 0,
      sessions: track?.sessionCounts.size ?? 0,
      windowSeconds: this.options.windowSeconds,
    };
  }

  /** Forgets a principal's history in this process (an administrator cleared it). */
  clear(key: string): boolean {
    for (const e of this.byPrincipal.get(key)?.entries ?? []) this.held.delete(e.id);
    return this.byPrincipal.delete(key);
  }

  /**
   * Loads what the store received since the last sync (everything in the window at the first), so entries
   * recorded by other processes, or before a restart, count here too. Throws when the store fails.
   */
  async sync(now = Date.now()): Promise<number> {
    if (!this.store) return 0;
    let added = 0;
    for (;;) {
      const page = await this.store.recent(Math.max(0, this.syncedTo - SYNC_GRACE_MS), now - this.options.windowSeconds * 1000);
      for (const e of page.entries) {
        if (this.held.has(e.id)) continue;
        this.hold(e.principal, { t: e.t, sessionId: e.sessionId, tool: e.tool, bytes: e.bytes, untrusted: e.untrusted, openWorld: e.openWorld, id: e.id });
        added++;
      }
      // A full page moves on from its last entry without the grace, so a burst cannot stall the sync.
      this.syncedTo = page.more ? page.next + SYNC_GRACE_MS : page.next;
      if (!page.more) return added;
    }
  }

  /** Deletes stored history older than the window and session bindings older than `bindingsBefore`. */
  async prune(now: number, bindingsBefore: number): Promise<number> {
    return this.store ? this.store.prune(now - this.options.windowSeconds * 1000, bindingsBefore) : 0;
  }

  /** Resolves once what was recorded so far is written (at shutdown, and in tests). */
  async flushed(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      await this.store!.append(batch);
    } catch (error) {
      // The entries still count in this process; only their sharing failed.
      this.onStoreError(error);
    } finally {
      this.flushing = this.pending.length ? later(FLUSH_MS).then(() => this.flush()) : undefined;
    }
  }

  private hold(key: string, entry: HeldEntry): void {
    const track = this.live(key, entry.t) ?? new Track();
    track.insert(entry);
    this.held.add(entry.id);
    // Bounded: the oldest entries go first, but a taint is never dropped while younger than the window.
    if (track.entries.length > MAX_ENTRIES) {
      const dropAt = track.entries.findIndex((e) => !e.untrusted);
      this.held.delete(track.remove(dropAt >= 0 ? dropAt : 0, 1)[0]!.id);
    }
    this.byPrincipal.delete(key);
    this.byPrincipal.set(key, track);
    if (this.byPrincipal.size > this.options.maxPrincipals) this.clear(this.byPrincipal.keys().next().value!);
  }

  private live(key: string, now: number): Track | undefined {
    const track = this.byPrincipal.get(key);
    if (!track) return undefined;
    const from = now - this.options.windowSeconds * 1000;
    let i = 0;
    while (i < track.entries.length && track.entries[i]!.t < from) i++;
    if (i > 0) for (const e of track.remove(0, i)) this.held.delete(e.id);
    return track;
  }
}

function later(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
