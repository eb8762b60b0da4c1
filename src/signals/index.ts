/**
 * Shared Signals and device posture (issue 14): the CAEP/RISC receiver, the transmitter, signed device
 * posture and MDM/EDR webhooks. `createSignals` builds it on the state store; the app mounts its
 * routes and admin routes, and the pipeline applies `state` to every authenticated identity.
 */
import type { WardenConfig } from '../config/index.js';
import type { Logger } from '../core/index.js';
import type { EventBus } from '../events/index.js';
import type { Directory } from '../identity/index.js';
import type { AdminRoute } from '../gateway/index.js';
import type { CredentialStore, StreamCutter } from '../response/index.js';
import { signalsAdminRoutes } from './admin-routes.js';
import { PostureReports } from './devices/reports.js';
import { PostureWebhooks } from './devices/webhooks.js';
import { SignalEffects } from './effects.js';
import { SetReceiver } from './receiver.js';
import { SignalRoutes, SSF_JWKS } from './routes.js';
import { loadSigningKey } from './signing-key.js';
import { SignalState } from './state.js';
import type { SignalsRepository } from './store/types.js';
import { Transmitter } from './transmitter.js';

export interface Signals {
  repo: SignalsRepository;
  state: SignalState;
  routes: SignalRoutes;
  adminRoutes: AdminRoute[];
  transmitter: Transmitter | undefined;
  /** Where receivers reach Warden (the SETs' default `iss`, the JWKS URL): set once the listener is up. */
  setPublicUrl(url: string): void;
  /** Reloads what other instances and the CLI stored, and forgets expired SET ids. */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export interface SignalsOptions {
  config: WardenConfig;
  /** SQLite in the data directory, or PostgreSQL with a cluster database (`openStateStores`). */
  repo: SignalsRepository;
  bus: EventBus;
  logger: Logger;
  directory: Directory;
  env: NodeJS.ProcessEnv;
  instanceId: string;
  credentials: CredentialStore;
  streams?: StreamCutter;
  resolvePath(path: string): string;
}

export async function createSignals(options: SignalsOptions): Promise<Signals> {
  const { config, bus, logger, directory, env, instanceId } = options;
  const signals = config.signals;
  const repo = options.repo;
  const postureMaxAgeMs = signals.posture.maxAgeSeconds * 1000;
  const state = new SignalState(repo, postureMaxAgeMs);
  await state.reload();
  const sink = { repo, state, bus, instanceId };
  const effects = new SignalEffects({ repo, state, directory, bus, instanceId, credentials: options.credentials, ...(options.streams ? { streams: options.streams } : {}) });
  const receiver = signals.receiver.enabled
    ? new SetReceiver({ config: signals.receiver, repo, directory, resolvePath: options.resolvePath, onJwksFileError: (path, error) => logger.error({ path, err: error }, 'a transmitter JWKS file could not be reloaded; the last good keys stay in use') })
    : undefined;
  let publicUrl = '';
  const issuer = (): string => signals.transmitter.issuer || publicUrl;
  const key = signals.transmitter.enabled ? await loadSigningKey(signals.transmitter.signingKey!, env) : undefined;
  const transmitter = key ? new Transmitter({ config: signals.transmitter, key, repo, directory, env, issuer, logger }) : undefined;
  if (transmitter) transmitter.start(bus);
  const routes = new SignalRoutes({
    ...(receiver ? { receiver } : {}),
    effects,
    reports: new PostureReports({ ...sink, maxAgeSeconds: signals.posture.maxAgeSeconds, clockSkewSeconds: signals.posture.clockSkewSeconds }),
    webhooks: new PostureWebhooks({ ...sink, webhooks: signals.posture.webhooks, env, clockSkewSeconds: signals.posture.clockSkewSeconds }),
    ...(key
      ? {
          transmitter: {
            jwks: key.jwks,
            // SSF 1.0 section 7.1: the transmitter's configuration metadata (push delivery only).
            metadata: () => ({ spec_version: '1_0', issuer: issuer(), jwks_uri: `${publicUrl}${SSF_JWKS}`, delivery_methods_supported: ['urn:ietf:rfc:8935'], authorization_schemes: [] }),
          },
        }
      : {}),
    logger,
  });
  return {
    repo,
    state,
    routes,
    adminRoutes: signalsAdminRoutes({ repo, state, directory, bus, instanceId, postureMaxAgeMs }),
    transmitter,
    setPublicUrl(url: string) {
      publicUrl = url.replace(/\/$/, '');
    },
    async refresh() {
      await state.reload();
      await repo.pruneJtis(new Date().toISOString());
    },
    async close() {
      receiver?.close();
      await transmitter?.stop();
    },
  };
}

export { signalsConfigSchema, type SignalsConfig } from './config.js';
export { isSignalPath } from './routes.js';
export { PostgresSignalsRepository } from './store/postgres.js';
export { SqliteSignalsRepository } from './store/sqlite.js';
export type { SignalsRepository } from './store/types.js';
