/** The PostgreSQL implementation of the MCP session repository (clustered store). */
import { applyPgMigrations, type PgPool } from '../../store/index.js';
import { PG_MIGRATIONS, SESSION_MODULE } from './migrations.js';
import type { McpSessionRepository, RecentEntries, SessionBinding, StoredSessionEntry } from './types.js';

interface EntryRow {
  id: string;
  received_at: string;
  principal: string;
  t: string;
  session_id: string;
  tool: string;
  bytes: string;
  untrusted: boolean;
  open_world: boolean;
}

const PAGE = 5000;

export class PostgresMcpSessionRepository implements McpSessionRepository {
  private constructor(private readonly pool: PgPool) {}

  static async open(pool: PgPool): Promise<PostgresMcpSessionRepository> {
    await applyPgMigrations(pool, SESSION_MODULE, PG_MIGRATIONS);
    return new PostgresMcpSessionRepository(pool);
  }

  async bind(sessionId: string, binding: SessionBinding, at: number): Promise<void> {
    await this.pool.query(
      'INSERT INTO mcp_session_bindings (session_id, server, principal, bound_at) VALUES ($1, $2, $3, $4) ON CONFLICT (session_id) DO UPDATE SET server = excluded.server, principal = excluded.principal, bound_at = excluded.bound_at',
      [sessionId, binding.server, binding.principal, at],
    );
  }

  async binding(sessionId: string): Promise<SessionBinding | undefined> {
    const { rows } = await this.pool.query<SessionBinding>('SELECT server, principal FROM mcp_session_bindings WHERE session_id = $1', [sessionId]);
    return rows[0];
  }

  async unbind(sessionId: string): Promise<void> {
    await this.pool.query('DELETE FROM mcp_session_bindings WHERE session_id = $1', [sessionId]);
  }

  async append(entries: readonly StoredSessionEntry[]): Promise<void> {
    if (entries.length === 0) return;
    // One statement for the batch; received_at is the database's clock, so every instance polls against one clock.
    await this.pool.query(
      `INSERT INTO mcp_session_history (id, principal, t, session_id, tool, bytes, untrusted, open_world)
       SELECT * FROM unnest($1::TEXT[], $2::TEXT[], $3::BIGINT[], $4::TEXT[], $5::TEXT[], $6::BIGINT[], $7::BOOLEAN[], $8::BOOLEAN[]) ON CONFLICT DO NOTHING`,
      [entries.map((e) => e.id), entries.map((e) => e.principal), entries.map((e) => e.t), entries.map((e) => e.sessionId), entries.map((e) => e.tool), entries.map((e) => e.bytes), entries.map((e) => e.untrusted), entries.map((e) => e.openWorld)],
    );
  }

  async recent(since: number, minT: number): Promise<RecentEntries> {
    // The clock is read before the rows: a row stamped after it is read again next time, never skipped.
    const clock = await this.pool.query<{ now: string }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT AS now');
    const { rows } = await this.pool.query<EntryRow>(
      'SELECT id, principal, t, session_id, tool, bytes, untrusted, open_world, received_at FROM mcp_session_history WHERE received_at >= $1 AND t >= $2 ORDER BY received_at, id LIMIT $3',
      [since, minT, PAGE],
    );
    const more = rows.length === PAGE;
    return { entries: rows.map(entryOf), next: more ? Number(rows.at(-1)!.received_at) : Number(clock.rows[0]!.now), more };
  }

  async prune(before: number, bindingsBefore: number): Promise<number> {
    const history = await this.pool.query('DELETE FROM mcp_session_history WHERE t < $1', [before]);
    const bindings = await this.pool.query('DELETE FROM mcp_session_bindings WHERE bound_at < $1', [bindingsBefore]);
    return (history.rowCount ?? 0) + (bindings.rowCount ?? 0);
  }

  async close(): Promise<void> {
    return Promise.resolve();
  }
}

function entryOf(r: EntryRow): StoredSessionEntry {
  return { id: r.id, principal: r.principal, t: Number(r.t), sessionId: r.session_id, tool: r.tool, bytes: Number(r.bytes), untrusted: r.untrusted, openWorld: r.open_world };
}
