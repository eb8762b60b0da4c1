/**
 * Data keys for sensitive fields: one active key at a time, rotated after `dataKeyRotationHours`, wrapped
 * by the current KEK, unwrapped lazily for reads, rewrapped when the KEK rotates, and destroyed by the
 * retention policy (crypto-shredding).
 */
import type { SqliteDatabase } from '../store/index.js';
import { DataKeyRotation } from './data-key-rotation.js';
import { unwrapDataKey, wrapDataKey, type DataKey, type Keyring } from './sensitive.js';
import type { WriteBatch } from './writer.js';

type KeyRow = { kid: string; kek_id: string; wrapped: Buffer | null; created_at: string; retired_at: string | null };

export class DataKeyManager {
  private readonly cache = new Map<string, Buffer | null>();
  private readonly rotation: DataKeyRotation;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly keyring: Keyring,
    private readonly rotationMs: number,
  ) {
    this.rewrapOld();
    const row = db
      .prepare('SELECT * FROM audit_data_keys WHERE retired_at IS NULL AND wrapped IS NOT NULL ORDER BY created_at DESC LIMIT 1')
      .get() as KeyRow | undefined;
    const key = row && this.get(row.kid);
    const active = row && key ? { kid: row.kid, key, createdAt: Date.parse(row.created_at) } : undefined;
    this.rotation = new DataKeyRotation(keyring, rotationMs, active, (created) => this.cache.set(created.kid, created.key));
  }

  /** Rewraps data keys wrapped by an older KEK under the current one (KEK rotation). */
  private rewrapOld(): number {
    const rows = this.db.prepare('SELECT * FROM audit_data_keys WHERE wrapped IS NOT NULL AND kek_id != ?').all(this.keyring.current.id) as KeyRow[];
    const update = this.db.prepare('UPDATE audit_data_keys SET kek_id = ?, wrapped = ? WHERE kid = ?');
    let n = 0;
    this.db.transaction(() => {
      for (const row of rows) {
        const old = this.keyring.byId.get(row.kek_id);
        if (!old) continue; // KEK no longer available: the key stays unreadable until it is supplied
        const key = unwrapDataKey(old, row.kid, row.wrapped!);
        update.run(this.keyring.current.id, wrapDataKey(this.keyring.current, row.kid, key), row.kid);
        n++;
      }
    })();
    return n;
  }

  /** The key to encrypt with now; creating (and retiring the previous) is queued for the next batch. */
  current(now = Date.now()): DataKey {
    return this.rotation.current(now);
  }

  /** Key operations to commit with the next batch (before any entry that uses them is durable). */
  takeOps(): WriteBatch['keys'] {
    return this.rotation.takeOps();
  }

  get = (kid: string): Buffer | undefined => {
    const cached = this.cache.get(kid);
    if (cached !== undefined) return cached ?? undefined;
    const row = this.db.prepare('SELECT * FROM audit_data_keys WHERE kid = ?').get(kid) as KeyRow | undefined;
    let key: Buffer | null = null;
    const kek = row?.wrapped ? this.keyring.byId.get(row.kek_id) : undefined;
    if (row?.wrapped && kek) {
      try {
        key = unwrapDataKey(kek, kid, row.wrapped);
      } catch {
        // A key that does not unwrap (wrong or damaged KEK) reads as erased: the sealed fields stay sealed (fail closed).
        key = null;
      }
    }
    if (row) this.cache.set(kid, key);
    return key ?? undefined;
  };

  /** Destroys data keys retired before `cutoff` (crypto-shredding). Returns the ids destroyed. */
  shred(cutoff: Date): string[] {
    const rows = this.db
      .prepare(
        `SELECT kid FROM audit_data_keys WHERE wrapped IS NOT NULL
           AND ((retired_at IS NOT NULL AND retired_at < ?) OR (retired_at IS NULL AND created_at < ?))`,
      )
      .all(cutoff.toISOString(), new Date(cutoff.getTime() - this.rotationMs).toISOString()) as { kid: string }[];
    if (rows.length === 0) return [];
    const destroy = this.db.prepare('UPDATE audit_data_keys SET wrapped = NULL, destroyed_at = ? WHERE kid = ?');
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const r of rows) destroy.run(now, r.kid);
    })();
    // Push the overwritten pages out of the WAL too (secure_delete zeroes them in the main file).
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const r of rows) this.cache.set(r.kid, null);
    for (const r of rows) this.rotation.forget(r.kid);
    return rows.map((r) => r.kid);
  }
}
