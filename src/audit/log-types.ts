/**
 * The audit log's public interface and options. `AuditLog` is the intersection of narrower interfaces, one
 * per responsibility, so that a consumer can ask for only what it uses (the exporter reads, the admin API
 * proves and checkpoints, the decision table follows appends).
 */
import type { WardenEvent } from '../core/index.js';
import type { EventBus, Subscription } from '../events/index.js';
import type { SignedCheckpoint } from './checkpoint.js';
import type { AuditConfig } from './config.js';
import type { AuditRecord } from './reader.js';
import type { ConsistencyProof, InclusionProof, RawEntry } from './source.js';

export interface AuditLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface AuditLogOptions {
  dataDir: string;
  config: AuditConfig;
  bus?: EventBus;
  logger?: AuditLogger;
  /** Environment for the KEK variable; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Appending (acknowledged once durable) and following the appends. */
export interface AuditAppend {
  /** Resolves once the event is durable (fsynced), with its position and leaf hash (hex). */
  append(event: WardenEvent): Promise<{ index: number; leafHash: string }>;
  /** Appends every event published on `bus`; returns the subscription. */
  subscribeTo(bus: EventBus): Subscription;
  /** Called after each durable batch with the new size; returns unsubscribe. */
  onAppend(listener: (newSize: number) => void): () => void;
}

/** Reading the durable entries. */
export interface AuditReads {
  /** Entries durably appended (answered from memory). */
  size(): number;
  read(fromIndex: number, limit: number): AuditRecord[];
  /** Raw stored entries (canonical bytes) [from, from+limit). */
  readRaw(fromIndex: number, limit: number): RawEntry[];
}

/** RFC 9162 roots and proofs over the durable entries. */
export interface AuditProofs {
  /** Root hash (hex) of the tree of `treeSize` entries (<= size()). */
  rootHash(treeSize: number): string;
  /** Hashes of arbitrary subtrees [start, end) for exports. */
  subtreeHash(start: number, end: number): Buffer;
  inclusionProof(index: number, treeSize: number): InclusionProof;
  consistencyProof(fromSize: number, toSize: number): ConsistencyProof;
}

/** Signed checkpoints and the key that signs them. */
export interface AuditCheckpoints {
  /** The latest signed checkpoint, or null before the first. */
  latestCheckpoint(): SignedCheckpoint | null;
  /** Signs a checkpoint of the current durable size now (after pending appends are durable). */
  checkpoint(): Promise<SignedCheckpoint>;
  checkpoints(fromSize?: number, limit?: number): SignedCheckpoint[];
  /** Stored checkpoint notes with tree size >= fromSize, ascending. */
  checkpointNotes(fromSize?: number, limit?: number): { size: number; note: string }[];
  /** The verifier key string (`name+id+base64`) and the SPKI PEM public key. */
  publicKey(): { verifierKey: string; pem: string };
}

/** Crypto-shredding of sensitive fields. */
export interface AuditShredding {
  /** Destroys data keys of sensitive fields last used before `cutoff`; returns their ids. */
  shred(cutoff: Date): string[];
}

/** The single-process log (it is also an `AuditReader`, a `LogSource` and an `AuditSource`). */
export type AuditLog = AuditAppend &
  AuditReads &
  AuditProofs &
  AuditCheckpoints &
  AuditShredding & {
    /** Flushes pending appends, signs a final checkpoint, closes the database. */
    close(): Promise<void>;
  };
