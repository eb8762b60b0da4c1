/**
 * Which data key seals sensitive fields now: one active key, replaced after the rotation period; creating
 * a key (wrapped by the current KEK) and retiring the previous one are queued as operations that the
 * writer commits with the next batch, before any entry sealed with the new key is durable. Shared by the
 * single-process log (`data-keys.ts`) and the clustered leader (`cluster-log.ts`).
 */
import { randomBytes } from 'node:crypto';
import { unwrapDataKey, wrapDataKey, type DataKey, type Keyring } from './sensitive.js';
import type { DataKeyOp } from './store/types.js';

export type ActiveKey = DataKey & { createdAt: number };

export class DataKeyRotation {
  private pendingOps: DataKeyOp[] = [];

  constructor(
    private readonly keyring: Keyring,
    private readonly rotationMs: number,
    private active: ActiveKey | undefined,
    private readonly onCreated: (key: DataKey) => void = () => undefined,
  ) {}

  /** The key to encrypt with now; creating (and retiring the previous) is queued for the next batch. */
  current(now = Date.now()): DataKey {
    if (this.active && now - this.active.createdAt < this.rotationMs) return this.active;
    const createdAt = new Date(now).toISOString();
    if (this.active) {
      const prev = this.active;
      this.pendingOps.push({ kid: prev.kid, kekId: this.keyring.current.id, wrapped: new Uint8Array(0), createdAt, retiredAt: createdAt });
    }
    const kid = `dk-${randomBytes(8).toString('hex')}`;
    const key = randomBytes(32);
    this.pendingOps.push({ kid, kekId: this.keyring.current.id, wrapped: wrapDataKey(this.keyring.current, kid, key), createdAt, retiredAt: null });
    this.active = { kid, key, createdAt: now };
    this.onCreated(this.active);
    return this.active;
  }

  /** Key operations to commit with the next batch. */
  takeOps(): DataKeyOp[] {
    const ops = this.pendingOps;
    this.pendingOps = [];
    return ops;
  }

  /** Stops using `kid` (it was shredded): the next seal starts a new key. */
  forget(kid: string): void {
    if (this.active?.kid === kid) this.active = undefined;
  }
}

/** The stored key still in use (not retired), when the keyring can unwrap it. */
export function activeKeyFrom(
  rows: readonly { kid: string; kekId: string; wrapped: Buffer | null; createdAt: string; retiredAt: string | null }[],
  keyring: Keyring,
): ActiveKey | undefined {
  const row = rows.filter((r) => r.retiredAt === null && r.wrapped).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))[0];
  const kek = row && keyring.byId.get(row.kekId);
  if (!row || !kek) return undefined;
  try {
    return { kid: row.kid, key: unwrapDataKey(kek, row.kid, row.wrapped!), createdAt: Date.parse(row.createdAt) };
  } catch {
    return undefined; // a key the current KEKs cannot open is not used for new entries
  }
}
