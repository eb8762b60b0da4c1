/** The `audit:` section of Warden's configuration. Every value has a default: Warden starts without a file. */
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';

export const auditConfigSchema = z
  .object({
    /** Append every bus event to the log. */
    enabled: z.boolean().default(true),
    /** The log's origin line in checkpoints (C2SP tlog-checkpoint); also the signing key's name. */
    origin: z
      .string()
      .regex(/^[\x21-\x7e]+$/, 'origin must be printable ASCII without spaces')
      .max(200)
      .default('warden.local/audit'),
    /** Signing key file (Ed25519, PKCS#8 PEM); relative paths are under the data dir. Created with mode 0600 if missing. */
    signingKeyFile: z.string().min(1).default('audit-signing.key'),
    checkpoint: z
      .object({
        /** Sign a checkpoint after this many new entries... */
        everyEntries: z.number().int().min(1).max(10_000_000).default(1000),
        /** ...or this many seconds after the last one, when new entries arrived. */
        everySeconds: z.number().min(0.05).max(86_400).default(10),
      })
      .prefault({}),
    /** Group commit: the most entries written in one transaction and fsync. */
    maxBatch: z.number().int().min(1).max(100_000).default(8192),
    encryption: z
      .object({
        enabled: z.boolean().default(true),
        /** Key-encryption keys: a file with one base64 32-byte key per line, the first is current. Relative to the data dir. */
        kekFile: z.string().min(1).default('audit-kek.key'),
        /** Environment variable with the same content (lines or commas); takes precedence over the file when set. */
        kekEnv: z.string().min(1).default('WARDEN_AUDIT_KEK'),
        /**
         * Sensitive fields encrypted at rest. A bare name (`prompt`) matches that key at any depth; a dotted
         * path (`details.user.email`) matches from the event root; `*` matches any one key.
         */
        fields: z.array(z.string().min(1).max(200)).max(100).default(['prompt', 'completion', 'messages', 'promptText', 'completionText']),
        /** A new data key is started after this many hours (the granularity of crypto-shredding). */
        dataKeyRotationHours: z.number().min(0.001).max(24 * 366).default(24),
      })
      .prefault({}),
    retention: z
      .object({
        /** Destroy the data keys of sensitive fields older than this many days (0 = keep forever). */
        sensitiveDays: z.number().min(0).max(36_500).default(0),
      })
      .prefault({}),
  })
  .prefault({});

export type AuditConfig = z.infer<typeof auditConfigSchema>;
export type AuditConfigInput = z.input<typeof auditConfigSchema>;

/** A configured file path: relative paths are under the data dir. */
export function resolveDataPath(dataDir: string, path: string): string {
  return isAbsolute(path) ? path : join(dataDir, path);
}
