/**
 * What the admin routes, the CLI and the SIEM exporter read from an audit log, whichever it is: the
 * single-process log (audit.db, answers at once) or the cluster's log in PostgreSQL (answers after a
 * query). Methods may return a value or a promise; callers await both alike, so neither log is wrapped.
 */
import type { SignedCheckpoint } from './checkpoint.js';
import type { AuditReader } from './reader.js';

export type Awaitable<T> = T | Promise<T>;

export interface RawEntry {
  index: number;
  /** The canonical bytes stored (sensitive fields sealed). */
  entry: Buffer;
  leafHash: Buffer;
}

/** What an export segment (`writeExport`) needs. */
export interface SegmentSource {
  subtreeHash(start: number, end: number): Awaitable<Buffer>;
  readRaw(fromIndex: number, limit: number): Awaitable<RawEntry[]>;
  /** Stored checkpoint notes with tree size >= fromSize, ascending. */
  checkpointNotes(fromSize?: number, limit?: number): Awaitable<{ size: number; note: string }[]>;
}

export interface InclusionProof {
  index: number;
  treeSize: number;
  leafHash: string;
  rootHash: string;
  proof: string[];
}

export interface ConsistencyProof {
  fromSize: number;
  toSize: number;
  fromRoot: string;
  toRoot: string;
  proof: string[];
}

/** A live log as the admin API serves it. */
export interface AuditSource extends AuditReader, SegmentSource {
  latestCheckpoint(): Awaitable<SignedCheckpoint | null>;
  /** A checkpoint covering everything durable now (signed now, or by the cluster's leader). */
  checkpoint(): Promise<SignedCheckpoint>;
  inclusionProof(index: number, treeSize: number): Awaitable<InclusionProof>;
  consistencyProof(fromSize: number, toSize: number): Awaitable<ConsistencyProof>;
  publicKey(): { verifierKey: string; pem: string };
}
