/**
 * Just-in-time elevation (issue 14 item 3): access requests for configured roles, approved by others,
 * held for a window, visible to Cedar (`principal.roles`, `context.elevation`) and kept in a history.
 * The repository is chosen with the other state stores (src/app/state-stores.ts).
 */
import type { Mfa } from '../mfa/index.js';
import type { ApproverFactors } from './requests.js';

export { accessConfigSchema, type AccessConfig, type AccessRoleConfig } from './config.js';
export { AccessRequests, type AccessOptions, type Actor, type Approver, type ApproverFactors } from './requests.js';
export { accessAdminRoutes } from './admin-routes.js';
export { parseDuration } from './duration.js';
export { SqliteAccessRepository } from './store/sqlite.js';
export { PostgresAccessRepository } from './store/postgres.js';
export type { AccessRepository, AccessRequestRecord, AccessStatus, StoredHistoryEntry } from './store/types.js';

/** Approvers verify with their step-up factors (src/mfa); without the module, nobody has one enrolled. */
export function approverFactors(mfa: Mfa | undefined): ApproverFactors {
  return {
    enrolled: async (principal) => mfa !== undefined && (await mfa.repo.listFactors(principal)).some((f) => f.confirmedAt !== null),
    verify: async (principal, code) => {
      if (!mfa) throw new Error('no factor module');
      const trimmed = code.trim();
      return /^\d{6}$/.test(trimmed) ? mfa.totp.verify(principal, trimmed) : mfa.totp.verifyRecoveryCode(principal, trimmed);
    },
  };
}
