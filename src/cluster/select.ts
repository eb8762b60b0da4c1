/**
 * Which event bus and shared state an instance runs: NATS when `WARDEN_NATS_URL` or `cluster.natsUrl` is
 * set (the environment wins, like every `WARDEN_*` variable), else the in-process ones exactly as a single
 * instance always ran.
 */
import type { WardenConfig } from '../config/index.js';
import { ConfigError } from '../core/index.js';
import { natsUrlSchema } from './config.js';

export function natsUrlFrom(config: WardenConfig, env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = env.WARDEN_NATS_URL;
  if (fromEnv === undefined || fromEnv === '') return config.cluster.natsUrl;
  const parsed = natsUrlSchema.safeParse(fromEnv);
  if (!parsed.success) throw new ConfigError(`WARDEN_NATS_URL: ${parsed.error.issues[0]!.message}`, [{ path: 'cluster.natsUrl', message: parsed.error.issues[0]!.message }]);
  return parsed.data;
}
