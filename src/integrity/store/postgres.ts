/**
 * The integrity registry in the shared PostgreSQL database: every instance and every CLI command of the
 * cluster sees the same assets, change requests and lineage. Decisions and applications are conditional
 * single-statement updates (PostgreSQL re-checks the condition after waiting for a concurrent writer's row
 * lock, so of two instances approving at once exactly one succeeds); a lineage edge is checked and inserted
 * under a transaction-scoped advisory lock, since a cycle check reads paths that no row lock can cover.
 */
import { applyPgMigrations, withTransaction, type PgClient, type PgPool } from '../../store/index.js';
import type { Asset, ChangeRequest, LineageEdge } from '../registry/types.js';
import { INTEGRITY_CHANNEL, INTEGRITY_MODULE, PG_MIGRATIONS } from './migrations.js';
import {
  ASSET_COLUMNS,
  assetFromRow,
  changeFromRow,
  edgeFromRow,
  evidenceFrom,
  stateAssignments,
  type AssetEvidence,
  type AssetRow,
  type AssetState,
  type AssetWatch,
  type ChangeDecision,
  type ChangeFilter,
  type ChangeRow,
  type EdgeRow,
  type IntegrityRepository,
  type NewAsset,
} from './types.js';

type PgAssetRow = Omit<AssetRow, 'last_verified' | 'created_at' | 'updated_at'> & { last_verified: string; created_at: Date; updated_at: Date };
type PgChangeRow = Omit<ChangeRow, 'created_at' | 'decided_at' | 'applied_at'> & { created_at: Date; decided_at: Date | null; applied_at: Date | null };
type PgEdgeRow = Omit<EdgeRow, 'id' | 'recorded_at'> & { id: string; recorded_at: Date };

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
// BIGINT arrives as text from `pg`; epoch seconds and edge ids are far below 2^53.
const toAsset = (r: PgAssetRow): Asset => assetFromRow({ ...r, last_verified: Number(r.last_verified), created_at: r.created_at.toISOString(), updated_at: r.updated_at.toISOString() });
const toChange = (r: PgChangeRow): ChangeRequest => changeFromRow({ ...r, created_at: r.created_at.toISOString(), decided_at: iso(r.decided_at), applied_at: iso(r.applied_at) });
const toEdge = (r: PgEdgeRow): LineageEdge => edgeFromRow({ ...r, id: Number(r.id), recorded_at: r.recorded_at.toISOString() });

/** Advisory-lock key serialising lineage writes across instances (an arbitrary constant: "WARDEN-L"). */
const LINEAGE_LOCK = 0x5741_5244_454e_2d4cn;

const REACHES = `WITH RECURSIVE down(id) AS (SELECT $1::text UNION SELECT l.downstream_id FROM integrity_lineage l JOIN down ON l.upstream_id = down.id)
  SELECT 1 AS hit FROM down WHERE id = $2 LIMIT 1`;

export class PgIntegrityRepository implements IntegrityRepository {
  private constructor(private readonly pool: PgPool) {}

  static async open(pool: PgPool): Promise<PgIntegrityRepository> {
    await applyPgMigrations(pool, INTEGRITY_MODULE, PG_MIGRATIONS);
    return new PgIntegrityRepository(pool);
  }

