/** What the `/auth` pages need from the rest of Warden. */
import type { IncomingMessage } from 'node:http';
import type { Identity } from '../core/types.js';
import type { Logger } from '../core/logger.js';
import type { DpopVerifier } from '../mfa/dpop.js';
import type { TotpFactors } from '../mfa/factors.js';
import type { Passkeys } from '../mfa/passkeys.js';
import type { StepUps } from '../mfa/step-ups.js';
import type { MfaRepository } from '../mfa/store/types.js';
import type { BrowserSessions } from './browser-session.js';

export interface AuthDeps {
  repo: MfaRepository;
  sessions: BrowserSessions;
  totp: TotpFactors;
  passkeys: Passkeys;
  stepUps: StepUps;
  dpop: DpopVerifier;
  /** Authenticates an API call (the token endpoint) with the caller's usual credential. */
  authenticate(req: IncomingMessage): Promise<Identity>;
  /** Origins Warden is reached at: a browser's `Origin` and a DPoP proof's `htu` must be one of them. */
  origins: readonly string[];
  logger: Logger;
}
