/**
 * Warden API keys: `wdn_<id>_<secret>`. The plaintext is shown once at creation; the store keeps only
 * SHA-256 of the whole key (keys carry 190 bits of randomness, so a fast hash is sufficient) and compares
 * in constant time. Keys have scopes, an optional expiry, revocation and a last-used time.
 *
 * Verification reads an in-memory index only, so the request path does no disk I/O whatever key is
 * presented. Changes made through this store apply at once; changes by another process (the CLI) are
 * picked up by `refresh()`, which the running instance calls every second (the SQLite data version tells
 * it whether anything changed). Last-used times are written in batches.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { applyMigrations, type SqliteDatabase } from '../store/index.js';
import { WardenError } from '../core/errors.js';
import { validateScopes } from './scopes.js';

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

interface Row {
  id: string;
  principal: string;
  name: string;
  hash: Buffer;
  scopes: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

const MIGRATIONS = [
  {
    version: 1,
    sql: `CREATE TABLE api_keys (
      id TEXT PRIMARY KEY, principal TEXT NOT NULL, name TEXT NOT NULL, hash BLOB NOT NULL,
      scopes TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT, last_used_at TEXT);
      CREATE INDEX api_keys_principal ON api_keys (principal);`,
  },
  {
    // The embedded demo's keys in plain text, so every start prints keys that still work. Only the demo
    // (`demo.apiKeys`) writes here; real keys are never stored but as hashes.
    version: 2,
    sql: `CREATE TABLE demo_api_keys (name TEXT PRIMARY KEY, principal TEXT NOT NULL, key TEXT NOT NULL);`,
  },
];

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
  private index = new Map<string, Row>();
  private dataVersion = -1;
  private pendingLastUsed = new Map<string, string>();
  /** Revocations made by other instances (shared state), in force whatever this store's table says. */
  private readonly revokedElsewhere = new Map<string, string>();
  private readonly revokeListeners: ((id: string, at: string) => void)[] = [];

  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, 'identity.apikeys', MIGRATIONS);
    this.refresh();
  }

  /** Creates a key and returns its plaintext: the only time it is available. */
  create(input: { principal: string; name?: string; scopes?: string[]; expiresAt?: Date; key?: string }): { key: string; record: ApiKeyRecord } {
    const key = input.key ?? newKey();
    const match = KEY_PATTERN.exec(key);
    if (!match) throw new WardenError('bad_request', 'malformed key');
    const scopes = input.scopes ?? ['*'];
    validateScopes(scopes);
    const row: Row = {
      id: match[1]!,
      principal: input.principal,
      name: input.name ?? '',
      hash: hashKey(key),
      scopes: JSON.stringify(scopes),
      created_at: new Date().toISOString(),
      expires_at: input.expiresAt ? input.expiresAt.toISOString() : null,
      revoked_at: null,
      last_used_at: null,
    };
    this.db
      .prepare('INSERT INTO api_keys (id, principal, name, hash, scopes, created_at, expires_at) VALUES (@id, @principal, @name, @hash, @scopes, @created_at, @expires_at)')
      .run(row);
    this.refresh(true);
    return { key, record: toRecord(row) };
  }

  /**
   * The demo key named `name`: made at random the first time in this data directory, then the stored one,
   * so the keys printed at start keep working across restarts and differ between installations. A stored
   * key whose row is gone (deleted by hand) or belongs to another principal is replaced.
   */
  demoKey(input: { principal: string; name: string }): string {
    const stored = this.db.prepare('SELECT principal, key FROM demo_api_keys WHERE name = ?').get(input.name) as { principal: string; key: string } | undefined;
    const id = stored ? KEY_PATTERN.exec(stored.key)?.[1] : undefined;
    const row = id === undefined ? undefined : (this.db.prepare('SELECT principal, hash FROM api_keys WHERE id = ?').get(id) as Pick<Row, 'principal' | 'hash'> | undefined);
    if (stored && row && row.principal === input.principal && stored.principal === input.principal && timingSafeEqual(row.hash, hashKey(stored.key))) return stored.key;
    return this.db.transaction(() => {
      const { key } = this.create({ principal: input.principal, name: input.name });
      this.db.prepare('INSERT OR REPLACE INTO demo_api_keys (name, principal, key) VALUES (?, ?, ?)').run(input.name, input.principal, key);
      return key;
    })();
  }

  list(principal?: string): ApiKeyRecord[] {
    const rows = (principal
      ? this.db.prepare('SELECT * FROM api_keys WHERE principal = ? ORDER BY created_at').all(principal)
      : this.db.prepare('SELECT * FROM api_keys ORDER BY created_at').all()) as Row[];
    return rows.map(toRecord);
  }

  /** A key's record from memory (the caller's own key, when it creates another). */
  record(id: string): ApiKeyRecord | undefined {
    const row = this.index.get(id);
    return row ? toRecord(row) : undefined;
  }

  /** Revokes a key by id; returns false if no such key. */
  revoke(id: string): boolean {
    const result = this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(new Date().toISOString(), id);
    // The refresh announces the revocation to `onRevoked` listeners.
    this.refresh(true);
    return result.changes > 0 || this.db.prepare('SELECT 1 FROM api_keys WHERE id = ?').get(id) !== undefined;
  }

  /** Called for each revocation seen by this store: its own and those it reads from the table. */
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
    if (row.revoked_at || this.revokedElsewhere.has(row.id)) throw new WardenError('invalid_api_key', 'the API key has been revoked');
    if (row.expires_at && Date.parse(row.expires_at) <= now) throw new WardenError('invalid_api_key', 'the API key has expired');
    const used = new Date(now).toISOString();
    row.last_used_at = used;
    this.pendingLastUsed.set(row.id, used);
    return toRecord(row);
  }

  /** Rebuilds the in-memory index when the table changed (possibly in another process). */
  refresh(force = false): void {
    const version = this.db.pragma('data_version', { simple: true }) as number;
    if (!force && version === this.dataVersion) return;
    this.dataVersion = version;
    const next = new Map<string, Row>();
    for (const row of this.db.prepare('SELECT * FROM api_keys').all() as Row[]) next.set(row.id, row);
    const previous = this.index;
    this.index = next;
    // Revocations written by another process (`warden keys revoke`) are announced like this store's own.
    if (previous.size === 0 || this.revokeListeners.length === 0) return;
    for (const row of next.values()) {
      if (row.revoked_at && previous.get(row.id)?.revoked_at === null) for (const listener of this.revokeListeners) listener(row.id, row.revoked_at);
    }
  }

  /** Writes batched last-used times. */
  flushLastUsed(): void {
    if (this.pendingLastUsed.size === 0) return;
    const update = this.db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?');
    const pending = this.pendingLastUsed;
    this.pendingLastUsed = new Map();
    this.db.transaction(() => {
      for (const [id, at] of pending) update.run(at, id);
    })();
  }
}

function toRecord(row: Row): ApiKeyRecord {
  return {
    id: row.id,
    principal: row.principal,
    name: row.name,
    scopes: JSON.parse(row.scopes) as string[],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}
