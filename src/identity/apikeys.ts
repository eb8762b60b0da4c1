/**
 * Warden API keys: `wdn_<id>_<secret>`. The plaintext is shown once at creation; the store keeps only
 * SHA-256 of the whole key (keys carry 190 bits of randomness, so a fast hash is sufficient) and compares
 * in constant time. Keys have scopes, an optional expiry, revocation and a last-used time.
 *
 * Verification reads an in-memory index only, so the request path does no disk I/O whatever key is
 * presented. Changes made through this store apply at once; changes by another process (the CLI, another
 * instance on the same PostgreSQL) are picked up by `refresh()`, which the running instance calls every
 * second (the repository's change marker tells it whether anything changed). Last-used times are written
 * in batches. Persistence is an `ApiKeyRepository` (SQLite or PostgreSQL, see `store/`).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { WardenError } from '../core/index.js';
import { validateScopes } from './scopes.js';
import type { ApiKeyRepository, ApiKeyRow } from './store/types.js';

const KEY_PATTERN = /^wdn_([a-z0-9]{12})_([A-Za-z0-9]{32})$/;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE36 = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface ApiKeyRecord {
  id: string;
  principal: string;
  name: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** A uniformly random string over `alphabet` from the system CSPRNG. */
function randomString(alphabet: string, length: number): string {
  // Rejection sampling keeps every character equally likely: bytes at or above the largest multiple of
  // the alphabet size are drawn again.
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < limit && out.length < length) out += alphabet[b % alphabet.length];
    }
  }
  return out;
}

/** A new random key: 12 base36 characters of id, 32 base62 characters (190 bits) of secret. */
function newKey(): string {
  return `wdn_${randomString(BASE36, 12)}_${randomString(BASE62, 32)}`;
}

export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith('wdn_');
}

export class ApiKeyStore {
  private index = new Map<string, ApiKeyRow>();
  private marker: string | undefined;
  private pendingLastUsed = new Map<string, string>();
  /** Rows this instance wrote while a refresh was loading: the loaded snapshot may predate them. */
  private writtenDuringRefresh: Map<string, ApiKeyRow> | undefined;
  /** Revocations made by other instances (shared state), in force whatever this store's table says. */
  private readonly revokedElsewhere = new Map<string, string>();
  private readonly revokeListeners: ((id: string, at: string) => void)[] = [];

  private constructor(readonly repository: ApiKeyRepository) {}

  /** A key store over `repository` with its index loaded. */
  static async open(repository: ApiKeyRepository): Promise<ApiKeyStore> {
    const store = new ApiKeyStore(repository);
    await store.refresh(true);
    return store;
  }

  /** Creates a key and returns its plaintext: the only time it is available. */
  async create(input: { principal: string; name?: string; scopes?: string[]; expiresAt?: Date; key?: string }): Promise<{ key: string; record: ApiKeyRecord }> {
    const { key, row } = newRow(input);
    await this.repository.insert(row);
    this.remember(row);
    return { key, record: toRecord(row) };
  }

  /**
   * The demo key named `name`: made at random the first time in this data directory, then the stored one,
   * so the keys printed at start keep working across restarts and differ between installations. A stored
   * key whose row is gone (deleted by hand) or belongs to another principal is replaced.
   */
  async demoKey(input: { principal: string; name: string }): Promise<string> {
    const stored = await this.repository.demoKey(input.name);
    const id = stored ? KEY_PATTERN.exec(stored.key)?.[1] : undefined;
    const row = id === undefined ? undefined : await this.repository.get(id);
    if (stored && row && row.principal === input.principal && stored.principal === input.principal && timingSafeEqual(row.hash, hashKey(stored.key))) return stored.key;
    const created = newRow({ principal: input.principal, name: input.name });
    await this.repository.insertDemoKey({ name: input.name, principal: input.principal, key: created.key }, created.row);
    this.remember(created.row);
    return created.key;
  }

  async list(principal?: string): Promise<ApiKeyRecord[]> {
    return (await this.repository.list(principal)).map(toRecord);
  }

  /** A key's record from memory (the caller's own key, when it creates another). */
  record(id: string): ApiKeyRecord | undefined {
    const row = this.index.get(id);
    return row ? toRecord(row) : undefined;
  }

