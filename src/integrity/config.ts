/** The `integrity:` section of Warden's configuration. Every value has a default. */
import { z } from 'zod';

export const integrityConfigSchema = z
  .object({
    /** Seconds between periodic re-hashes of every registered asset (0 disables the periodic pass). */
    watchIntervalSeconds: z.number().int().min(0).default(300),
    /** Re-hashes allowed per minute across all assets (file-system events beyond this wait). */
    rehashPerMinute: z.number().int().min(1).default(30),
    /** Milliseconds to wait after a file-system event before re-hashing (changes come in bursts). */
    debounceMs: z.number().int().min(0).default(2000),
    /**
     * Seconds between reloads of the in-memory attributes from the store. On PostgreSQL every committed
     * change reloads them at once (LISTEN/NOTIFY); this is the safety net for a lost notification, and
     * on SQLite how changes made by the CLI arrive.
     */
    cacheRefreshSeconds: z.number().int().min(1).default(5),
    /** Use fs.watch in addition to the periodic re-hash. */
    fsEvents: z.boolean().default(true),
    /** Roles any of which lets a principal approve a change request (the two-person rule). */
    approverRoles: z.array(z.string().min(1)).min(1).default(['admin', 'asset-approver']),
    /** Seconds an approved change stays usable before it must be approved again. */
    approvalTtlSeconds: z.number().int().min(60).default(86_400),
    /** Worker threads used for hashing (0 = one per CPU, at most 8). */
    hashWorkers: z.number().int().min(0).max(64).default(0),
    /** Shard size in bytes when the `shards` method is used (model_signing's default is 1 GB). */
    shardSize: z.number().int().min(4096).default(1_000_000_000),
    /** Read buffer for hashing, in bytes: 256 KiB stays in cache between the read and the hash (measured best). */
    readChunkBytes: z.number().int().min(4096).max(64 * 1024 * 1024).default(256 * 1024),
  })
  .prefault({});

export type IntegrityConfig = z.infer<typeof integrityConfigSchema>;
