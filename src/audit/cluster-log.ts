/**
 * The audit log of a cluster (PostgreSQL): every instance appends into the shared inbox; the instance
 * holding the leader lock drains it into the one Merkle log. A follower tries to take the lock every
 * `LEAD_RETRY_MS`; when the leader dies its connection and lock go with it, and another instance takes
 * over from what is stored. Checkpoints are signed with the one key every instance is given (the first
 * leader records its verifier key; an instance with another key never leads).
 *
 * @example
 * const log = await createClusterAuditLog({ databaseUrl, dataDir, config, bus });
 */
import { existsSync } from 'node:fs';
import { WardenError, type WardenEvent } from '../core/index.js';
import type { EventBus, Subscription } from '../events/index.js';
import { openPostgres, type PgPool } from '../store/index.js';
import { AuditLeader, type LeaderContext } from './cluster-leader.js';
import { InboxWriter } from './cluster-inbox.js';
import { resolveDataPath, type AuditConfig } from './config.js';
import type { SignedCheckpoint } from './checkpoint.js';
import { ClusterAuditView } from './cluster-view.js';
import { publicKeyOf } from './log-checkpoints.js';
import type { AuditLogger } from './log-types.js';
import type { AuditSource } from './source.js';
import { FieldMatcher, loadKeyring } from './sensitive.js';
import { loadOrCreateSigningKey, verifierKeyString } from './signing-key.js';
import { openPgAuditStore, type AppendHook } from './store/postgres.js';
import type { ClusterAuditStore } from './store/types.js';

/** How often a follower tries to take the leader lock: the failover delay after a leader's death. */
const LEAD_RETRY_MS = 500;
/** How often an idle leader looks at the inbox. */
const INBOX_POLL_MS = 50;
/** How long `checkpoint()` waits for the leader (possibly another instance) to sign one. */
const CHECKPOINT_WAIT_MS = 10_000;
/** How often a waiting `checkpoint()` looks for the signed checkpoint (and asks again). */
const CHECKPOINT_POLL_MS = 100;
/** Longest `settled()` waits for the leader: a read waits this long at most, then answers with what is stored. */
const SETTLE_WAIT_MS = 2_000;
/** How often `settled()` looks at the inbox (the leader itself drains an idle inbox every 50 ms). */
const SETTLE_POLL_MS = 10;

/** The cluster's log: appends go through the shared inbox; reads, proofs and checkpoints (`AuditSource`) come from PostgreSQL. */
export interface ClusterAuditLog extends AuditSource {
  /** Resolves once the event is durable in the shared inbox (the leader appends it to the log). */
  append(event: WardenEvent): Promise<void>;
  /** Appends every event published on `bus` (durable subscriber). */
  subscribeTo(bus: EventBus): Subscription;
  /** Whether this instance holds the leader lock now. */
  isLeader(): boolean;
  /**
   * Resolves once the leader has drained every event this instance had acknowledged when called (so the
   * rows written with them, the decision table's, are readable), or after 2 s: a slow leader delays a read,
   * it does not fail it.
   */
  settled(): Promise<void>;
  /** Stops leading (the last batch is committed and a final checkpoint signed) and closes the pool. */
  close(): Promise<void>;
}

export interface ClusterAuditLogOptions {
  databaseUrl: string;
  dataDir: string;
  config: AuditConfig;
  bus?: EventBus;
  logger?: AuditLogger;
  env?: NodeJS.ProcessEnv;
  /** Run by the leader inside each append's transaction (the decision table; see `AppendHook`). */
  onAppend?: AppendHook;
}

/**
 * The key material every instance must share. Nothing is generated here: keys made on each instance
 * would differ, and a log signed (or sealed) by many keys could not be verified (or read) with one.
 */
function sharedKeys(options: ClusterAuditLogOptions): Omit<LeaderContext, 'config' | 'logger'> {
  const { dataDir, config } = options;
  const keyPath = resolveDataPath(dataDir, config.signingKeyFile);
  if (!existsSync(keyPath)) {
    throw new WardenError('config_invalid', `audit.signingKeyFile: no key at \`${keyPath}\`; in a cluster every instance is given the same Ed25519 key (openssl genpkey -algorithm ed25519)`);
  }
  const signer = loadOrCreateSigningKey(keyPath, config.origin);
  let keyring;
  if (config.encryption.enabled) {
    const envValue = (options.env ?? process.env)[config.encryption.kekEnv];
    const kekPath = resolveDataPath(dataDir, config.encryption.kekFile);
    if (!envValue?.trim() && !existsSync(kekPath)) {
      throw new WardenError('config_invalid', `audit.encryption: set ${config.encryption.kekEnv} or provide \`${kekPath}\`; in a cluster every instance needs the same key-encryption keys`);
    }
    keyring = loadKeyring(kekPath, envValue);
  }
  return { signer, verifierKey: verifierKeyString(signer), matcher: new FieldMatcher(config.encryption.enabled ? config.encryption.fields : []), keyring };
}

class ClusterAuditLogImpl implements ClusterAuditLog {
  private readonly inbox: InboxWriter;
  private leader: AuditLeader | undefined;
  private closed = false;
  private wake: (() => void) | undefined;
  private readonly loop: Promise<void>;
  private lastError = '';

