/**
 * The web console (`/ui`): builds its sessions, sign-in, live feed and API from Warden's modules. The
 * gateway hands it `/ui` (static files) and `/ui/api` (the API); `WardenApp` builds it and closes it.
 */
import type { AuditSource } from '../audit/index.js';
import type { WardenConfig } from '../config/index.js';
import type { DecisionLog, EventBus } from '../events/index.js';
import type { AdminRoute, AssetAttributeSource, Pipeline, RiskSource } from '../gateway/index.js';
import type { ApiKeyStore, Authenticator, Directory } from '../identity/index.js';
import type { Integrity } from '../integrity/index.js';
import type { TotpFactors } from '../mfa/index.js';
import type { PolicyManager } from '../policy/index.js';
import type { RiskEngine } from '../risk/index.js';
import type { ResponseRepository } from '../response/index.js';
import { ConsoleApi } from './api.js';
import { AuditVerification } from './audit-verification.js';
import { DecisionExplainer } from './explain.js';
import { LiveFeed } from './live.js';
import { OidcSignIn } from './oidc.js';
import { consoleOwnRoutes } from './own-routes.js';
import { configuredAttributes } from './replay.js';
import { mountAdminRoutes } from './routes.js';
import { FreshMfa } from './session/fresh-mfa.js';
import { ConsoleSessions } from './session/store.js';
import type { ConsoleSessionRepository } from './store/types.js';
import { keyStillValid, SignIn } from './sign-in.js';
import { ConsoleStatic, defaultWebDir } from './static.js';

export { consoleConfigSchema, type ConsoleConfig } from './config.js';
export { ConsoleApi } from './api.js';
export { ConsoleStatic } from './static.js';

export interface ConsoleDeps {
  config: WardenConfig;
  pipeline: Pipeline;
  authenticator: Authenticator;
  bus: EventBus;
  instanceId: string;
  adminRoutes: readonly AdminRoute[];
  /** The decision table's writer; its repository is read for lists and aggregates. */
  decisions: DecisionLog;
  policies: PolicyManager;
  directory: Directory;
  apiKeys: ApiKeyStore;
  risk: RiskSource;
  engine: RiskEngine;
  assets: AssetAttributeSource;
  integrity: Integrity;
  /** Where console sessions are kept (src/app/state-stores.ts): shared by the instances of a cluster. */
  sessions: ConsoleSessionRepository;
  /** Either log: the single-process one, or the cluster's (with `databaseUrl`, which verification reads). */
  audit: AuditSource;
  databaseUrl?: string | undefined;
  /** The step-up module's TOTP factors: with them, admin actions need fresh MFA (absent: `mfa.enabled: false`). */
  totp?: Pick<TotpFactors, 'verify' | 'verifyRecoveryCode'>;
  /** The response module's incidents, for the overview's figures. */
  incidents?: Pick<ResponseRepository, 'listIncidents'>;
  /** For `console.oidc.clientSecret` references (`env:NAME`). */
  env?: NodeJS.ProcessEnv;
  /** Where the built web app is; default `dist/web`. */
  webDir?: string;
}

export interface Console {
  api: ConsoleApi;
  files: ConsoleStatic;
  close(): void;
}

export function createConsole(deps: ConsoleDeps): Console {
  const c = deps.config.console;
  const sessions = new ConsoleSessions(deps.sessions, { ttlMs: c.sessionTtlMinutes * 60_000, idleMs: c.idleTimeoutMinutes * 60_000, max: c.maxSessions }, (session, now) => keyStillValid(deps.apiKeys, session, now));
  const freshMfa = deps.totp ? new FreshMfa({ totp: deps.totp, sessions, bus: deps.bus, instanceId: deps.instanceId, freshMs: c.adminMfaMinutes * 60_000 }) : undefined;
  const signIn = new SignIn({ authenticator: deps.authenticator, sessions, bus: deps.bus, instanceId: deps.instanceId, ttlSeconds: c.sessionTtlMinutes * 60, ...(freshMfa ? { freshMfa } : {}) });
  const live = new LiveFeed(deps.bus, sessions);
  const stats = deps.decisions.repo;
  const explainer = new DecisionExplainer({ decisions: deps.decisions, policies: deps.policies, risk: deps.risk, engine: deps.engine });
  const verification = new AuditVerification({ dataDir: deps.config.dataDir, origin: deps.config.audit.origin, signingKeyFile: deps.config.audit.signingKeyFile, databaseUrl: deps.databaseUrl }, () => deps.audit.size());
  const own = consoleOwnRoutes({ ...deps, stats, explainer, verification, configured: configuredAttributes(deps.config) });
  const oidc = c.oidc ? new OidcSignIn({ config: c.oidc, directory: deps.directory, sessions, bus: deps.bus, instanceId: deps.instanceId, ttlSeconds: c.sessionTtlMinutes * 60, env: deps.env ?? process.env }) : undefined;
  const api = new ConsoleApi({ pipeline: deps.pipeline, sessions, signIn, live, explainer, ...(oidc ? { oidc } : {}), ...(freshMfa ? { freshMfa } : {}), routes: [...own, ...mountAdminRoutes(deps.adminRoutes)], maxBodyBytes: deps.config.server.maxBodyBytes });
  return { api, files: new ConsoleStatic(deps.webDir ?? defaultWebDir()), close: () => live.close() };
}
export { PostgresConsoleSessionRepository } from './store/postgres.js';
export { SqliteConsoleSessionRepository } from './store/sqlite.js';
export type { ConsoleSessionRepository } from './store/types.js';
