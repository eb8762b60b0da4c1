/**
 * Just-in-time elevation's persistence (storage convention): requests, their approvals, and the history
 * of each (requested, approved, activated, denied, used, revoked, expired), kept after the window ends so
 * it stays queryable. SQLite and PostgreSQL pass one conformance suite (test/access/repository.test.ts).
 * Every state change is one conditional write (or one transaction), so two instances or a CLI and a
 * server cannot both win the same race (two approvals activating twice, a revoke and an expiry).
 */

export type AccessStatus = 'pending' | 'active' | 'denied' | 'revoked' | 'expired';

export interface AccessRequestRecord {
  id: string;
  principal: string;
  role: string;
  reason: string;
  /** The window asked for, in seconds, starting when the last approval arrives. */
  durationSeconds: number;
  approvalsRequired: number;
  status: AccessStatus;
  createdAt: string;
  /** A pending request lapses (becomes `expired`) at this time. */
  pendingUntil: string;
  /** Set when it became active. */
  activeFrom: string | null;
  activeUntil: string | null;
  /** When it left `pending`/`active`, and who did it (`warden` for an expiry). */
  endedAt: string | null;
  endedBy: string | null;
  /** The distinct approvers so far, in order. */
  approvers: string[];
}

export type HistoryKind = 'requested' | 'approved' | 'activated' | 'denied' | 'used' | 'revoked' | 'expired';

export interface HistoryEntry {
  requestId: string;
  at: string;
  kind: HistoryKind;
  actor: string;
  details: Record<string, unknown>;
}

export interface StoredHistoryEntry extends HistoryEntry {
  seq: number;
}

export interface AccessFilter {
  principal?: string;
  status?: AccessStatus;
  limit: number;
}

export type ApproveResult = { outcome: 'recorded' | 'activated'; request: AccessRequestRecord } | { outcome: 'duplicate' } | { outcome: 'not_pending' };

export interface AccessRepository {
  /** Stores a new pending request with its `requested` history entry. */
  addRequest(request: AccessRequestRecord, entry: HistoryEntry): Promise<void>;
  getRequest(id: string): Promise<AccessRequestRecord | undefined>;
  /** Newest first. */
  listRequests(filter: AccessFilter): Promise<AccessRequestRecord[]>;
  /**
   * Records `approver`'s approval of a pending, unlapsed request (once per approver); when it is the last
   * one needed the request becomes active from `at` for its duration. One transaction.
   */
  approve(id: string, approver: string, at: string, details: Record<string, unknown>): Promise<ApproveResult>;
  /** Ends a request in `from` states (deny: pending; revoke: pending or active); false when it was not in one. */
  end(id: string, from: readonly AccessStatus[], to: 'denied' | 'revoked', actor: string, at: string, details: Record<string, unknown>): Promise<boolean>;
  /** Marks active requests past their window and pending ones past their wait as expired; returns them. */
  expireDue(at: string): Promise<AccessRequestRecord[]>;
  /** Requests active at `at` (loaded into memory every second). */
  active(at: string): Promise<AccessRequestRecord[]>;
  addHistory(entry: HistoryEntry): Promise<void>;
  /** One request's history, oldest first. */
  history(requestId: string): Promise<StoredHistoryEntry[]>;
}
