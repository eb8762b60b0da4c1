/**
 * What an agent's sessions have seen, for `context.session`. Cedar sees one request; the dangerous
 * combination (private data + untrusted content + a way out) only shows across requests, so Warden keeps
 * a short history per agent and summarises it into every decision.
 *
 * The history is keyed by the principal (the agent, and the person it acts for), not by the MCP session
 * id: the session id is chosen by the server on the agent's `initialize`, so an agent could clear a
 * per-session taint simply by opening a new session. Entries still carry their session id, and the number
 * of distinct sessions in the window is in the summary (session churn is itself a signal). History ages
 * out after `windowSeconds`; it lives in memory (a restart forgets it; documented).
 */
import type { Identity } from '../core/types.js';

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

const MAX_ENTRIES = 1000;

export class SessionHistory {
  private readonly byPrincipal = new Map<string, SessionEntry[]>();

  constructor(private readonly options: { windowSeconds: number; maxPrincipals: number }) {}

  static keyOf(identity: Identity): string {
    const p = identity.principal;
    const d = identity.delegation?.onBehalfOf;
    return `${p.kind}:${p.id}${d ? `>${d.kind}:${d.id}` : ''}`;
  }

  record(key: string, entry: SessionEntry): void {
    const entries = this.live(key, entry.t);
    entries.push(entry);
    // Bounded: the oldest entries go first, but a taint is never dropped while younger than the window.
    if (entries.length > MAX_ENTRIES) {
      const dropAt = entries.findIndex((e) => !e.untrusted);
      entries.splice(dropAt >= 0 ? dropAt : 0, 1);
    }
    this.byPrincipal.delete(key);
    this.byPrincipal.set(key, entries);
    if (this.byPrincipal.size > this.options.maxPrincipals) this.byPrincipal.delete(this.byPrincipal.keys().next().value!);
  }

  summary(key: string, now: number): SessionSummary {
    const entries = this.live(key, now);
    const toolCounts: Record<string, number> = Object.create(null) as Record<string, number>;
    let bytes = 0;
    for (const e of entries) {
      toolCounts[e.tool] = (toolCounts[e.tool] ?? 0) + 1;
      bytes += e.bytes;
    }
    return {
      untrustedContent: entries.some((e) => e.untrusted),
      openWorldUsed: entries.some((e) => e.openWorld),
      toolsCalled: Object.keys(toolCounts),
      callCount: entries.length,
      toolCounts,
      bytesReturned: bytes,
      sessions: new Set(entries.map((e) => e.sessionId)).size,
      windowSeconds: this.options.windowSeconds,
    };
  }

  /** Forgets a principal's history (an administrator cleared it). */
  clear(key: string): boolean {
    return this.byPrincipal.delete(key);
  }

  private live(key: string, now: number): SessionEntry[] {
    const entries = this.byPrincipal.get(key) ?? [];
    const from = now - this.options.windowSeconds * 1000;
    let i = 0;
    while (i < entries.length && entries[i]!.t < from) i++;
    if (i > 0) entries.splice(0, i);
    return entries;
  }
}
