/**
 * Bucket leases and instance membership in one JetStream KV bucket (`warden_risk_owners`). A lease is
 * `{ owner, until }` under `bucket.<n>`; it is taken and renewed only by compare-and-set on the entry's
 * revision (`create` when absent, `update` with the revision read), so of two instances racing for a
 * bucket exactly one wins. The revision of the take is the owner's fencing epoch: the KV's revisions only
 * grow, so a later owner always has a higher epoch than every earlier one (store/types.ts refuses a save
 * with a lower one). Members heartbeat in one entry, `members` = `{ id: until }`, rewritten by
 * compare-and-set (a conflict is retried with the new value), so the live count, which sets each
 * instance's share, is one read. Expiry is by the writer's wall clock (`until`): instances need clocks within a small
 * fraction of the lease time of each other (NTP).
 *
 * @example
 * const leases = await PartitionLeases.open(nc, 'host-a:41', 10_000);
 * const epoch = await leases.take(7, view.get(7)); // the revision, or undefined when another won
 */
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';

export const OWNERS_BUCKET = 'warden_risk_owners';

export interface Lease {
  owner: string;
  until: number;
  revision: number;
}

/** Anyone allowed to write the bucket controls these bytes: a malformed value reads as a free bucket. */
const leaseShape = z.object({ owner: z.string().max(200), until: z.number() });

const bucketKey = (bucket: number): string => `bucket.${bucket}`;
const MEMBERS_KEY = 'members';
const membersShape = z.record(z.string().max(200), z.number());
/** Concurrent heartbeats conflict; each retry reads the value the winner wrote. */
const MEMBERSHIP_ATTEMPTS = 8;
const encode = (value: { owner: string; until: number }): string => JSON.stringify(value);

export class PartitionLeases {
  private constructor(
    private readonly kv: KV,
    readonly instanceId: string,
    private readonly ttlMs: number,
  ) {}

  static async open(nc: NatsConnection, instanceId: string, ttlMs: number): Promise<PartitionLeases> {
    return new PartitionLeases(await new Kvm(nc).create(OWNERS_BUCKET, { history: 1 }), instanceId, ttlMs);
  }

  /** Every bucket's lease as stored now (absent: never taken, or deleted). */
  async read(buckets: number): Promise<Map<number, Lease>> {
    const view = new Map<number, Lease>();
    await Promise.all(
      Array.from({ length: buckets }, async (_, bucket) => {
        const entry = await this.kv.get(bucketKey(bucket));
        if (!entry || entry.operation !== 'PUT') return;
        const parsed = leaseShape.safeParse(safeJson(entry.string()));
        view.set(bucket, parsed.success ? { ...parsed.data, revision: entry.revision } : { owner: '', until: 0, revision: entry.revision });
      }),
    );
    return view;
  }

  /** Free: never taken, released, or expired. */
  static free(lease: Lease | undefined, now: number): boolean {
    return lease === undefined || lease.owner === '' || lease.until < now;
  }

  /** Takes the bucket if it is still as `seen`; the new revision (the epoch), or undefined when another instance won. */
  async take(bucket: number, seen: Lease | undefined): Promise<number | undefined> {
    const value = encode({ owner: this.instanceId, until: Date.now() + this.ttlMs });
    return lost(seen === undefined ? this.kv.create(bucketKey(bucket), value) : this.kv.update(bucketKey(bucket), value, seen.revision));
  }

  /** Extends a lease this instance holds at `revision`; undefined when it was taken meanwhile. */
  renew(bucket: number, revision: number): Promise<number | undefined> {
    return lost(this.kv.update(bucketKey(bucket), encode({ owner: this.instanceId, until: Date.now() + this.ttlMs }), revision));
  }

  /** Frees a lease this instance holds at `revision` (nothing happens if it was taken meanwhile). */
  async release(bucket: number, revision: number): Promise<void> {
    await lost(this.kv.update(bucketKey(bucket), encode({ owner: '', until: 0 }), revision));
  }

  /** Renews this instance's membership (dropping expired members); the live members, this one included. */
  heartbeat(now: number): Promise<string[]> {
    return this.rewriteMembers((members) => {
      members[this.instanceId] = now + this.ttlMs;
      for (const [id, until] of Object.entries(members)) if (until < now) delete members[id];
    });
  }

  async leave(): Promise<void> {
    await this.rewriteMembers((members) => {
      delete members[this.instanceId];
    });
  }

  private async rewriteMembers(change: (members: Record<string, number>) => void): Promise<string[]> {
    for (let attempt = 0; attempt < MEMBERSHIP_ATTEMPTS; attempt++) {
      const entry = await this.kv.get(MEMBERS_KEY);
      const stored = entry?.operation === 'PUT' ? membersShape.safeParse(safeJson(entry.string())) : undefined;
      const members: Record<string, number> = stored?.success ? { ...stored.data } : {};
      change(members);
      const value = JSON.stringify(members);
      const written = await lost(entry ? this.kv.update(MEMBERS_KEY, value, entry.revision) : this.kv.create(MEMBERS_KEY, value));
      if (written !== undefined) return Object.keys(members);
    }
    throw new Error('risk partition membership: too many concurrent writers');
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON: the caller's shape check then refuses it like any other malformed lease.
    return undefined;
  }
}

/** A compare-and-set that lost (wrong last sequence, or the key exists) is an answer, not an error. */
async function lost(write: Promise<number>): Promise<number | undefined> {
  try {
    return await write;
  } catch (error) {
    if (/wrong last sequence|key exists/i.test(String((error as Error).message))) return undefined;
    throw error;
  }
}
