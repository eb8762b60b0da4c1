/**
 * A fresh PostgreSQL schema per test file, on the server CI starts (`.ci/run`): the database tests run on
 * a real PostgreSQL, never a mock. `WARDEN_TEST_DATABASE_URL` points elsewhere; the default is the
 * machine's local server (trust auth, database `test`). Each call gets its own schema, dropped on close,
 * so test files running in parallel never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgres, type PgPool } from '../../src/store/postgres.js';

export const TEST_DATABASE_URL = process.env.WARDEN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  pool: PgPool;
  schema: string;
  /** The URL a child Warden process can use to reach the same schema (`?options=-c search_path=…`). */
  url: string;
  close(): Promise<void>;
}

export async function freshSchema(prefix = 'wt'): Promise<TestSchema> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const pool = await openPostgres(TEST_DATABASE_URL, { schema, max: 4 });
  return {
    pool,
    schema,
    url: `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    async close() {
      await pool.end();
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}
