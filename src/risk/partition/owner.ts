/**
 * Risk partitioning (issue 12): each principal's baseline has one owner at a time across the instances.
 * The principals are split into `buckets` by a hash of the principal (buckets.ts); each instance holds a
 * lease on about `buckets / instances` of them (leases.ts) and, for each bucket it owns, reads that
 * bucket's subject of the partitioned stream with a consumer of its own.
 *
 * - **Take:** win the lease (compare-and-set; its revision is the epoch), claim the partition's checkpoint
 *   in the shared store with that epoch, load the bucket's baselines, and read the stream from the
 *   checkpoint's sequence + 1.
 * - **Apply:** each event once: a message at or below the last applied sequence is skipped, and the
 *   baselines are saved together with the sequence they include, so a new owner starts exactly after
 *   what was saved. Events after the last save are read again by the next owner and applied then (on
 *   baselines that do not include them).
 * - **Save:** every `checkpointMs`, the principals touched since the last save, with the sequence and
 *   the epoch. A save refused for its epoch means another instance took the bucket: this one drops it.
 * - **Release** (rebalance when an instance joins, or shutdown): stop reading, save, forget the
 *   baselines, free the lease. A dead owner's leases expire after `leaseMs` and are taken by the others.
 *
 * Scores are not partitioned state: the owner's engine publishes its threshold crossings on the bus and
 * they reach every instance through the `risk-snapshot` shared state (cluster/share.ts). A forgive (an
 * incident resolved as a false positive) arrives as a control message on the bucket's subject
 * (publish.ts) and is applied here, in order with the events.
 *
 * @example
 * const partitions = new RiskPartitions({ link, engine, repo: stores.risk, instanceId, logger });
 * partitions.start();
 * partitions.owned(); // [0, 3, 5, ...]
 * await partitions.close();
 */
import { DeliverPolicy, jetstream, type ConsumerMessages } from '@nats-io/jetstream';
import type { Logger } from '../../core/index.js';
import type { NatsLink } from '../../cluster/index.js';
import { parseStreamEvent } from '../../events/index.js';
import type { RiskStateRepository } from '../store/types.js';
import type { RiskEngine } from '../types.js';
import { ensureRiskStream, fnv1a, principalKeyOf, RISK_STREAM, riskSubject } from './buckets.js';
import { PartitionLeases, type Lease } from './leases.js';
import { parseForgive } from './publish.js';

export interface RiskPartitionsOptions {
  link: NatsLink;
  engine: RiskEngine;
  repo: RiskStateRepository;
  instanceId: string;
  logger: Logger;
  /** Number of buckets; every instance of a cluster must use the same. */
  buckets?: number;
  /** How long a lease (and a membership heartbeat) lasts without renewal. */
  leaseMs?: number;
  /** How often leases are renewed and the share rebalanced; well under `leaseMs`. */
  renewMs?: number;
  /** How often each owned bucket's touched baselines are saved. */
  checkpointMs?: number;
}

interface Owned {
  bucket: number;
  /** The take's lease revision: the fencing token of every save. */
  epoch: number;
  /** The lease's latest revision (renewals move it). */
  revision: number;
  /** Highest stream sequence applied to the baselines in memory, and the highest saved. */
  applied: number;
  saved: number;
  /** Principals of this bucket in memory, and those changed since the last save. */
  keys: Set<string>;
  touched: Set<string>;
  messages: ConsumerMessages;
  reading: Promise<void>;
  /** Set when reading stopped by itself (the consumer failed): the bucket is then released. */
  ended: boolean;
}

export const PARTITION_DEFAULTS = { buckets: 64, leaseMs: 10_000, renewMs: 3_000, checkpointMs: 1_000 };

export const partitionName = (bucket: number): string => `risk-${bucket}`;

