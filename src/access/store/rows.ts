/** Row shapes shared by both backends (same column names) and their mapping to records. */
import type { AccessRequestRecord, AccessStatus, HistoryEntry, HistoryKind, StoredHistoryEntry } from './types.js';

export interface RequestRow {
  id: string;
  principal: string;
  role: string;
  reason: string;
  duration_seconds: number | string;
  approvals_required: number | string;
  status: string;
  created_at: string;
  pending_until: string;
  active_from: string | null;
  active_until: string | null;
  ended_at: string | null;
  ended_by: string | null;
  approvers: string;
}

export function requestFromRow(row: RequestRow): AccessRequestRecord {
  return {
    id: row.id,
    principal: row.principal,
    role: row.role,
    reason: row.reason,
    durationSeconds: Number(row.duration_seconds),
    approvalsRequired: Number(row.approvals_required),
    status: row.status as AccessStatus,
    createdAt: row.created_at,
    pendingUntil: row.pending_until,
    activeFrom: row.active_from,
    activeUntil: row.active_until,
    endedAt: row.ended_at,
    endedBy: row.ended_by,
    approvers: JSON.parse(row.approvers) as string[],
  };
}

/** The values of an INSERT INTO access_requests, in column order. */
export function requestValues(r: AccessRequestRecord): unknown[] {
  return [r.id, r.principal, r.role, r.reason, r.durationSeconds, r.approvalsRequired, r.status, r.createdAt, r.pendingUntil, r.activeFrom, r.activeUntil, r.endedAt, r.endedBy, JSON.stringify(r.approvers)];
}

export interface HistoryRow {
  seq: number | string;
  request_id: string;
  at: string;
  kind: string;
  actor: string;
  details: string;
}

export function historyFromRow(row: HistoryRow): StoredHistoryEntry {
  return { seq: Number(row.seq), requestId: row.request_id, at: row.at, kind: row.kind as HistoryKind, actor: row.actor, details: JSON.parse(row.details) as Record<string, unknown> };
}

export function historyValues(e: HistoryEntry): unknown[] {
  return [e.requestId, e.at, e.kind, e.actor, JSON.stringify(e.details)];
}

/** Where an approval leaves a request: its new approvers, and the window when it is the last one needed. */
export function afterApproval(request: AccessRequestRecord, approver: string, at: string): AccessRequestRecord {
  const approvers = [...request.approvers, approver];
  if (approvers.length < request.approvalsRequired) return { ...request, approvers };
  const until = new Date(Date.parse(at) + request.durationSeconds * 1000).toISOString();
  return { ...request, approvers, status: 'active', activeFrom: at, activeUntil: until };
}

/** The history entry of an expiry: a window that ran out, or a request nobody approved in time. */
export function expiredEntry(r: AccessRequestRecord, at: string): HistoryEntry {
  return { requestId: r.id, at, kind: 'expired', actor: 'warden', details: r.activeFrom === null ? { lapsed: 'no approval in time' } : { until: r.activeUntil } };
}
