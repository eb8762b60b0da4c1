/** Just-in-time elevation's repository on the embedded SQLite store. */
import { applyMigrations, type SqliteDatabase } from '../../store/index.js';
import { ACCESS_MODULE, SQLITE_MIGRATIONS } from './migrations.js';
import { afterApproval, expiredEntry, historyFromRow, historyValues, requestFromRow, requestValues, type HistoryRow, type RequestRow } from './rows.js';
import type { AccessFilter, AccessRepository, AccessRequestRecord, AccessStatus, ApproveResult, HistoryEntry, StoredHistoryEntry } from './types.js';

const INSERT_HISTORY = 'INSERT INTO access_history (request_id, at, kind, actor, details) VALUES (?,?,?,?,?)';

export class SqliteAccessRepository implements AccessRepository {
  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, ACCESS_MODULE, SQLITE_MIGRATIONS);
  }

  async addRequest(request: AccessRequestRecord, entry: HistoryEntry): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO access_requests VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)').run(...requestValues(request));
      this.db.prepare(INSERT_HISTORY).run(...historyValues(entry));
    })();
  }

  async getRequest(id: string): Promise<AccessRequestRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM access_requests WHERE id = ?').get(id) as RequestRow | undefined;
    return row && requestFromRow(row);
  }

  async listRequests(filter: AccessFilter): Promise<AccessRequestRecord[]> {
    const rows = this.db
      .prepare('SELECT * FROM access_requests WHERE (? IS NULL OR principal = ?) AND (? IS NULL OR status = ?) ORDER BY created_at DESC, id DESC LIMIT ?')
      .all(filter.principal ?? null, filter.principal ?? null, filter.status ?? null, filter.status ?? null, filter.limit) as RequestRow[];
    return rows.map(requestFromRow);
  }

  async approve(id: string, approver: string, at: string, details: Record<string, unknown>): Promise<ApproveResult> {
    // IMMEDIATE: the read and the write are one step for every other writer of the file (another process).
    return this.db
      .transaction((): ApproveResult => {
        const row = this.db.prepare('SELECT * FROM access_requests WHERE id = ?').get(id) as RequestRow | undefined;
        const request = row && requestFromRow(row);
        if (!request || request.status !== 'pending' || request.pendingUntil <= at) return { outcome: 'not_pending' };
        if (request.approvers.includes(approver)) return { outcome: 'duplicate' };
        const next = afterApproval(request, approver, at);
        this.db.prepare('UPDATE access_requests SET approvers = ?, status = ?, active_from = ?, active_until = ? WHERE id = ?').run(JSON.stringify(next.approvers), next.status, next.activeFrom, next.activeUntil, id);
        this.db.prepare(INSERT_HISTORY).run(...historyValues({ requestId: id, at, kind: 'approved', actor: approver, details }));
        if (next.status !== 'active') return { outcome: 'recorded', request: next };
        this.db.prepare(INSERT_HISTORY).run(...historyValues({ requestId: id, at, kind: 'activated', actor: approver, details: { until: next.activeUntil, approvers: next.approvers } }));
        return { outcome: 'activated', request: next };
      })
      .immediate();
  }

  async end(id: string, from: readonly AccessStatus[], to: 'denied' | 'revoked', actor: string, at: string, details: Record<string, unknown>): Promise<boolean> {
    return this.db.transaction(() => {
      const placeholders = from.map(() => '?').join(',');
      const changed = this.db.prepare(`UPDATE access_requests SET status = ?, ended_at = ?, ended_by = ? WHERE id = ? AND status IN (${placeholders})`).run(to, at, actor, id, ...from).changes === 1;
      if (changed) this.db.prepare(INSERT_HISTORY).run(...historyValues({ requestId: id, at, kind: to, actor, details }));
      return changed;
    })();
  }

  async expireDue(at: string): Promise<AccessRequestRecord[]> {
    return this.db.transaction(() => {
      const rows = this.db
        .prepare(
          "UPDATE access_requests SET status = 'expired', ended_at = ?, ended_by = 'warden' WHERE (status = 'active' AND active_until <= ?) OR (status = 'pending' AND pending_until <= ?) RETURNING *",
        )
        .all(at, at, at) as RequestRow[];
      const expired = rows.map(requestFromRow);
      for (const r of expired) this.db.prepare(INSERT_HISTORY).run(...historyValues(expiredEntry(r, at)));
      return expired;
    })();
  }

  async active(at: string): Promise<AccessRequestRecord[]> {
    return (this.db.prepare("SELECT * FROM access_requests WHERE status = 'active' AND active_until > ? ORDER BY active_until").all(at) as RequestRow[]).map(requestFromRow);
  }

  async addHistory(entry: HistoryEntry): Promise<void> {
    this.db.prepare(INSERT_HISTORY).run(...historyValues(entry));
  }

  async history(requestId: string): Promise<StoredHistoryEntry[]> {
    return (this.db.prepare('SELECT * FROM access_history WHERE request_id = ? ORDER BY seq').all(requestId) as HistoryRow[]).map(historyFromRow);
  }
}
