/**
 * Console sessions on SQLite. A single instance keeps them in a private in-memory database
 * (`openMemoryDatabase`, see src/app/state-stores.ts), so a restart still signs every operator out.
 */
import { applyMigrations, type SqliteDatabase } from '../../store/index.js';
import { CONSOLE_SESSIONS_MODULE, SQLITE_MIGRATIONS } from './migrations.js';
import { SESSION_COLUMNS, sessionFromRow, sessionValues, type SessionRow } from './rows.js';
import type { ConsoleSessionRecord, ConsoleSessionRepository, SessionBound } from './types.js';

export class SqliteConsoleSessionRepository implements ConsoleSessionRepository {
  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, CONSOLE_SESSIONS_MODULE, SQLITE_MIGRATIONS);
  }

  async create(session: ConsoleSessionRecord, bound: SessionBound): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare(`INSERT INTO console_sessions (${SESSION_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)`).run(...sessionValues(session));
      this.db.prepare('DELETE FROM console_sessions WHERE expires_at <= ? OR last_seen_at <= ?').run(bound.now, bound.idleSince);
      this.db.prepare('DELETE FROM console_sessions WHERE seq <= (SELECT seq FROM console_sessions ORDER BY seq DESC LIMIT 1 OFFSET ?)').run(bound.max);
    })();
  }

  async find(id: string): Promise<ConsoleSessionRecord | undefined> {
    const row = this.db.prepare(`SELECT ${SESSION_COLUMNS} FROM console_sessions WHERE id = ?`).get(id) as SessionRow | undefined;
    return row && sessionFromRow(row);
  }

  async findMany(ids: readonly string[]): Promise<ConsoleSessionRecord[]> {
    if (ids.length === 0) return [];
    const rows = this.db.prepare(`SELECT ${SESSION_COLUMNS} FROM console_sessions WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as SessionRow[];
    return rows.map(sessionFromRow);
  }

  async touch(id: string, at: number): Promise<void> {
    this.db.prepare('UPDATE console_sessions SET last_seen_at = MAX(last_seen_at, ?) WHERE id = ?').run(at, id);
  }

  async recordMfa(id: string, at: number): Promise<boolean> {
    return this.db.prepare('UPDATE console_sessions SET mfa_at = MAX(COALESCE(mfa_at, 0), ?) WHERE id = ?').run(at, id).changes === 1;
  }

  async end(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM console_sessions WHERE id = ?').run(id).changes === 1;
  }
}
