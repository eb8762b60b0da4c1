/**
 * The clustered audit log's storage: every instance writes events into a durable inbox; the one instance
 * holding the leader lock drains the inbox into the Merkle log. The leader's operations run on its lock
 * session, so a leader that lost its lock (its connection died) can no longer write: the session is the
 * fence. Implemented for PostgreSQL (`postgres.ts`); the single-process SQLite log keeps its own writer
 * thread (`../writer-worker.ts`) and does not need an inbox.
 */
import type { WardenEvent } from '../../core/index.js';

export interface InboxEvent {
  /** Position in the inbox; the leader deletes exactly the positions it appended. */
  seq: string;
  /** As stored; the leader validates it (a row that is not an event is dropped and logged). */
  event: unknown;
}

export interface StoredDataKey {
  kid: string;
  kekId: string;
  /** Null once shredded. */
  wrapped: Buffer | null;
  createdAt: string;
  retiredAt: string | null;
}

export interface DataKeyOp {
  kid: string;
  kekId: string;
  wrapped: Uint8Array;
  createdAt: string;
  retiredAt: string | null;
}

/** One drained batch, committed in one transaction (or not at all). */
export interface AppendBatch {
  /** Position of the first entry; must equal the stored size (a mismatch aborts the batch). */
  first: number;
  /** `event` is the event as published (sensitive fields not sealed), for tables written with the append (`AppendHook`). */
  entries: { eventId: string; entry: Buffer; leafHash: Buffer; event: WardenEvent }[];
  chunks: { chunk: number; hash: Buffer }[];
  keys: DataKeyOp[];
  checkpoint: { size: number; note: string; createdAt: string } | null;
  /** Inbox positions this batch consumed (appended, or already in the log). */
  consumed: string[];
}

/** The durable state a new leader rebuilds its tree from. */
export interface LogState {
  size: number;
  /** Hashes of the complete 256-leaf chunks, in order. */
  chunks: Buffer[];
  /** Leaf hashes of the unfinished chunk. */
  tailLeaves: Buffer[];
  latestCheckpoint: string | null;
  /** Data keys not yet shredded. */
  dataKeys: StoredDataKey[];
}

/** What only the lock holder may do. Every method fails once the lock session is lost. */
export interface LeaderSession {
  /** Binds the log to one signing key: the first leader records its verifier key; a later leader with another key is refused. */
  claimSigningKey(verifierKey: string): Promise<void>;
  load(): Promise<LogState>;
  /** The oldest inbox events, in inbox order. */
  takeInbox(limit: number): Promise<InboxEvent[]>;
  /** Event ids among `eventIds` already in the log (a previous leader appended them). */
  appended(eventIds: string[]): Promise<Set<string>>;
  /** Entries, chunk hashes, data keys, checkpoint and inbox deletion in one transaction. */
  commit(batch: AppendBatch): Promise<void>;
  /** True once since the last call when some instance asked for a checkpoint now (`requestCheckpoint`). */
  takeCheckpointRequest(): boolean;
  /** True until the session's connection fails. */
  readonly alive: boolean;
  /** Releases the lock (closes the session). */
  release(): Promise<void>;
}

export interface ClusterAuditStore {
  /** Durably enqueues events for the leader; resolves once committed, with the highest inbox position taken (none for no events). */
  enqueue(events: WardenEvent[]): Promise<string | undefined>;
  /** Whether the inbox holds no event at or before `seq` (the leader has appended, or dropped, all of them). */
  drainedTo(seq: string): Promise<boolean>;
  /** The leader session when this instance took the lock now, else null. Never waits for the lock. */
  tryLead(): Promise<LeaderSession | null>;
  /** Asks whichever instance leads to sign a checkpoint of everything appended (not durable: the asker waits and asks again). */
  requestCheckpoint(): Promise<void>;
  close(): Promise<void>;
}

/** Read side used by verification. */
export interface AuditLogRows {
  checkpointRows(): Promise<{ treeSize: number; note: string }[]>;
  /** Rows with idx >= fromIdx, ascending, at most `limit`. */
  entryRows(fromIdx: number, limit: number): Promise<[number, Buffer, Buffer][]>;
}
