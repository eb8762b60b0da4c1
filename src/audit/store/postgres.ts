/**
 * The clustered audit log in PostgreSQL: the Merkle log's tables (as in audit.db, plus each entry's event
 * id under a unique index), the inbox every instance writes to, and the leader lock. The lock is a
 * session-level advisory lock on a dedicated connection: it dies with the connection, so a killed leader
 * releases it, and the leader appends on that same connection, so a leader that lost it cannot append.
 */
import { applyPgMigrations, inTransaction, type PgClient, type PgMigration, type PgPool } from '../../store/index.js';
import type { WardenEvent } from '../../core/index.js';
import { AUDIT_MODULE, CHUNK_SIZE } from '../migrations.js';
import type { AppendBatch, AuditLogRows, ClusterAuditStore, InboxEvent, LeaderSession, LogState, StoredDataKey } from './types.js';

export const auditPgMigrations: readonly PgMigration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE audit_entries (idx BIGINT PRIMARY KEY, event_id TEXT NOT NULL, entry BYTEA NOT NULL, leaf_hash BYTEA NOT NULL);
      CREATE UNIQUE INDEX audit_entries_event_id ON audit_entries (event_id);
      CREATE TABLE audit_chunks (chunk BIGINT PRIMARY KEY, hash BYTEA NOT NULL);
      CREATE TABLE audit_checkpoints (tree_size BIGINT PRIMARY KEY, note TEXT NOT NULL, created_at TEXT NOT NULL);
      CREATE TABLE audit_data_keys (
        kid TEXT PRIMARY KEY, kek_id TEXT NOT NULL, wrapped BYTEA, created_at TEXT NOT NULL,
        retired_at TEXT, destroyed_at TEXT);
      CREATE TABLE audit_inbox (seq BIGSERIAL PRIMARY KEY, event_id TEXT NOT NULL, event TEXT NOT NULL,
        enqueued_at TIMESTAMPTZ NOT NULL DEFAULT now());
      CREATE TABLE audit_signing_key (id INTEGER PRIMARY KEY CHECK (id = 1), verifier_key TEXT NOT NULL);
    `,
  },
];

/**
 * Advisory lock (classid, objid): "WAUD" and the schema's hash, so that clusters sharing one database in
 * different schemas (and parallel test files) each have their own leader.
 */
const LOCK_CLASS = 0x57415544;
const LOCK_ARGS = `${LOCK_CLASS}, hashtext(current_schema())`;

/** Channel on which instances ask the leader for a checkpoint; the payload names the schema (channels are per database). */
const CHECKPOINT_CHANNEL = 'warden_audit_checkpoint';

/** How long a stepping-down leader waits for its explicit unlock before it just drops the connection. */
const UNLOCK_WAIT_MS = 1000;

/**
 * Work another module does inside the leader's append transaction, with the events the batch appends (in
 * log order, as published: not sealed). The decision table uses it so that it holds a decision exactly
 * when the log does. A hook, not an import of that module's SQL: the audit store stays ignorant of the
 * tables derived from the log, the owning module keeps its SQL, and the composition root connects them;
 * it lives here rather than in the leader because the transaction (and so `PgClient`) is this store's.
 * A hook that throws aborts the batch (nothing of it commits, the leader steps down and the batch is retried).
 */
export type AppendHook = (tx: PgClient, events: readonly WardenEvent[]) => Promise<void>;

export interface PgAuditStoreOptions {
  onAppend?: AppendHook;
}

type DataKeyRow = { kid: string; kek_id: string; wrapped: Buffer | null; created_at: string; retired_at: string | null };

class PgLeaderSession implements LeaderSession {
  private lost = false;
  private checkpointRequested = false;

  constructor(
    private readonly client: PgClient,
    schema: string,
    private readonly onAppend: AppendHook | undefined,
  ) {
    // The connection failing (server restart, network) ends the lock: stop acting as leader.
    client.on('error', () => {
      this.lost = true;
    });
    client.on('notification', (message) => {
      if (message.channel === CHECKPOINT_CHANNEL && message.payload === schema) this.checkpointRequested = true;
    });
  }

  takeCheckpointRequest(): boolean {
    const requested = this.checkpointRequested;
    this.checkpointRequested = false;
    return requested;
  }

  get alive(): boolean {
    return !this.lost;
  }

  async claimSigningKey(verifierKey: string): Promise<void> {
    await this.client.query('INSERT INTO audit_signing_key (id, verifier_key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [verifierKey]);
    const { rows } = await this.client.query<{ verifier_key: string }>('SELECT verifier_key FROM audit_signing_key WHERE id = 1');
    if (rows[0]?.verifier_key !== verifierKey) {
      throw new Error(`this instance's audit signing key (${verifierKey.split('+').slice(0, 2).join('+')}) is not the log's (${rows[0]?.verifier_key.split('+').slice(0, 2).join('+')}); every instance must be given the same key`);
    }
  }

  async load(): Promise<LogState> {
    const size = await this.size();
    const full = Math.floor(size / CHUNK_SIZE);
    const chunks = await this.client.query<{ hash: Buffer }>('SELECT hash FROM audit_chunks WHERE chunk < $1 ORDER BY chunk', [full]);
    if (chunks.rows.length !== full) throw new Error(`the audit log is inconsistent: ${chunks.rows.length} chunk hashes for ${size} entries; run \`warden audit verify\``);
    const tail = await this.client.query<{ leaf_hash: Buffer }>('SELECT leaf_hash FROM audit_entries WHERE idx >= $1 ORDER BY idx', [full * CHUNK_SIZE]);
    const latest = await this.client.query<{ note: string }>('SELECT note FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1');
    const keys = await this.client.query<DataKeyRow>('SELECT kid, kek_id, wrapped, created_at, retired_at FROM audit_data_keys WHERE wrapped IS NOT NULL ORDER BY created_at');
    return {
      size,
      chunks: chunks.rows.map((r) => r.hash),
      tailLeaves: tail.rows.map((r) => r.leaf_hash),
      latestCheckpoint: latest.rows[0]?.note ?? null,
      dataKeys: keys.rows.map(toStoredKey),
    };
  }

  private async size(): Promise<number> {
    const { rows } = await this.client.query<{ n: string }>('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM audit_entries');
    return Number(rows[0]!.n);
  }

  async takeInbox(limit: number): Promise<InboxEvent[]> {
    const { rows } = await this.client.query<{ seq: string; event: string }>('SELECT seq, event FROM audit_inbox ORDER BY seq LIMIT $1', [limit]);
    return rows.map((r) => ({ seq: r.seq, event: parseInboxEvent(r.event) }));
  }

  async appended(eventIds: string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const { rows } = await this.client.query<{ event_id: string }>('SELECT event_id FROM audit_entries WHERE event_id = ANY($1::text[])', [eventIds]);
    return new Set(rows.map((r) => r.event_id));
  }

  async commit(batch: AppendBatch): Promise<void> {
    const c = this.client;
    await inTransaction(c, async () => {
      const size = await this.size();
      if (size !== batch.first) throw new Error(`the audit log holds ${size} entries, the leader expected ${batch.first}: another writer appended`);
      for (const k of batch.keys) {
        await c.query(
          `INSERT INTO audit_data_keys (kid, kek_id, wrapped, created_at, retired_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (kid) DO UPDATE SET retired_at = excluded.retired_at`,
          [k.kid, k.kekId, Buffer.from(k.wrapped), k.createdAt, k.retiredAt],
        );
      }
      if (batch.entries.length) {
        await c.query(
          'INSERT INTO audit_entries (idx, event_id, entry, leaf_hash) SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[], $4::bytea[])',
          [batch.entries.map((_, i) => batch.first + i), batch.entries.map((e) => e.eventId), batch.entries.map((e) => e.entry), batch.entries.map((e) => e.leafHash)],
        );
      }
      if (batch.entries.length && this.onAppend) await this.onAppend(c, batch.entries.map((e) => e.event));
      if (batch.chunks.length) {
        await c.query('INSERT INTO audit_chunks (chunk, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])', [batch.chunks.map((x) => x.chunk), batch.chunks.map((x) => x.hash)]);
      }
      if (batch.checkpoint) {
        await c.query('INSERT INTO audit_checkpoints (tree_size, note, created_at) VALUES ($1, $2, $3)', [batch.checkpoint.size, batch.checkpoint.note, batch.checkpoint.createdAt]);
      }
      if (batch.consumed.length) await c.query('DELETE FROM audit_inbox WHERE seq = ANY($1::bigint[])', [batch.consumed]);
    });
  }

  async release(): Promise<void> {
    // Unlocking first hands the lead over at once (the server frees a closed session's locks only when it
    // notices the close); bounded, because a connection that is cut may never answer.
    if (!this.lost) {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, UNLOCK_WAIT_MS)));
      await Promise.race([this.client.query('SELECT pg_advisory_unlock_all()').then(() => undefined), bound]).catch(() => undefined);
      clearTimeout(timer);
    }
    // Destroying the connection ends the session and with it the lock, even when the connection is broken.
    this.client.release(true);
  }
}

