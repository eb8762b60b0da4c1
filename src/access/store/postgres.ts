/** Just-in-time elevation's repository on PostgreSQL (clustered deployments): the SQLite SQL, `$n` parameters. */
import { applyPgMigrations, withTransaction, type PgPool } from '../../store/index.js';
import { ACCESS_MODULE, PG_MIGRATIONS } from './migrations.js';
import { afterApproval, expiredEntry, historyFromRow, historyValues, requestFromRow, requestValues, type HistoryRow, type RequestRow } from './rows.js';
import type { AccessFilter, AccessRepository, AccessRequestRecord, AccessStatus, ApproveResult, HistoryEntry, StoredHistoryEntry } from './types.js';

const INSERT_HISTORY = 'INSERT INTO access_history (request_id, at, kind, actor, details) VALUES ($1,$2,$3,$4,$5)';

export class PostgresAccessRepository implements AccessRepository {
  private constructor(private readonly pool: PgPool) {}

  static async open(pool: PgPool): Promise<PostgresAccessRepository> {
    await applyPgMigrations(pool, ACCESS_MODULE, PG_MIGRATIONS);
    return new PostgresAccessRepository(pool);
  }

  async addRequest(request: AccessRequestRecord, entry: HistoryEntry): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await client.query('INSERT INTO access_requests VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)', requestValues(request));
      await client.query(INSERT_HISTORY, historyValues(entry));
    });
  }

  async getRequest(id: string): Promise<AccessRequestRecord | undefined> {
    const { rows } = await this.pool.query<RequestRow>('SELECT * FROM access_requests WHERE id = $1', [id]);
    return rows[0] && requestFromRow(rows[0]);
  }

  async listRequests(filter: AccessFilter): Promise<AccessRequestRecord[]> {
    const { rows } = await this.pool.query<RequestRow>(
      'SELECT * FROM access_requests WHERE ($1::text IS NULL OR principal = $1) AND ($2::text IS NULL OR status = $2) ORDER BY created_at DESC, id DESC LIMIT $3',
      [filter.principal ?? null, filter.status ?? null, filter.limit],
    );
    return rows.map(requestFromRow);
  }

  async approve(id: string, approver: string, at: string, details: Record<string, unknown>): Promise<ApproveResult> {
    return withTransaction(this.pool, async (client): Promise<ApproveResult> => {
      // FOR UPDATE: two approvers at once on two instances are serialised on the request's row.
      const { rows } = await client.query<RequestRow>('SELECT * FROM access_requests WHERE id = $1 FOR UPDATE', [id]);
      const request = rows[0] && requestFromRow(rows[0]);
      if (!request || request.status !== 'pending' || request.pendingUntil <= at) return { outcome: 'not_pending' };
      if (request.approvers.includes(approver)) return { outcome: 'duplicate' };
      const next = afterApproval(request, approver, at);
      await client.query('UPDATE access_requests SET approvers = $1, status = $2, active_from = $3, active_until = $4 WHERE id = $5', [JSON.stringify(next.approvers), next.status, next.activeFrom, next.activeUntil, id]);
      await client.query(INSERT_HISTORY, historyValues({ requestId: id, at, kind: 'approved', actor: approver, details }));
      if (next.status !== 'active') return { outcome: 'recorded', request: next };
      await client.query(INSERT_HISTORY, historyValues({ requestId: id, at, kind: 'activated', actor: approver, details: { until: next.activeUntil, approvers: next.approvers } }));
      return { outcome: 'activated', request: next };
    });
  }

  async end(id: string, from: readonly AccessStatus[], to: 'denied' | 'revoked', actor: string, at: string, details: Record<string, unknown>): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      const result = await client.query('UPDATE access_requests SET status = $1, ended_at = $2, ended_by = $3 WHERE id = $4 AND status = ANY($5::text[])', [to, at, actor, id, [...from]]);
      if (result.rowCount !== 1) return false;
      await client.query(INSERT_HISTORY, historyValues({ requestId: id, at, kind: to, actor, details }));
      return true;
    });
  }

  async expireDue(at: string): Promise<AccessRequestRecord[]> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<RequestRow>(
        "UPDATE access_requests SET status = 'expired', ended_at = $1, ended_by = 'warden' WHERE (status = 'active' AND active_until <= $1) OR (status = 'pending' AND pending_until <= $1) RETURNING *",
        [at],
      );
      const expired = rows.map(requestFromRow);
      for (const r of expired) await client.query(INSERT_HISTORY, historyValues(expiredEntry(r, at)));
      return expired;
    });
  }

  async active(at: string): Promise<AccessRequestRecord[]> {
    const { rows } = await this.pool.query<RequestRow>("SELECT * FROM access_requests WHERE status = 'active' AND active_until > $1 ORDER BY active_until", [at]);
    return rows.map(requestFromRow);
  }

  async addHistory(entry: HistoryEntry): Promise<void> {
    await this.pool.query(INSERT_HISTORY, historyValues(entry));
  }

  async history(requestId: string): Promise<StoredHistoryEntry[]> {
    const { rows } = await this.pool.query<HistoryRow>('SELECT * FROM access_history WHERE request_id = $1 ORDER BY seq', [requestId]);
    return rows.map(historyFromRow);
  }
}
