/**
 * Warden API keys: `wdn_<id>_<secret>`. The plaintext is shown once at creation; the store keeps only
 * SHA-256 of the whole key (keys carry 190 bits of randomness, so a fast hash is sufficient) and compares
 * in constant time. Keys have scopes, an optional expiry, revocation and a last-used time.
 *
 * Verification reads an in-memory index that is rebuilt when another process (the CLI) changes the table,
 * so the request path does no disk I/O; last-used times are written in batches.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { applyMigrations, type SqliteDatabase } from '../store/index.js';
import { WardenError } from '../core/errors.js';

const KEY_PATTERN = /^wdn_([a-z0-9]{12})_([A-Za-z0-9]{32})$/;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

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
];

/** `length` base62 characters from the bytes that `nextBlock` hands out, as many blocks as it takes. */
function toBase62(length: number, nextBlock: () => Buffer): string {
  let out = '';
  while (out.length < length) {
    for (const b of nextBlock()) {
      // Rejection sampling keeps the alphabet uniform (248 = 4 * 62).
      if (b < 248 && out.length < length) out += BASE62[b % 62];
    }
  }
  return out;
}

export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/**
 * A demo key derived from its name; only the embedded demo configuration uses these. The same name
 * always gives the same key (the banner prints it, and a restart on the same data dir must accept it):
 * when rejection sampling needs more than one digest, the next block is the hash of the previous one.
 */
export function demoApiKey(name: string): string {
  const id = (name.replace(/[^a-z0-9]/g, '')).padEnd(12, '0').slice(0, 12);
  let block: Buffer | undefined;
  const secret = toBase62(32, () => (block = createHash('sha256').update(block ?? `warden-demo-key:${name}`).digest()));
  return `wdn_${id}_${secret}`;
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith('wdn_');
}

export class ApiKeyStore {
  private index = new Map<string, Row>();
  private dataVersion = -1;
  private pendingLastUsed = new Map<string, string>();

  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, 'identity.apikeys', MIGRATIONS);
    this.refresh();
  }

  /** Creates a key and returns its plaintext: the only time it is available. */
  create(input: { principal: string; name?: string; scopes?: string[]; expiresAt?: Date; key?: string }): { key: string; record: ApiKeyRecord } {
    const key = input.key ?? `wdn_${toBase62(12, () => randomBytes(16)).toLowerCase().replace(/[^a-z0-9]/g, '0')}_${toBase62(32, () => randomBytes(40))}`;
    const match = KEY_PATTERN.exec(key);
    if (!match) throw new WardenError('bad_request', 'malformed key');
    const row: Row = {
      id: match[1]!,
      principal: input.principal,
      name: input.name ?? '',
      hash: hashKey(key),
      scopes: JSON.stringify(input.scopes ?? ['*']),
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

  /** Ensures a fixed key exists (demo keys); returns it. */
  ensure(input: { principal: string; name: string; key: string }): string {
    const id = KEY_PATTERN.exec(input.key)?.[1];
    if (id && !this.db.prepare('SELECT 1 FROM api_keys WHERE id = ?').get(id)) this.create(input);
    return input.key;
  }

  list(principal?: string): ApiKeyRecord[] {
    const rows = (principal
      ? this.db.prepare('SELECT * FROM api_keys WHERE principal = ? ORDER BY created_at').all(principal)
      : this.db.prepare('SELECT * FROM api_keys ORDER BY created_at').all()) as Row[];
    return rows.map(toRecord);
  }

  /** Revokes a key by id; returns false if no such key. */
  revoke(id: string): boolean {
    const result = this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(new Date().toISOString(), id);
    this.refresh(true);
    return result.changes > 0 || this.db.prepare('SELECT 1 FROM api_keys WHERE id = ?').get(id) !== undefined;
  }

  /** Checks a presented key; throws `invalid_api_key` for any failure without saying which. */
  verify(key: string, now = Date.now()): ApiKeyRecord {
    const match = KEY_PATTERN.exec(key);
    let row = match ? this.index.get(match[1]!) : undefined;
    if (match && !row) {
      // A key created moments ago by another process (the CLI): look again if the table changed.
      this.refresh();
      row = this.index.get(match[1]!);
    }
    const presented = hashKey(key);
    // Compare even when no row matched, so timing does not reveal whether the key id exists.
    const expected = row?.hash ?? Buffer.alloc(32);
    const equal = timingSafeEqual(presented, expected);
    if (!row || !equal) throw new WardenError('invalid_api_key');
    if (row.revoked_at) throw new WardenError('invalid_api_key', 'the API key has been revoked');
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
    this.index = next;
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
