/**
 * Shared plumbing of the integrity CLI commands: the data directory and `integrity:` settings, found as every
 * command finds them (`--data-dir` / `--config`, then WARDEN_DATA_DIR / WARDEN_CONFIG, then the config
 * file, then `.warden`), the acting principal (`--actor`, default the OS user) and its roles (`--role`, repeatable).
 * The CLI opens the store directly (the cluster database when one is configured, as `warden start` does), so
 * whoever runs it is an administrator of that store; the admin API is where identities are authenticated.
 */
import { userInfo } from 'node:os';
import type { CliIO } from './command.js';
import { withStateStores } from './options.js';
import { createIntegrity, type Actor, type Integrity } from '../integrity/index.js';
import { errorBody } from '../core/index.js';

export const COMMON_OPTIONS = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export const ACTOR_OPTIONS = {
  actor: { type: 'string' },
  role: { type: 'string', multiple: true },
} as const;

/** Runs `fn` over the registry `warden start` uses: the cluster database when one is configured, else the data directory's. */
export async function withIntegrity<T>(io: CliIO, values: { 'data-dir'?: string; config?: string }, fn: (integrity: Integrity) => Promise<T>): Promise<T> {
  return withStateStores(values, io, async ({ loaded, stores }) => {
    const integrity = await createIntegrity({ repo: stores.integrity, config: loaded.config.integrity });
    try {
      return await fn(integrity);
    } finally {
      await integrity.close();
    }
  });
}

export function actorFrom(values: { actor?: string; role?: string[] }): Actor {
  let id = values.actor;
  if (!id) {
    try {
      id = userInfo().username;
    } catch {
      // No user name from the OS (a uid without a passwd entry, in containers): the record still says who is unknown.
      id = 'unknown';
    }
  }
  return { id, type: 'User', roles: values.role ?? [] };
}

/** A WardenError becomes `warden NAME: message` and exit code 1; anything else propagates. */
export function reportError(io: CliIO, name: string, error: unknown): number {
  const { body } = errorBody(error);
  if (body.error.code === 'internal') throw error;
  io.stderr.write(`warden ${name}: ${body.error.message}\n`);
  return 1;
}

export function json(io: CliIO, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
