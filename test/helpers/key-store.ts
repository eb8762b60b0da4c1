/** A key store on a SQLite database, as Warden opens it without a database URL. */
import { ApiKeyStore, SqliteApiKeyRepository } from '../../src/identity/index.js';
import type { SqliteDatabase } from '../../src/store/index.js';

export function sqliteKeyStore(db: SqliteDatabase): Promise<ApiKeyStore> {
  return ApiKeyStore.open(new SqliteApiKeyRepository(db));
}
