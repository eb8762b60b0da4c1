/** Forward-only migrations of the response module's tables, one list per dialect. */
import type { Migration, PgMigration } from '../../store/index.js';

export const RESPONSE_MODULE = 'response';

const tables = (json: string): string => `
  CREATE TABLE response_actions (id TEXT PRIMARY KEY, status TEXT NOT NULL, updated_at TEXT NOT NULL, data ${json} NOT NULL);
  CREATE INDEX response_actions_status ON response_actions (status, updated_at);
  CREATE INDEX response_actions_updated ON response_actions (updated_at);
  CREATE TABLE response_incidents (id TEXT PRIMARY KEY, state TEXT NOT NULL, last_activity_at TEXT NOT NULL, data ${json} NOT NULL);
  CREATE INDEX response_incidents_state ON response_incidents (state, last_activity_at);
  CREATE TABLE response_notifications (id TEXT PRIMARY KEY, status TEXT NOT NULL, next_attempt_at TEXT NOT NULL, data ${json} NOT NULL);
  CREATE INDEX response_notifications_due ON response_notifications (status, next_attempt_at);
`;

export const sqliteMigrations: readonly Migration[] = [{ version: 1, sql: tables('TEXT') }];
export const pgMigrations: readonly PgMigration[] = [{ version: 1, sql: tables('TEXT') }];
