/**
 * The MCP gateway's repositories on the backend the rest of Warden uses (src/store/open.ts chooses it the
 * same way): PostgreSQL when a database URL is set, so pins, session bindings and agents' histories are
 * shared by every instance and by the CLI; else the data directory's SQLite database.
 */
import { type SqliteDatabase, openPostgres } from '../../store/index.js';
import { PostgresPinRepository } from '../pins/postgres.js';
import { SqlitePinRepository } from '../pins/sqlite.js';
import type { ToolPinRepository } from '../pins/types.js';
import { PostgresMcpSessionRepository } from './postgres.js';
import { SqliteMcpSessionRepository } from './sqlite.js';
import type { McpSessionRepository } from './types.js';

export interface McpStores {
  backend: 'sqlite' | 'postgres';
  pins: ToolPinRepository;
  sessions: McpSessionRepository;
  /** Releases a PostgreSQL pool opened here (the SQLite handle belongs to the caller). */
  close(): Promise<void>;
}

/** `sqlite()` is called only without a database URL, so a clustered CLI command never creates a local database. */
export async function openMcpStores(options: { databaseUrl: string | undefined; sqlite: () => SqliteDatabase }): Promise<McpStores> {
  if (options.databaseUrl === undefined) {
    const db = options.sqlite();
    return { backend: 'sqlite', pins: new SqlitePinRepository(db), sessions: new SqliteMcpSessionRepository(db), close: async () => undefined };
  }
  const pool = await openPostgres(options.databaseUrl, { max: 4 });
  try {
    return { backend: 'postgres', pins: await PostgresPinRepository.open(pool), sessions: await PostgresMcpSessionRepository.open(pool), close: () => pool.end() };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
