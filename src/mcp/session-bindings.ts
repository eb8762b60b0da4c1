/**
 * Which principal opened which MCP session. The server chooses the session id on `initialize`; Warden
 * binds it to the principal (and server) that opened it, so a session id that leaks (logs, a shared
 * proxy) is useless to anyone else: another caller presenting it gets the same 404 as for an unknown id.
 * In memory and bounded: after a restart clients get 404 and, as the transport requires, re-initialize.
 */
export class SessionBindings {
  private readonly bindings = new Map<string, { server: string; principal: string }>();

  constructor(private readonly max = 100_000) {}

  bind(sessionId: string, server: string, principal: string): void {
    this.bindings.set(sessionId, { server, principal });
    if (this.bindings.size > this.max) this.bindings.delete(this.bindings.keys().next().value!);
  }

  owns(sessionId: string, server: string, principal: string): boolean {
    const b = this.bindings.get(sessionId);
    return b !== undefined && b.server === server && b.principal === principal;
  }

  forget(sessionId: string): void {
    this.bindings.delete(sessionId);
  }
}
