/**
 * The two storage backends for the conformance suites: every case runs once on SQLite (a fresh data
 * directory) and once on PostgreSQL (a fresh schema on the real server). `open()` gives another
 * repository over the same database each time, as a second Warden instance or a CLI process would have
 * (and it applies the migrations again, which must change nothing).
 */
import { test } from 'node:test';
import { openDatabase, type SqliteDatabase } from '../../src/store/index.js';
import { openPostgres, type PgPool } from '../../src/store/postgres.js';
import { freshSchema, TEST_DATABASE_URL } from '../helpers/postgres.js';
import { tempDir } from '../helpers/warden-process.js';

export interface BackendFactories<R> {
  sqlite(db: SqliteDatabase): R;
  postgres(pool: PgPool): Promise<R>;
}

export interface Opened<R> {
  backend: 'sqlite' | 'postgres';
  /** Another repository over the same database. */
  open(): Promise<R>;
}

/** Registers `name` once per backend, with every connection it opened closed afterwards. */
export function conformance<R>(name: string, factories: BackendFactories<R>, body: (t: Opened<R>) => Promise<void>): void {
  test(`${name} [sqlite]`, async () => {
    const dir = tempDir();
    const handles: SqliteDatabase[] = [];
    try {
      await body({
        backend: 'sqlite',
        open: async () => {
          const db = openDatabase(dir);
          handles.push(db);
          return factories.sqlite(db);
        },
      });
    } finally {
      for (const db of handles) db.close();
    }
  });
  test(`${name} [postgres]`, async () => {
    const fresh = await freshSchema('conf');
    const pools: PgPool[] = [];
    try {
      await body({
        backend: 'postgres',
        open: async () => {
          const pool = await openPostgres(TEST_DATABASE_URL, { schema: fresh.schema, max: 4 });
          pools.push(pool);
          return factories.postgres(pool);
        },
      });
    } finally {
      for (const pool of pools) await pool.end();
      await fresh.close();
    }
  });
}
