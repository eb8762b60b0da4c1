/** The SQLite implementation of the MCP session repository (the embedded store). */
import { applyMigrations, type SqliteDatabase } from '../../store/index.js';
import { SESSION_MODULE, SQLITE_MIGRATIONS } from './migrations.js';
import type { McpSessionRepository, RecentEntries, SessionBinding, StoredSessionEntry } from './types.js';

interface EntryRow {
  id: string;
  received_at: number;
  principal: string;
  t: number;
  session_id: string;
  tool: string;
  bytes: number;
  untrusted: number;
  open_world: number;
}

/** Most entries one `recent` call returns; the caller asks again from where it stopped. */
const PAGE = 5000;

export class SqliteMcpSessionRepository implements McpSessionRepository {
  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, SESSION_MODULE, SQLITE_MIGRATIONS);
  }

  async bind(sessionId: string, binding: SessionBinding, at: number): Promise<void> {
    this.db
      .prepare('INSERT INTO mcp_session_bindings (session_id, server, principal, bound_at) VALUES (?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET server = excluded.server, principal = excluded.principal, bound_at = excluded.bound_at')
      .run(sessionId, binding.server, binding.principal, at);
    return Promise.resolve();
  }

  async binding(sessionId: string): Promise<SessionBinding | undefined> {
    return Promise.resolve(this.db.prepare('SELECT server, principal FROM mcp_session_bindings WHERE session_id = ?').get(sessionId) as SessionBinding | undefined);
  }

  async unbind(sessionId: string): Promise<void> {
    this.db.prepare('DELETE FROM mcp_session_bindings WHERE session_id = ?').run(sessionId);
    return Promise.resolve();
  }

  async append(entries: readonly StoredSessionEntry[]): Promise<void> {
    const insert = this.db.prepare('INSERT INTO mcp_session_history (id, principal, t, session_id, tool, bytes, untrusted, open_world, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
    const now = Date.now();
    this.db.transaction(() => {
      for (const e of entries) insert.run(e.id, e.principal, e.t, e.sessionId, e.tool, e.bytes, e.untrusted ? 1 : 0, e.openWorld ? 1 : 0, now);
    })();
    return Promise.resolve();
  }

  async recent(since: number, minT: number): Promise<RecentEntries> {
    const now = Date.now();
    const rows = this.db
      .prepare('SELECT id, principal, t, session_id, tool, bytes, untrusted, open_world, received_at FROM mcp_session_history WHERE received_at >= ? AND t >= ? ORDER BY received_at, id LIMIT ?')
      .all(since, minT, PAGE) as EntryRow[];
    const more = rows.length === PAGE;
    return Promise.resolve({ entries: rows.map(entryOf), next: more ? rows.at(-1)!.received_at : now, more });
  }

  async prune(before: number, bindingsBefore: number): Promise<number> {
    const history = this.db.prepare('DELETE FROM mcp_session_history WHERE t < ?').run(before).changes;
    const bindings = this.db.prepare('DELETE FROM mcp_session_bindings WHERE bound_at < ?').run(bindingsBefore).changes;
    return Promise.resolve(history + bindings);
  }

  async close(): Promise<void> {
    return Promise.resolve();
  }
}

function entryOf(r: EntryRow): StoredSessionEntry {
  return { id: r.id, principal: r.principal, t: r.t, sessionId: r.session_id, tool: r.tool, bytes: r.bytes, untrusted: r.untrusted === 1, openWorld: r.open_world === 1 };
}