export class RiskPartitions {
  private readonly buckets: number;
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly checkpointMs: number;
  private readonly held = new Map<number, Owned>();
  private leases: PartitionLeases | undefined;
  private timers: NodeJS.Timeout[] = [];
  /** One rebalance or checkpoint round at a time: they change `held`. */
  private turn: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: RiskPartitionsOptions) {
    this.buckets = options.buckets ?? PARTITION_DEFAULTS.buckets;
    this.leaseMs = options.leaseMs ?? PARTITION_DEFAULTS.leaseMs;
    this.renewMs = options.renewMs ?? PARTITION_DEFAULTS.renewMs;
    this.checkpointMs = options.checkpointMs ?? PARTITION_DEFAULTS.checkpointMs;
  }

  start(): void {
    const every = (ms: number, round: () => Promise<void>): void => {
      const timer = setInterval(() => void this.serial(round), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.renewMs, () => this.rebalance());
    every(this.checkpointMs, () => this.checkpointAll());
    void this.serial(() => this.rebalance());
  }

  /** Buckets this instance owns now, ascending. */
  owned(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /** Releases every bucket (saved first) and leaves; the others take them at their next round. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.serial(async () => {
      for (const bucket of this.owned()) await this.release(bucket);
      await this.leases?.leave().catch(() => undefined);
    }, true);
  }

  private serial(round: () => Promise<void>, closing = false): Promise<void> {
    this.turn = this.turn.then(async () => {
      if (this.closed && !closing) return;
      try {
        await round();
      } catch (error) {
        this.options.logger.warn({ err: error }, 'risk partitions: a round failed; the next one retries');
      }
    });
    return this.turn;
  }

  private async rebalance(): Promise<void> {
    const nc = this.options.link.connection;
    if (!nc || !this.options.link.connected) return; // leases lapse while NATS is away; taken again after
    if (!this.leases) {
      await ensureRiskStream(nc);
      this.leases = await PartitionLeases.open(nc, this.options.instanceId, this.leaseMs);
    }
    const leases = this.leases;
    const members = await leases.heartbeat(Date.now());
    const view = await leases.read(this.buckets);
    for (const [bucket, owned] of this.held) {
      const lease = view.get(bucket);
      const renewed = lease?.revision === owned.revision ? await leases.renew(bucket, owned.revision) : undefined;
      if (renewed === undefined) await this.lose(bucket, 'its lease was taken');
      else owned.revision = renewed;
    }
    const now = Date.now();
    const share = Math.ceil(this.buckets / members.length);
    // Give up the highest buckets above the share first, so that joining instances find free ones.
    for (const bucket of this.owned().reverse().slice(0, Math.max(0, this.held.size - share))) await this.release(bucket);
    for (let bucket = 0; bucket < this.buckets && this.held.size < share; bucket++) {
      const lease = view.get(bucket);
      if (!this.held.has(bucket) && PartitionLeases.free(lease, now)) await this.take(bucket, lease);
    }
  }

  private async take(bucket: number, seen: Lease | undefined): Promise<void> {
    const { repo, engine, link } = this.options;
    const epoch = await this.leases!.take(bucket, seen);
    if (epoch === undefined) return; // another instance won it
    const partition = partitionName(bucket);
    // Claiming the checkpoint with the new epoch fences out the former owner's late saves (seq 0 keeps the
    // stored one). Only then is the checkpoint read: a save landing before the claim moves it, and the
    // baselines loaded next include that save, so reading first would apply its events twice.
    if (!(await repo.saveBaselines([], { partition, seq: 0, epoch }))) {
      await this.leases!.release(bucket, epoch);
      return;
    }
    const { seq } = await repo.checkpoint(partition);
    const rows = await repo.loadBaselines('principal', bucket);
    // Whatever this engine held for the bucket before (an earlier ownership) is older than the shared copy.
    engine.dropPrincipals((key) => this.bucketOfKey(key) === bucket);
    engine.adoptPrincipals(rows);
    const consumer = await jetstream(link.connection!).consumers.get(RISK_STREAM, {
      filter_subjects: riskSubject(bucket),
      ...(seq > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: seq + 1 } : { deliver_policy: DeliverPolicy.All }),
    });
    const messages = await consumer.consume();
    const owned: Owned = { bucket, epoch, revision: epoch, applied: seq, saved: seq, keys: new Set(rows.map((r) => r.key)), touched: new Set(), messages, reading: Promise.resolve(), ended: false };
    owned.reading = this.read(owned);
    this.held.set(bucket, owned);
    this.options.logger.info({ bucket, epoch, from: seq + 1, principals: rows.length }, 'risk partition taken');
  }

  private async read(owned: Owned): Promise<void> {
    try {
      for await (const message of owned.messages) {
        if (message.seq <= owned.applied) continue; // applied before this ownership's start, or delivered twice
        const forgive = parseForgive(message.data);
        // In stream order: the factors of the events before it are removed, those after it count.
        if (forgive) this.options.engine.forgive(forgive.principal, forgive.detectors, forgive.until);
        const event = forgive ? undefined : parseStreamEvent(message.data);
        if (event) {
          this.options.engine.process(event);
          const key = principalKeyOf(event);
          if (key !== undefined) {
            owned.keys.add(key);
            owned.touched.add(key);
          }
        }
        owned.applied = message.seq;
      }
    } catch (error) {
      this.options.logger.warn({ bucket: owned.bucket, err: error }, 'risk partition: reading stopped; the bucket is given up and taken again');
    } finally {
      owned.ended = true;
    }
  }

  private async checkpointAll(): Promise<void> {
    for (const owned of [...this.held.values()]) {
      if (owned.ended && this.held.get(owned.bucket) === owned) await this.release(owned.bucket);
      else await this.checkpoint(owned);
    }
  }

  /** Saves the touched principals with the applied sequence; false when the save was fenced out. */
  private async checkpoint(owned: Owned): Promise<boolean> {
    if (owned.applied === owned.saved && owned.touched.size === 0) return true;
    // Read in one synchronous step: the rows include exactly the events up to `seq`.
    const seq = owned.applied;
    const touched = owned.touched;
    owned.touched = new Set();
    const rows = this.options.engine.exportPrincipals(touched).map((r) => ({ kind: 'principal' as const, key: r.key, data: r.data, bucket: owned.bucket }));
    let saved: boolean;
    try {
      saved = await this.options.repo.saveBaselines(rows, { partition: partitionName(owned.bucket), seq, epoch: owned.epoch });
    } catch (error) {
      for (const key of touched) owned.touched.add(key); // saved at the next round
      throw error;
    }
    if (!saved) {
      await this.lose(owned.bucket, 'a later owner saved it');
      return false;
    }
    owned.saved = seq;
    return true;
  }

  /** Stops reading, saves, forgets the bucket's baselines and frees its lease. */
  private async release(bucket: number): Promise<void> {
    const owned = this.held.get(bucket);
    if (!owned) return;
    await owned.messages.close();
    await owned.reading;
    if (!(await this.checkpoint(owned))) return;
    this.held.delete(bucket);
    this.options.engine.dropPrincipals((key) => owned.keys.has(key));
    await this.leases?.release(bucket, owned.revision);
    this.options.logger.info({ bucket, seq: owned.saved }, 'risk partition released');
  }

  /** Another instance owns the bucket now: stop and forget, without saving (its save would be refused). */
  private async lose(bucket: number, why: string): Promise<void> {
    const owned = this.held.get(bucket);
    if (!owned) return;
    this.held.delete(bucket);
    await owned.messages.close();
    await owned.reading;
    this.options.engine.dropPrincipals((key) => owned.keys.has(key));
    this.options.logger.warn({ bucket, why }, 'risk partition lost');
  }

  private bucketOfKey(key: string): number {
    return fnv1a(key) % this.buckets;
  }
}