  async insertAsset(a: NewAsset): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO integrity_assets (id, kind, name, location, owner, sensitivity, expected_signer, signer_public_key, serialization, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) ON CONFLICT (id) DO NOTHING`,
      [a.id, a.kind, a.name, a.location, a.owner, a.sensitivity, a.expectedSigner, a.signerPublicKey, JSON.stringify(a.serialization), a.createdBy, a.createdAt],
    );
    return result.rowCount === 1;
  }

  async getAsset(id: string): Promise<Asset | undefined> {
    const { rows } = await this.pool.query<PgAssetRow>(`SELECT ${ASSET_COLUMNS} FROM integrity_assets WHERE id = $1`, [id]);
    return rows[0] ? toAsset(rows[0]) : undefined;
  }

  async listAssets(): Promise<Asset[]> {
    const { rows } = await this.pool.query<PgAssetRow>(`SELECT ${ASSET_COLUMNS} FROM integrity_assets ORDER BY id`);
    return rows.map(toAsset);
  }

  async assetEvidence(id: string): Promise<AssetEvidence | undefined> {
    const { rows } = await this.pool.query<{ manifest: string | null; tampered_digest: string | null }>('SELECT manifest, tampered_digest FROM integrity_assets WHERE id = $1', [id]);
    return rows[0] ? evidenceFrom(rows[0].manifest, rows[0].tampered_digest) : undefined;
  }

  async updateAsset(id: string, state: AssetState, at: string): Promise<Asset | undefined> {
    const assignments = stateAssignments(state);
    const values: unknown[] = assignments.map(([, value]) => value);
    const sets = assignments.map(([column], i) => `${column} = $${i + 1}`);
    values.push(at, id);
    sets.push(`updated_at = $${values.length - 1}`);
    const { rows } = await this.pool.query<PgAssetRow>(`UPDATE integrity_assets SET ${sets.join(', ')} WHERE id = $${values.length} RETURNING ${ASSET_COLUMNS}`, values);
    return rows[0] ? toAsset(rows[0]) : undefined;
  }

  async insertChange(c: ChangeRequest): Promise<void> {
    await this.pool.query(
      `INSERT INTO integrity_changes (id, asset_id, requested_by, reason, expected_digest, status, decided_by, decision_note, created_at, decided_at, applied_at, applied_digest)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [c.id, c.assetId, c.requestedBy, c.reason, c.expectedDigest, c.status, c.decidedBy, c.decisionNote, c.createdAt, c.decidedAt, c.appliedAt, c.appliedDigest],
    );
  }

  async getChange(id: string): Promise<ChangeRequest | undefined> {
    const { rows } = await this.pool.query<PgChangeRow>('SELECT * FROM integrity_changes WHERE id = $1', [id]);
    return rows[0] ? toChange(rows[0]) : undefined;
  }

  async listChanges(filter: ChangeFilter): Promise<ChangeRequest[]> {
    const { rows } = await this.pool.query<PgChangeRow>(
      'SELECT * FROM integrity_changes WHERE ($1::text IS NULL OR asset_id = $1) AND ($2::text IS NULL OR status = $2) ORDER BY created_at, id',
      [filter.assetId ?? null, filter.status ?? null],
    );
    return rows.map(toChange);
  }

  async expireApprovals(cutoff: string): Promise<void> {
    await this.pool.query("UPDATE integrity_changes SET status = 'expired' WHERE status = 'approved' AND decided_at < $1", [cutoff]);
  }

  async decideChange(id: string, d: ChangeDecision): Promise<ChangeRequest | undefined> {
    const { rows } = await this.pool.query<PgChangeRow>(
      "UPDATE integrity_changes SET status = $2, decided_by = $3, decision_note = $4, decided_at = $5 WHERE id = $1 AND status = 'pending' AND requested_by <> $3 RETURNING *",
      [id, d.status, d.by, d.note, d.at],
    );
    return rows[0] ? toChange(rows[0]) : undefined;
  }

  async markApplied(id: string, digest: string, at: string, approvedSince: string): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE integrity_changes SET status = 'applied', applied_at = $2, applied_digest = $3
       WHERE id = $1 AND status = 'approved' AND decided_at >= $4 AND (expected_digest IS NULL OR expected_digest = $3)`,
      [id, at, digest, approvedSince],
    );
    return result.rowCount === 1;
  }

  addEdge(e: Omit<LineageEdge, 'id'>): Promise<LineageEdge | undefined> {
    return withTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [LINEAGE_LOCK.toString()]);
      if ((await client.query(REACHES, [e.downstreamId, e.upstreamId])).rowCount) return undefined;
      const { rows } = await client.query<PgEdgeRow>(
        `INSERT INTO integrity_lineage (upstream_id, downstream_id, run_id, upstream_digest, downstream_digest, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [e.upstreamId, e.downstreamId, e.runId, e.upstreamDigest, e.downstreamDigest, e.recordedBy, e.recordedAt],
      );
      return toEdge(rows[0]!);
    });
  }

  async edges(assetId: string, direction: 'up' | 'down'): Promise<LineageEdge[]> {
    const sql = direction === 'down' ? 'SELECT * FROM integrity_lineage WHERE upstream_id = $1 ORDER BY id' : 'SELECT * FROM integrity_lineage WHERE downstream_id = $1 ORDER BY id';
    const { rows } = await this.pool.query<PgEdgeRow>(sql, [assetId]);
    return rows.map(toEdge);
  }

  /**
   * LISTENs on a connection of its own (held from the pool) for the trigger's notifications naming this
   * schema. A lost connection is replaced after `retryMs`, and the replacement calls `onChange` once:
   * whatever was committed while nobody listened is read by that reload.
   */
  async watchAssets(onChange: () => void, onError: (error: unknown) => void, retryMs = 1000): Promise<AssetWatch> {
    let closed = false;
    let client: PgClient | undefined;
    let retry: NodeJS.Timeout | undefined;
    const schedule = (): void => {
      retry = setTimeout(() => void listen(true), retryMs);
      retry.unref();
    };
    const lost = (from: PgClient, error: unknown): void => {
      if (client !== from) return;
      client = undefined;
      from.release(true);
      if (closed) return;
      onError(error);
      schedule();
    };
    const listen = async (again: boolean): Promise<void> => {
      let c: PgClient | undefined;
      try {
        c = await this.pool.connect();
        const conn = c;
        conn.on('error', (error) => lost(conn, error));
        conn.on('end', () => lost(conn, new Error('the integrity listener connection ended')));
        const { rows } = await conn.query<{ schema: string }>('SELECT current_schema() AS schema');
        const schema = rows[0]!.schema;
        conn.on('notification', (message) => {
          if (message.channel === INTEGRITY_CHANNEL && message.payload === schema) onChange();
        });
        await conn.query(`LISTEN ${INTEGRITY_CHANNEL}`);
      } catch (error) {
        c?.release(true);
        if (closed) return;
        onError(error);
        return schedule();
      }
      // Destroyed rather than returned to the pool: it carries this watch's listeners.
      if (closed) return void c.release(true);
      client = c;
      if (again) onChange();
    };
    await listen(false);
    return {
      close: () => {
        closed = true;
        clearTimeout(retry);
        const c = client;
        client = undefined;
        c?.release(true);
        return Promise.resolve();
      },
    };
  }
}
