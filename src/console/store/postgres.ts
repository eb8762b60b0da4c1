/** Console sessions on PostgreSQL (clustered deployments): every instance finds a session any of them opened. */
import { applyPgMigrations, withTransaction, type PgPool } from '../../store/index.js';
import { CONSOLE_SESSIONS_MODULE, PG_MIGRATIONS } from './migrations.js';
import { SESSION_COLUMNS, sessionFromRow, sessionValues, type SessionRow } from './rows.js';
import type { ConsoleSessionRecord, ConsoleSessionRepository, SessionBound } from './types.js';

export class PostgresConsoleSessionRepository implements ConsoleSessionRepository {
  private constructor(private readonly pool: PgPool) {}

  static async open(pool: PgPool): Promise<PostgresConsoleSessionRepository> {
    await applyPgMigrations(pool, CONSOLE_SESSIONS_MODULE, PG_MIGRATIONS);
    return new PostgresConsoleSessionRepository(pool);
  }

  async create(session: ConsoleSessionRecord, bound: SessionBound): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await client.query(`INSERT INTO console_sessions (${SESSION_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, sessionValues(session));
      await client.query('DELETE FROM console_sessions WHERE expires_at <= $1 OR last_seen_at <= $2', [bound.now, bound.idleSince]);
      await client.query('DELETE FROM console_sessions WHERE seq <= (SELECT seq FROM console_sessions ORDER BY seq DESC LIMIT 1 OFFSET $1)', [bound.max]);
    });
  }

  async find(id: string): Promise<ConsoleSessionRecord | undefined> {
    const { rows } = await this.pool.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM console_sessions WHERE id = $1`, [id]);
    return rows[0] && sessionFromRow(rows[0]);
  }

  async findMany(ids: readonly string[]): Promise<ConsoleSessionRecord[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM console_sessions WHERE id = ANY($1::text[])`, [ids]);
    return rows.map(sessionFromRow);
  }

  async touch(id: string, at: number): Promise<void> {
    await this.pool.query('UPDATE console_sessions SET last_seen_at = GREATEST(last_seen_at, $1) WHERE id = $2', [at, id]);
  }

  async recordMfa(id: string, at: number): Promise<boolean> {
    const result = await this.pool.query('UPDATE console_sessions SET mfa_at = GREATEST(mfa_at, $1) WHERE id = $2', [at, id]);
    return result.rowCount === 1;
  }

  async end(id: string): Promise<boolean> {
    return (await this.pool.query('DELETE FROM console_sessions WHERE id = $1', [id])).rowCount === 1;
  }
}
