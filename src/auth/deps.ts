/** What the `/auth` pages need from the rest of Warden. */
import type { IncomingMessage } from 'node:http';
import type { Identity, Logger } from '../core/index.js';
import type { DpopVerifier, TotpFactors, Passkeys, StepUps, MfaRepository } from '../mfa/index.js';
import type { BrowserSessions } from '../mfa/index.js';

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
