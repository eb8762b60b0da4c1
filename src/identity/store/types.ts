/**
 * Persistence of API keys (issue 12 storage convention): the repository the key store writes through and
 * loads from. Two implementations, `sqlite.ts` and `postgres.ts`, pass the same conformance suite
 * (`test/store/apikeys.test.ts`). Verification never calls this: it reads the key store's memory.
 */

/** One stored key. Only the SHA-256 of the key is kept, never the key. Times are ISO-8601 strings. */
export interface ApiKeyRow {
  id: string;
  principal: string;
  name: string;
  hash: Buffer;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** A demo key kept in plain text so that the keys printed at start keep working (`demo.apiKeys` only). */
export interface DemoKeyRow {
  name: string;
  principal: string;
  key: string;
}

export interface ApiKeyRepository {
  /** Stores a new key; rejects if the id is taken (ids are random, so a clash is refused, not merged). */
  insert(row: ApiKeyRow): Promise<void>;
  get(id: string): Promise<ApiKeyRow | undefined>;
  /** Every key, or those of one principal, oldest first. */
  list(principal?: string): Promise<ApiKeyRow[]>;
  /** Marks the key revoked at `at` unless it already is (the first revocation time stays); false if no such key. */
  revoke(id: string, at: string): Promise<boolean>;
  /** Writes batched last-used times (ids that no longer exist are ignored). */
  recordLastUsed(times: ReadonlyMap<string, string>): Promise<void>;
  /**
   * A value that changes whenever a key is added or revoked by anyone, so that an instance reloads its
   * index only when something changed. Cheap: it is read every second.
   */
  changeMarker(): Promise<string>;
  demoKey(name: string): Promise<DemoKeyRow | undefined>;
  /** Stores a new key and makes it the demo key `demo.name`, atomically. */
  insertDemoKey(demo: DemoKeyRow, row: ApiKeyRow): Promise<void>;
}
