/**
 * Crypto-shredding of the single-process log: destroying the data keys of sensitive fields last used
 * before a cutoff (on demand, and by the retention policy `retention.sensitiveDays`). The entries stay and
 * still verify (the tree commits to ciphertext); their sealed fields can no longer be opened.
 */
import type { DataKeyManager } from './data-keys.js';
import type { AuditLogger, AuditShredding } from './log-types.js';

export class LogShredder implements AuditShredding {
  constructor(
    /** The data keys (none when encryption is off: nothing to shred). */
    private readonly keys: DataKeyManager | undefined,
    /** Days sealed fields stay readable; 0 keeps them. */
    private readonly sensitiveDays: number,
    private readonly logger: AuditLogger | undefined,
  ) {}

  shred(cutoff: Date): string[] {
    const destroyed = this.keys?.shred(cutoff) ?? [];
    if (destroyed.length) this.logger?.info({ dataKeys: destroyed.length }, 'audit data keys destroyed by retention');
    return destroyed;
  }

  /** Shreds what the retention policy no longer keeps (run by the log's timer). */
  applyRetention(): void {
    if (this.keys && this.sensitiveDays > 0) this.shred(new Date(Date.now() - this.sensitiveDays * 86_400_000));
  }
}