/** A row Warden did not write (the table was tampered with) must not stall the log: the leader drops it, loudly. */
function parseInboxEvent(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function toStoredKey(r: DataKeyRow): StoredDataKey {
  return { kid: r.kid, kekId: r.kek_id, wrapped: r.wrapped, createdAt: r.created_at, retiredAt: r.retired_at };
}

/** The log's rows, read-only (what `warden audit verify` needs: it never migrates or writes). */
export class PgAuditRows implements AuditLogRows {
  constructor(protected readonly pool: PgPool) {}

  async checkpointRows(): Promise<{ treeSize: number; note: string }[]> {
    const { rows } = await this.pool.query<{ tree_size: string; note: string }>('SELECT tree_size, note FROM audit_checkpoints ORDER BY tree_size');
    return rows.map((r) => ({ treeSize: Number(r.tree_size), note: r.note }));
  }

  async entryRows(fromIdx: number, limit: number): Promise<[number, Buffer, Buffer][]> {
    const { rows } = await this.pool.query<{ idx: string; entry: Buffer; leaf_hash: Buffer }>(
      'SELECT idx, entry, leaf_hash FROM audit_entries WHERE idx >= $1 ORDER BY idx LIMIT $2',
      [fromIdx, limit],
    );
    return rows.map((r) => [Number(r.idx), r.entry, r.leaf_hash]);
  }
}

class PgClusterAuditStore extends PgAuditRows implements ClusterAuditStore {
  constructor(
    pool: PgPool,
    private readonly options: PgAuditStoreOptions,
  ) {
    super(pool);
  }

  async enqueue(events: WardenEvent[]): Promise<string | undefined> {
    if (events.length === 0) return undefined;
    const { rows } = await this.pool.query<{ seq: string }>(
      `WITH added AS (INSERT INTO audit_inbox (event_id, event)
         SELECT id, ev FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(id, ev, n) ORDER BY n RETURNING seq)
       SELECT max(seq)::text AS seq FROM added`,
      [events.map((e) => e.id), events.map((e) => JSON.stringify(e))],
    );
    return rows[0]!.seq;
  }

  async drainedTo(seq: string): Promise<boolean> {
    const { rows } = await this.pool.query('SELECT 1 FROM audit_inbox WHERE seq <= $1 LIMIT 1', [seq]);
    return rows.length === 0;
  }

  async tryLead(): Promise<LeaderSession | null> {
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean; schema: string }>(`SELECT pg_try_advisory_lock(${LOCK_ARGS}) AS locked, current_schema() AS schema`);
      if (rows[0]?.locked) {
        await client.query(`LISTEN ${CHECKPOINT_CHANNEL}`);
        return new PgLeaderSession(client, rows[0].schema, this.options.onAppend);
      }
    } catch (error) {
      client.release(true);
      throw error;
    }
    client.release();
    return null;
  }

  async requestCheckpoint(): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, current_schema())', [CHECKPOINT_CHANNEL]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Applies the audit migrations to `pool`'s schema and returns the store; `close()` ends the pool. */
export async function openPgAuditStore(pool: PgPool, options: PgAuditStoreOptions = {}): Promise<ClusterAuditStore & AuditLogRows> {
  await applyPgMigrations(pool, AUDIT_MODULE, auditPgMigrations);
  return new PgClusterAuditStore(pool, options);
}
