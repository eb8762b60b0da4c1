/**
 * The read-only view of the audit log that other modules (the SIEM exporter) use. The single-process log
 * answers at once; the cluster's log (PostgreSQL) with a promise. Positions are 0-based
 * leaf indexes of the RFC 9162 Merkle tree; `leafHash` is SHA-256(0x00 || canonical entry bytes), hex.
 */
import type { WardenEvent } from '../core/index.js';

export interface AuditRecord {
  index: number;
  /** Hex SHA-256 leaf hash of the stored (canonical, possibly encrypted) entry. */
  leafHash: string;
  /** Sensitive fields decrypted when the key is available, else left as the encrypted envelope. */
  event: WardenEvent;
}

export interface AuditReader {
  /** Entries durably appended. */
  size(): number | Promise<number>;
  read(fromIndex: number, limit: number): AuditRecord[] | Promise<AuditRecord[]>;
  /** Called after each durable batch with the new size; returns unsubscribe. */
  onAppend(listener: (newSize: number) => void): () => void;
}