  /** Revokes a key by id; returns false if no such key. Applies to this instance's next request. */
  async revoke(id: string): Promise<boolean> {
    if (!(await this.repository.revoke(id, new Date().toISOString()))) return false;
    const row = await this.repository.get(id);
    if (row) {
      const wasRevoked = this.index.get(id)?.revokedAt;
      this.remember(row);
      if (row.revokedAt && !wasRevoked) this.announceRevoked(row.id, row.revokedAt);
    }
    return true;
  }

  /** Called for each revocation seen by this store: its own and those it reads from the repository. */
  onRevoked(listener: (id: string, at: string) => void): void {
    this.revokeListeners.push(listener);
  }

  /** A revocation made by another instance: refused from now on, from memory. */
  applyRevocation(id: string, at: string): void {
    this.revokedElsewhere.set(id, at);
  }

  /** Checks a presented key; throws `invalid_api_key` for any failure without saying which. */
  verify(key: string, now = Date.now()): ApiKeyRecord {
    const match = KEY_PATTERN.exec(key);
    // Memory only: an unknown key id never reaches the database (anyone can present a well-formed key).
    // Keys created by another process appear at the next scheduled `refresh()` (see `WardenApp`).
    const row = match ? this.index.get(match[1]!) : undefined;
    const presented = hashKey(key);
    // Compare even when no row matched, so timing does not reveal whether the key id exists.
    const expected = row?.hash ?? Buffer.alloc(32);
    const equal = timingSafeEqual(presented, expected);
    if (!row || !equal) throw new WardenError('invalid_api_key');
    if (row.revokedAt || this.revokedElsewhere.has(row.id)) throw new WardenError('invalid_api_key', 'the API key has been revoked');
    if (row.expiresAt && Date.parse(row.expiresAt) <= now) throw new WardenError('invalid_api_key', 'the API key has expired');
    const used = new Date(now).toISOString();
    row.lastUsedAt = used;
    this.pendingLastUsed.set(row.id, used);
    return toRecord(row);
  }

  /** Rebuilds the in-memory index when the stored keys changed (possibly in another process). */
  async refresh(force = false): Promise<void> {
    const marker = await this.repository.changeMarker();
    if (!force && marker === this.marker) return;
    this.writtenDuringRefresh = new Map();
    try {
      const next = new Map<string, ApiKeyRow>();
      for (const row of await this.repository.list()) next.set(row.id, row);
      for (const [id, row] of this.writtenDuringRefresh) next.set(id, row);
      const previous = this.index;
      this.index = next;
      this.marker = marker;
      // Revocations written by another process (`warden keys revoke`) are announced like this store's own.
      if (previous.size > 0) for (const row of next.values()) if (row.revokedAt && previous.get(row.id)?.revokedAt === null) this.announceRevoked(row.id, row.revokedAt);
    } finally {
      this.writtenDuringRefresh = undefined;
    }
  }

  /** Writes batched last-used times; on failure they are kept for the next flush. */
  async flushLastUsed(): Promise<void> {
    if (this.pendingLastUsed.size === 0) return;
    const pending = this.pendingLastUsed;
    this.pendingLastUsed = new Map();
    try {
      await this.repository.recordLastUsed(pending);
    } catch (error) {
      for (const [id, at] of pending) if (!this.pendingLastUsed.has(id)) this.pendingLastUsed.set(id, at);
      throw error;
    }
  }

  private announceRevoked(id: string, at: string): void {
    for (const listener of this.revokeListeners) listener(id, at);
  }

  private remember(row: ApiKeyRow): void {
    this.index.set(row.id, row);
    this.writtenDuringRefresh?.set(row.id, row);
  }
}

function newRow(input: { principal: string; name?: string; scopes?: string[]; expiresAt?: Date; key?: string }): { key: string; row: ApiKeyRow } {
  const key = input.key ?? newKey();
  const match = KEY_PATTERN.exec(key);
  if (!match) throw new WardenError('bad_request', 'malformed key');
  const scopes = input.scopes ?? ['*'];
  validateScopes(scopes);
  return {
    key,
    row: {
      id: match[1]!,
      principal: input.principal,
      name: input.name ?? '',
      hash: hashKey(key),
      scopes,
      createdAt: new Date().toISOString(),
      expiresAt: input.expiresAt ? input.expiresAt.toISOString() : null,
      revokedAt: null,
      lastUsedAt: null,
    },
  };
}

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    principal: row.principal,
    name: row.name,
    scopes: [...row.scopes],
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
  };
}
