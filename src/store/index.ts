export { openDatabase, applyMigrations, type Migration, type SqliteDatabase } from './database.js';
