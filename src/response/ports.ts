/** What the response engine needs from other modules, as narrow interfaces (wired in src/app/warden.ts). */
import type { EntityRef } from '../core/index.js';

/** The API key operations revoke_credentials needs (public methods of the identity module's key store). */
export interface CredentialStore {
  list(principal: string): Promise<{ id: string; revokedAt?: string | null }[]>;
  revoke(id: string): Promise<boolean>;
}

export interface StreamCutter {
  /** Ends every request in flight for the principal; returns how many. */
  cut(principal: EntityRef): number;
}

export interface RiskForgiver {
  /** Removes the principal's risk contribution from these detectors up to `until` (epoch ms). */
  forgive(principal: EntityRef, detectors: readonly string[], until: number): number;
}
