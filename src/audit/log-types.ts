/** The audit log's public interface and options. */
import type { WardenEvent } from '../core/index.js';
import type { EventBus, Subscription } from '../events/index.js';
import type { SignedCheckpoint } from './checkpoint.js';
import type { AuditConfig } from './config.js';
import type { AuditReader, AuditRecord } from './reader.js';
import type { LogSource } from './view.js';

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

export interface AuditLog extends AuditReader, LogSource {
  /** Entries durably appended (answered from memory). */
  size(): number;
  read(fromIndex: number, limit: number): AuditRecord[];
  /** Resolves once the event is durable (fsynced), with its position and leaf hash (hex). */
  append(event: WardenEvent): Promise<{ index: number; leafHash: string }>;
  /** Appends every event published on `bus`; returns the subscription. */
  subscribeTo(bus: EventBus): Subscription;
  /** The latest signed checkpoint, or null before the first. */
  latestCheckpoint(): SignedCheckpoint | null;
  /** Signs a checkpoint of the current durable size now (after pending appends are durable). */
  checkpoint(): Promise<SignedCheckpoint>;
  checkpoints(fromSize?: number, limit?: number): SignedCheckpoint[];
  inclusionProof(index: number, treeSize: number): { index: number; treeSize: number; leafHash: string; rootHash: string; proof: string[] };
  consistencyProof(fromSize: number, toSize: number): { fromSize: number; toSize: number; fromRoot: string; toRoot: string; proof: string[] };
  /** Root hash (hex) of the tree of `treeSize` entries (<= size()). */
  rootHash(treeSize: number): string;
  /** Hashes of arbitrary subtrees [start, end) for exports. */
  subtreeHash(start: number, end: number): Buffer;
  /** Raw stored entries (canonical bytes) [from, from+limit). */
  readRaw(fromIndex: number, limit: number): { index: number; entry: Buffer; leafHash: Buffer }[];
  /** The verifier key string (`name+id+base64`) and the SPKI PEM public key. */
  publicKey(): { verifierKey: string; pem: string };
  /** Crypto-shredding: destroys data keys of sensitive fields last used before `cutoff`. */
  shred(cutoff: Date): string[];
  /** Flushes pending appends, signs a final checkpoint, closes the database. */
  close(): Promise<void>;
}
