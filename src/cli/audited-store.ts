/**
 * Opens what a CLI command that changes security state needs: the state stores (the data directory's
 * SQLite, or PostgreSQL when a database URL is set), and a bus whose events are kept for the running Warden
 * to put in its audit log (src/events/deferred), so a change made from a terminal is audited like one made
 * through the API. Events are stored before the command returns, even when it fails (a failed code is an
 * event too).
 */
import type { LoadedConfig } from '../config/index.js';
import { type EventBus, deferringBus } from '../events/index.js';
import type { StateStores } from '../app/index.js';
import type { CliIO } from './command.js';
import { withStateStores, type configFor } from './options.js';

export interface AuditedStore {
  loaded: LoadedConfig;
  stores: StateStores;
  bus: EventBus;
}

export function withAuditedStore<T>(values: Parameters<typeof configFor>[0], io: CliIO, fn: (store: AuditedStore) => Promise<T>): Promise<T> {
  return withStateStores(values, io, async ({ loaded, stores }) => {
    const deferred = deferringBus(stores.deferredEvents);
    try {
      return await fn({ loaded, stores, bus: deferred.bus });
    } finally {
      await deferred.flush();
    }
  });
}

/** Who runs the command, for the audit trail: `cli:<login>`. */
export function cliActor(io: CliIO): string {
  return `cli:${io.env.USER ?? 'unknown'}`;
}
