/**
 * Where the cluster's PostgreSQL is, for the audit log. The `cluster:` config section (the store's
 * `cluster.databaseUrl`) is not there yet; until it is, the environment variable every instance and CLI
 * command honours is read here, in this one place, so the swap is one line.
 */
import { WardenError } from '../core/errors.js';

/** The PostgreSQL URL of the cluster, or undefined for the single-process SQLite log. */
export function clusterDatabaseUrl(env: NodeJS.ProcessEnv): string | undefined {
  const url = env.WARDEN_DATABASE_URL?.trim();
  if (!url) return undefined;
  if (!/^postgres(ql)?:\/\//.test(url)) throw new WardenError('config_invalid', 'WARDEN_DATABASE_URL must be a postgres:// or postgresql:// URL');
  return url;
}
