/** The integrity registry in the embedded SQLite database (the tables data directories already have). */
import { applyMigrations, type SqliteDatabase } from '../../store/index.js';
import type { Asset, ChangeRequest, LineageEdge } from '../registry/types.js';
import { INTEGRITY_MODULE, SQLITE_MIGRATIONS } from './migrations.js';
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
  type ChangeDecision,
  type ChangeFilter,
  type ChangeRow,
  type EdgeRow,
  type IntegrityRepository,
  type NewAsset,
} from './types.js';

/** SQLite keeps booleans as 0/1. */
type StoredAssetRow = Omit<AssetRow, 'verified' | 'suspect'> & { verified: number; suspect: number };

const toAsset = (row: StoredAssetRow): Asset => assetFromRow({ ...row, verified: row.verified === 1, suspect: row.suspect === 1 });

/** Whether `target` is `start` or reachable downstream of it (UNION, not UNION ALL: terminates on any graph). */
const REACHES = `WITH RECURSIVE down(id) AS (SELECT ? UNION SELECT l.downstream_id FROM integrity_lineage l JOIN down ON l.upstream_id = down.id)
  SELECT 1 AS hit FROM down WHERE id = ? LIMIT 1`;

export class SqliteIntegrityRepository implements IntegrityRepository {
  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, INTEGRITY_MODULE, SQLITE_MIGRATIONS);
  }

  async insertAsset(a: NewAsset): Promise<boolean> {
    const result = this.db
      .prepare(
        `INSERT INTO integrity_assets (id, kind, name, location, owner, sensitivity, expected_signer, signer_public_key, serialization,
          created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      )
      .run(a.id, a.kind, a.name, a.location, a.owner, a.sensitivity, a.expectedSigner, a.signerPublicKey, JSON.stringify(a.serialization), a.createdBy, a.createdAt, a.createdAt);
    return result.changes === 1;
  }

  async getAsset(id: string): Promise<Asset | undefined> {
    const row = this.db.prepare(`SELECT ${ASSET_COLUMNS} FROM integrity_assets WHERE id = ?`).get(id) as StoredAssetRow | undefined;
    return row ? toAsset(row) : undefined;
  }

  async listAssets(): Promise<Asset[]> {
    return (this.db.prepare(`SELECT ${ASSET_COLUMNS} FROM integrity_assets ORDER BY id`).all() as StoredAssetRow[]).map(toAsset);
  }

  async assetEvidence(id: string): Promise<AssetEvidence | undefined> {
    const row = this.db.prepare('SELECT manifest, tampered_digest FROM integrity_assets WHERE id = ?').get(id) as { manifest: string | null; tampered_digest: string | null } | undefined;
    return row ? evidenceFrom(row.manifest, row.tampered_digest) : undefined;
  }

  async updateAsset(id: string, state: AssetState, at: string): Promise<Asset | undefined> {
    const assignments = stateAssignments(state);
    const sets = [...assignments.map(([column]) => `${column} = ?`), 'updated_at = ?'];
    const values = assignments.map(([, value]) => (typeof value === 'boolean' ? (value ? 1 : 0) : value));
    this.db.prepare(`UPDATE integrity_assets SET ${sets.join(', ')} WHERE id = ?`).run(...values, at, id);
    return this.getAsset(id);
  }

  async insertChange(c: ChangeRequest): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO integrity_changes (id, asset_id, requested_by, reason, expected_digest, status, decided_by, decision_note, created_at, decided_at, applied_at, applied_digest)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(c.id, c.assetId, c.requestedBy, c.reason, c.expectedDigest, c.status, c.decidedBy, c.decisionNote, c.createdAt, c.decidedAt, c.appliedAt, c.appliedDigest);
  }

  async getChange(id: string): Promise<ChangeRequest | undefined> {
    const row = this.db.prepare('SELECT * FROM integrity_changes WHERE id = ?').get(id) as ChangeRow | undefined;
    return row ? changeFromRow(row) : undefined;
  }

  async listChanges(filter: ChangeFilter): Promise<ChangeRequest[]> {
    const rows = this.db
      .prepare('SELECT * FROM integrity_changes WHERE (? IS NULL OR asset_id = ?) AND (? IS NULL OR status = ?) ORDER BY created_at, id')
      .all(filter.assetId ?? null, filter.assetId ?? null, filter.status ?? null, filter.status ?? null) as ChangeRow[];
    return rows.map(changeFromRow);
  }

  async expireApprovals(cutoff: string): Promise<void> {
    this.db.prepare("UPDATE integrity_changes SET status = 'expired' WHERE status = 'approved' AND decided_at < ?").run(cutoff);
  }

  async decideChange(id: string, d: ChangeDecision): Promise<ChangeRequest | undefined> {
    const result = this.db
      .prepare("UPDATE integrity_changes SET status = ?, decided_by = ?, decision_note = ?, decided_at = ? WHERE id = ? AND status = 'pending' AND requested_by <> ?")
      .run(d.status, d.by, d.note, d.at, id, d.by);
    return result.changes === 1 ? this.getChange(id) : undefined;
  }

  async markApplied(id: string, digest: string, at: string, approvedSince: string): Promise<boolean> {
    const result = this.db
      .prepare(
        `UPDATE integrity_changes SET status = 'applied', applied_at = ?, applied_digest = ?
         WHERE id = ? AND status = 'approved' AND decided_at >= ? AND (expected_digest IS NULL OR expected_digest = ?)`,
      )
      .run(at, digest, id, approvedSince, digest);
    return result.changes === 1;
  }

  async addEdge(e: Omit<LineageEdge, 'id'>): Promise<LineageEdge | undefined> {
    // IMMEDIATE: the write lock is taken before the check, so a CLI process cannot add the reverse edge in between.
    return this.db
      .transaction((): LineageEdge | undefined => {
        if (this.db.prepare(REACHES).get(e.downstreamId, e.upstreamId)) return undefined;
        const result = this.db
          .prepare('INSERT INTO integrity_lineage (upstream_id, downstream_id, run_id, upstream_digest, downstream_digest, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(e.upstreamId, e.downstreamId, e.runId, e.upstreamDigest, e.downstreamDigest, e.recordedBy, e.recordedAt);
        return edgeFromRow(this.db.prepare('SELECT * FROM integrity_lineage WHERE id = ?').get(result.lastInsertRowid) as EdgeRow);
      })
      .immediate();
  }

  async edges(assetId: string, direction: 'up' | 'down'): Promise<LineageEdge[]> {
    const sql = direction === 'down' ? 'SELECT * FROM integrity_lineage WHERE upstream_id = ? ORDER BY id' : 'SELECT * FROM integrity_lineage WHERE downstream_id = ? ORDER BY id';
    return (this.db.prepare(sql).all(assetId) as EdgeRow[]).map(edgeFromRow);
  }
}
