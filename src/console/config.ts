/** The `console:` configuration section: the web console at `/ui` and its sessions. */
import { z } from 'zod';

export const consoleConfigSchema = z
  .object({
    /** Serve the console at `/ui` (its API at `/ui/api`). */
    enabled: z.boolean().default(true),
    /** A session ends this long after sign-in, whatever its use. */
    sessionTtlMinutes: z.number().int().min(1).max(24 * 60).default(8 * 60),
    /** A session ends after this long without a request. */
    idleTimeoutMinutes: z.number().int().min(1).max(24 * 60).default(30),
    /** At most this many sessions at once; the oldest is ended beyond it. */
    maxSessions: z.number().int().min(1).max(100_000).default(1000),
    /** Admin actions need a factor verified on the session this recently (when `mfa.enabled`). */
    adminMfaMinutes: z.number().int().min(1).max(24 * 60).default(10),
  })
  .prefault({});

export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;
