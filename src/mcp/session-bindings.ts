/**
 * Which principal opened which MCP session. The server chooses the session id on `initialize`; Warden
 * binds it to the principal (and server) that opened it, so a session id that leaks (logs, a shared
 * proxy) is useless to anyone else: another caller presenting it gets the same 404 as for an unknown id.
 *
 * Held in memory (bounded) and, with a repository, written through to the store before the agent learns
 * the id: a session opened before a restart or on another instance of a cluster is found there on first
 * use and then held here. An id the store does not know is refused; nothing about it is cached, since
 * another instance may bind it a moment later.
 */
import type { McpSessionRepository } from './store/types.js';

export class SessionBindings {
  private readonly bindings = new Map<string, { server: string; principal: string }>();

  constructor(
    private readonly store?: McpSessionRepository,
    private readonly max = 100_000,
  ) {}

  async bind(sessionId: string, server: string, principal: string): Promise<void> {
    await this.store?.bind(sessionId, { server, principal }, Date.now());
    this.hold(sessionId, { server, principal });
  }

  async owns(sessionId: string, server: string, principal: string): Promise<boolean> {
    let b = this.bindings.get(sessionId);
    if (!b && this.store) {
      b = await this.store.binding(sessionId);
      if (b) this.hold(sessionId, b);
    }
    return b !== undefined && b.server === server && b.principal === principal;
  }

  async forget(sessionId: string): Promise<void> {
    this.bindings.delete(sessionId);
    await this.store?.unbind(sessionId);
  }

  private hold(sessionId: string, binding: { server: string; principal: string }): void {
    this.bindings.set(sessionId, binding);
    if (this.bindings.size > this.max) this.bindings.delete(this.bindings.keys().next().value!);
  }
}
