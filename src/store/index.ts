/** Database primitives every module's repositories build on: SQLite (with migrations), PostgreSQL pools, health. */
export { openDatabase, applyMigrations, type Migration, type SqliteDatabase } from './database.js';
export { DatabaseHealth } from './health.js';
export { applyPgMigrations, inTransaction, openPostgres, withTransaction } from './postgres.js';
export type { PgClient, PgMigration, PgPool } from './postgres.js';
export { openMemoryDatabase } from './database.js';
