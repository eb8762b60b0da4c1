/**
 * The repository of MCP session state (storage convention: async interface, SQLite and PostgreSQL
 * implementations, one conformance suite): which principal opened which MCP session, and the history of
 * each agent's calls that `context.session` summarises. Stored so that both survive a restart and are
 * shared by every instance of a cluster; decisions still read them from memory (src/mcp/session.ts).
 */

/** Who opened an MCP session on which server. */
export interface SessionBinding {
  server: string;
  principal: string;
}

/** One call in an agent's history, as stored. */
export interface StoredSessionEntry {
  /** Unique across instances: the recording instance's id and its own counter. */
  id: string;
  /** The agent and the person it acts for (`SessionHistory.keyOf`). */
  principal: string;
  /** When the call was made (milliseconds since the epoch, the recording instance's clock). */
  t: number;
  sessionId: string;
  tool: string;
  bytes: number;
  untrusted: boolean;
  openWorld: boolean;
}

export interface RecentEntries {
  entries: StoredSessionEntry[];
  /**
   * Where the next `recent` call starts (the store's clock): its clock before it read, or, when the page
   * was full (`more`), the last entry's receipt. Rows committed late may carry an earlier stamp, so the
   * caller asks from a little before `next` and ignores ids it has already seen.
   */
  next: number;
  more: boolean;
}

export interface McpSessionRepository {
  /** Records a binding; binding an id again replaces it (a server reusing an id for a new session). */
  bind(sessionId: string, binding: SessionBinding, at: number): Promise<void>;
  binding(sessionId: string): Promise<SessionBinding | undefined>;
  unbind(sessionId: string): Promise<void>;
  /** Appends history in one transaction; the store stamps each entry with its own clock for `recent`. An id seen before is ignored. */
  append(entries: readonly StoredSessionEntry[]): Promise<void>;
  /** Entries the store received at or after `since` (its clock) whose call is not older than `minT`, in order of receipt, one page. */
  recent(since: number, minT: number): Promise<RecentEntries>;
  /** Deletes history older than `before` and bindings made before `bindingsBefore`; returns the rows deleted. */
  prune(before: number, bindingsBefore: number): Promise<number>;
  close(): Promise<void>;
}
