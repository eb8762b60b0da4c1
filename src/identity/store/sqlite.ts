/** API keys in the embedded SQLite database: today's SQL behind the repository interface. */
import { applyMigrations, type SqliteDatabase } from '../../store/index.js';
import type { ApiKeyRepository, ApiKeyRow, DemoKeyRow } from './types.js';

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

function fromRow(row: Row): ApiKeyRow {
  return {
    id: row.id,
    principal: row.principal,
    name: row.name,
    hash: row.hash,
    scopes: JSON.parse(row.scopes) as string[],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

export class SqliteApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, 'identity.apikeys', MIGRATIONS);
  }

  async insert(row: ApiKeyRow): Promise<void> {
    this.insertSync(row);
  }

  async get(id: string): Promise<ApiKeyRow | undefined> {
    const row = this.db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  async list(principal?: string): Promise<ApiKeyRow[]> {
    const rows = (principal === undefined
      ? this.db.prepare('SELECT * FROM api_keys ORDER BY created_at, id').all()
      : this.db.prepare('SELECT * FROM api_keys WHERE principal = ? ORDER BY created_at, id').all(principal)) as Row[];
    return rows.map(fromRow);
  }

  async revoke(id: string, at: string): Promise<boolean> {
    return this.db.prepare('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?').run(at, id).changes > 0;
  }

  async recordLastUsed(times: ReadonlyMap<string, string>): Promise<void> {
    const update = this.db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const [id, at] of times) update.run(at, id);
    })();
  }

  /** SQLite's data version changes when another connection (the CLI, another process) commits. */
  async changeMarker(): Promise<string> {
    return String(this.db.pragma('data_version', { simple: true }));
  }

  async demoKey(name: string): Promise<DemoKeyRow | undefined> {
    return this.db.prepare('SELECT name, principal, key FROM demo_api_keys WHERE name = ?').get(name) as DemoKeyRow | undefined;
  }

  async insertDemoKey(demo: DemoKeyRow, row: ApiKeyRow): Promise<void> {
    this.db.transaction(() => {
      this.insertSync(row);
      this.db.prepare('INSERT OR REPLACE INTO demo_api_keys (name, principal, key) VALUES (?, ?, ?)').run(demo.name, demo.principal, demo.key);
    })();
  }

  private insertSync(row: ApiKeyRow): void {
    this.db
      .prepare('INSERT INTO api_keys (id, principal, name, hash, scopes, created_at, expires_at, revoked_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(row.id, row.principal, row.name, row.hash, JSON.stringify(row.scopes), row.createdAt, row.expiresAt, row.revokedAt, row.lastUsedAt);
  }
}
