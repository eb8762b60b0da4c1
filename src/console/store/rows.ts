/** The console sessions' row shape, shared by both backends, and its mapping to records. */
import type { Identity } from '../../core/index.js';
import type { ConsoleRole } from '../roles.js';
import type { ConsoleSessionRecord } from './types.js';

export interface SessionRow {
  id: string;
  identity: string;
  role: string;
  csrf_token: string;
  // PostgreSQL returns BIGINT as a string.
  authenticated_at: number | string;
  mfa_at: number | string | null;
  last_seen_at: number | string;
  expires_at: number | string;
}

export const SESSION_COLUMNS = 'id, identity, role, csrf_token, authenticated_at, mfa_at, last_seen_at, expires_at';

export function sessionFromRow(row: SessionRow): ConsoleSessionRecord {
  return {
    id: row.id,
    identity: JSON.parse(row.identity) as Identity,
    role: row.role as ConsoleRole,
    csrfToken: row.csrf_token,
    authenticatedAt: Number(row.authenticated_at),
    ...(row.mfa_at === null ? {} : { mfaAt: Number(row.mfa_at) }),
    lastSeenAt: Number(row.last_seen_at),
    expiresAt: Number(row.expires_at),
  };
}

/** The values of an INSERT in `SESSION_COLUMNS` order. */
export function sessionValues(s: ConsoleSessionRecord): unknown[] {
  return [s.id, JSON.stringify(s.identity), s.role, s.csrfToken, s.authenticatedAt, s.mfaAt ?? null, s.lastSeenAt, s.expiresAt];
}
