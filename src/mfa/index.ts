/**
 * The step-up module (issue 14): factors (TOTP, passkeys), step-up challenges, API-key elevation, DPoP-
 * bound session tokens. `createMfa` builds it on the repository `openStateStores` chose (SQLite, or
 * PostgreSQL in a cluster); the app mounts its pages
 * (src/auth) and admin routes, and hands the authenticator its session and elevation checks.
 */
import { isAbsolute, join } from 'node:path';
import type { WardenConfig } from '../config/index.js';
import type { Logger } from '../core/index.js';
import { loadKeyring } from '../audit/index.js';
import type { EventBus } from '../events/index.js';
import type { Directory } from '../identity/index.js';
import { BrowserSessions } from './browser-session.js';
import { DpopVerifier } from './dpop.js';
import { TotpFactors } from './factors.js';
import { Passkeys, type RelyingParty } from './passkeys.js';
import { SecretBox } from './secret-box.js';
import { SessionAuthenticator } from './session-auth.js';
import { SessionTokens } from './session-token.js';
import type { StepUpState } from './shared-state.js';
import { StepUps } from './step-ups.js';
import type { MfaRepository } from './store/types.js';

export interface Mfa {
  repo: MfaRepository;
  totp: TotpFactors;
  passkeys: Passkeys;
  stepUps: StepUps;
  tokens: SessionTokens;
  dpop: DpopVerifier;
  sessionAuth: SessionAuthenticator;
  browserSessions: BrowserSessions;
  /** The relying party: filled in by `setPublicUrl` once the listener's address is known. */
  rp: RelyingParty;
  /** Where users reach Warden; also the WebAuthn origin and relying-party id (unless configured). */
  setPublicUrl(url: string): void;
}

export interface MfaOptions {
  config: WardenConfig;
  /** `StateStores.mfa`: the instance's SQLite database, or the cluster's PostgreSQL. */
  repo: MfaRepository;
  bus: EventBus;
  logger: Logger;
  directory: Directory;
  env: NodeJS.ProcessEnv;
  instanceId: string;
  /** The lock-out and DPoP replay cache: `openStepUpState` (in Redis when the cluster has one). */
  state: StepUpState;
}

export function createMfa({ config, repo, bus, logger, directory, env, instanceId, state }: MfaOptions): Mfa {
  const mfa = config.mfa;
  const encryption = config.audit.encryption;
  // The audit log's key-encryption keys protect factor secrets too (created with mode 0600 if missing).
  const keyring = loadKeyring(isAbsolute(encryption.kekFile) ? encryption.kekFile : join(config.dataDir, encryption.kekFile), env[encryption.kekEnv]);
  const totp = new TotpFactors({ repo, box: new SecretBox(keyring), lockout: state.lockout, bus, instanceId, issuer: mfa.issuer });
  const rp: RelyingParty = { name: mfa.issuer, id: mfa.rpId, origin: '' };
  const tokens = new SessionTokens(keyring.current.key, mfa.sessionTokenTtlSeconds);
  const dpop = new DpopVerifier(state.replay, mfa.dpopSkewSeconds);
  let publicUrl = mfa.publicUrl.replace(/\/$/, '');
  const stepUps = new StepUps({ repo, tokens, bus, logger, instanceId, publicUrl: () => publicUrl, challengeTtlSeconds: mfa.challengeTtlSeconds, apiKeyElevationSeconds: mfa.apiKeyElevationSeconds, sessionTokenTtlSeconds: mfa.sessionTokenTtlSeconds });
  const secure = publicUrl.startsWith('https:');
  return {
    repo,
    totp,
    passkeys: new Passkeys(repo, rp, totp),
    stepUps,
    tokens,
    dpop,
    sessionAuth: new SessionAuthenticator(tokens, dpop, directory),
    browserSessions: new BrowserSessions(keyring.current.key, mfa.browserSessionSeconds, secure),
    rp,
    setPublicUrl(url: string) {
      publicUrl = (mfa.publicUrl || url).replace(/\/$/, '');
      const parsed = new URL(publicUrl);
      rp.origin = parsed.origin;
      rp.id = mfa.rpId || parsed.hostname;
    },
  };
}

export { mfaConfigSchema, type MfaConfig } from './config.js';
export { openStepUpState } from './shared-state.js';
export { issueEnrolLink } from './enrol-links.js';
export { mfaAdminRoutes } from './admin-routes.js';
export { DpopVerifier } from './dpop.js';
export { enrolLinkHash } from './enrol-links.js';
export { TotpFactors } from './factors.js';
export { Passkeys } from './passkeys.js';
export { SessionAuthenticator } from './session-auth.js';
export type { Binding } from './session-token.js';
export { personOf, StepUps } from './step-ups.js';
export { PostgresMfaRepository } from './store/postgres.js';
export { SqliteMfaRepository } from './store/sqlite.js';
export type { ChallengeRecord, FactorRecord, MfaRepository } from './store/types.js';
export { BrowserSessions } from './browser-session.js';
export type { BrowserSession } from './browser-session.js';