  private readonly view: ClusterAuditView;

  constructor(
    private readonly store: ClusterAuditStore,
    pool: PgPool,
    private readonly ctx: LeaderContext,
  ) {
    this.view = new ClusterAuditView(pool, { keyring: ctx.keyring });
    this.inbox = new InboxWriter(store, (error) => ctx.logger?.error({ err: (error as Error).message }, 'the audit inbox could not be written'));
    this.loop = this.run();
  }

  append(event: WardenEvent): Promise<void> {
    return this.inbox.append(event);
  }

  subscribeTo(bus: EventBus): Subscription {
    return bus.subscribe((event) => this.append(event), { name: 'audit', durable: true });
  }

  isLeader(): boolean {
    return this.leader?.alive === true;
  }

  async settled(): Promise<void> {
    const seq = this.inbox.lastSeq;
    if (seq === undefined) return;
    const deadline = Date.now() + SETTLE_WAIT_MS;
    while (!(await this.store.drainedTo(seq)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }

  size = (): Promise<number> => this.view.size();
  read = (fromIndex: number, limit: number) => this.view.read(fromIndex, limit);
  readRaw = (fromIndex: number, limit: number) => this.view.readRaw(fromIndex, limit);
  onAppend = (listener: (newSize: number) => void) => this.view.onAppend(listener);
  checkpointNotes = (fromSize?: number, limit?: number) => this.view.checkpointNotes(fromSize, limit);
  latestCheckpoint = () => this.view.latestCheckpoint();
  subtreeHash = (start: number, end: number) => this.view.subtreeHash(start, end);
  inclusionProof = (index: number, treeSize: number) => this.view.inclusionProof(index, treeSize);
  consistencyProof = (fromSize: number, toSize: number) => this.view.consistencyProof(fromSize, toSize);

  publicKey(): { verifierKey: string; pem: string } {
    return publicKeyOf(this.ctx.signer);
  }

  /** Asks the leader (whichever instance it is) to sign a checkpoint of everything stored now, and waits for it. */
  async checkpoint(): Promise<SignedCheckpoint> {
    const size = await this.view.size();
    const deadline = Date.now() + CHECKPOINT_WAIT_MS;
    for (let asked = 0; ; asked++) {
      const latest = await this.view.latestCheckpoint();
      if (latest && latest.size >= size) return latest;
      if (size === 0 && !latest) throw new WardenError('not_ready', 'the audit log is empty: there is nothing to checkpoint yet');
      if (Date.now() > deadline) throw new WardenError('not_ready', 'no audit leader signed a checkpoint in time; try again');
      // Asked again every second: a request is a notification, lost if the leader changes meanwhile.
      if (asked % 10 === 0) await this.store.requestCheckpoint();
      await new Promise((resolve) => setTimeout(resolve, CHECKPOINT_POLL_MS));
    }
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      let busy = false;
      try {
        if (!this.leader) await this.tryLead();
        if (this.leader) busy = await this.leader.drainOnce();
        if (this.leader?.checkpointRequested()) await this.leader.checkpointNow();
      } catch (error) {
        this.report(error);
        await this.stepDown();
      }
      if (!busy && !this.closed) await this.pause(this.leader ? INBOX_POLL_MS : LEAD_RETRY_MS);
    }
  }

  private async tryLead(): Promise<void> {
    const session = await this.store.tryLead();
    if (!session) return;
    try {
      this.leader = await AuditLeader.start(session, this.ctx);
    } catch (error) {
      await session.release();
      throw error;
    }
    this.lastError = '';
    this.ctx.logger?.info({ size: this.leader.size }, 'this instance leads the audit log');
  }

  private async stepDown(): Promise<void> {
    const leader = this.leader;
    this.leader = undefined;
    await leader?.release().catch(() => undefined);
  }

  /** Logs each distinct failure once, not at every retry. */
  private report(error: unknown): void {
    const message = (error as Error).message;
    if (message === this.lastError) return;
    this.lastError = message;
    this.ctx.logger?.error({ err: message }, 'the audit leader stopped; another attempt follows');
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.inbox.close();
    this.closed = true;
    this.wake?.();
    await this.loop;
    const leader = this.leader;
    if (leader?.alive) {
      try {
        while (await leader.drainOnce());
        await leader.checkpointNow();
      } catch (error) {
        this.report(error);
      }
    }
    await this.stepDown();
    this.view.close();
    await this.store.close();
  }
}

/** Connects to the cluster's PostgreSQL, applies the audit migrations and starts competing for the lead. */
export async function createClusterAuditLog(options: ClusterAuditLogOptions): Promise<ClusterAuditLog> {
  const keys = sharedKeys(options);
  const pool = await openPostgres(options.databaseUrl);
  let store;
  try {
    store = await openPgAuditStore(pool, { onAppend: options.onAppend });
  } catch (error) {
    await pool.end();
    throw error;
  }
  const log = new ClusterAuditLogImpl(store, pool, { ...keys, config: options.config, logger: options.logger });
  if (options.bus && options.config.enabled) log.subscribeTo(options.bus);
  return log;
}
