/**
 * The `cluster:` section: the shared services that several Warden instances use. Without it, Warden keeps
 * its state on this machine. Each value can also be given by its environment variable, which wins over
 * the file (as every environment variable does); prefer the variable when a URL carries a password.
 */
import { z } from 'zod';
import { WardenError } from '../core/index.js';

const REDIS_URL = /^rediss?:\/\/\S+$/;

/** `nats://host:port` (or `tls://`), optionally with credentials in the URL; one server or a comma-separated list. */
export const natsUrlSchema = z
  .string()
  .max(2048)
  .regex(/^(nats|tls):\/\/[^\s,]+(,(nats|tls):\/\/[^\s,]+)*$/, 'expected nats://host:port (comma-separated for several servers)');

export const clusterConfigSchema = z
  .object({
    /** PostgreSQL for the state every instance and CLI shares (`WARDEN_DATABASE_URL` overrides it). */
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, 'expected a postgres:// URL')
      .optional(),
    /** Redis for the limit counters every instance shares (`WARDEN_REDIS_URL`); none: counters in memory. */
    redisUrl: z.string().regex(REDIS_URL, 'expected a redis:// or rediss:// URL').optional(),
    /** NATS with JetStream for events across instances and shared fast state; also `WARDEN_NATS_URL` (docs/deploy.md). */
    natsUrl: natsUrlSchema.optional(),
  })
  .prefault({});

/**
 * The Redis URL in force: `WARDEN_REDIS_URL`, else `cluster.redisUrl`. It can hold a password: never log
 * it. Returns an error message (naming the variable, not its value) when the variable is not a Redis URL.
 */
export function redisUrlOf(cluster: z.infer<typeof clusterConfigSchema>, env: NodeJS.ProcessEnv): { url?: string; problem?: string } {
  const fromEnv = env.WARDEN_REDIS_URL?.trim();
  if (!fromEnv) return cluster.redisUrl ? { url: cluster.redisUrl } : {};
  return REDIS_URL.test(fromEnv) ? { url: fromEnv } : { problem: 'WARDEN_REDIS_URL: expected a redis:// or rediss:// URL' };
}

/**
 * `WARDEN_DATABASE_URL`, the cluster's PostgreSQL as the environment gives it (it wins over
 * `cluster.databaseUrl`), or undefined when unset or blank. The one reader of the variable: the state
 * stores, the audit log and the CLI all ask here.
 */
export function clusterDatabaseUrl(env: NodeJS.ProcessEnv): string | undefined {
  const url = env.WARDEN_DATABASE_URL?.trim();
  if (!url) return undefined;
  if (!/^postgres(ql)?:\/\//.test(url)) throw new WardenError('config_invalid', 'WARDEN_DATABASE_URL must be a postgres:// or postgresql:// URL');
  return url;
}
