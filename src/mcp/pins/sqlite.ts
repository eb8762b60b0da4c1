/** The SQLite implementation of the tool pin repository (the embedded store). */
import { applyMigrations, type SqliteDatabase } from '../../store/index.js';
import { PIN_MODULE, SQLITE_MIGRATIONS } from './migrations.js';
import type { PinFilter, ToolPin, ToolPinRepository } from './types.js';

interface PinRow {
  id: string;
  server: string;
  tool: string;
  hash: string;
  definition: string;
  status: ToolPin['status'];
  findings: string;
  previous_hash: string | null;
  decided_by: string | null;
  note: string | null;
  first_seen: string;
  decided_at: string | null;
}

export class SqlitePinRepository implements ToolPinRepository {
  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, PIN_MODULE, SQLITE_MIGRATIONS);
  }

  async insertIfAbsent(pin: ToolPin): Promise<boolean> {
    const result = this.db
      .prepare(
        `INSERT INTO mcp_tool_pins (id, server, tool, hash, definition, status, findings, previous_hash, decided_by, note, first_seen, decided_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(pin.id, pin.server, pin.tool, pin.hash, JSON.stringify(pin.definition), pin.status, JSON.stringify(pin.findings), pin.previousHash, pin.decidedBy, pin.note, pin.firstSeen, pin.decidedAt);
    return Promise.resolve(result.changes === 1);
  }

  async get(id: string): Promise<ToolPin | undefined> {
    return Promise.resolve(this.read(id));
  }

  async list(filter: PinFilter = {}): Promise<ToolPin[]> {
    const rows = this.db
      .prepare('SELECT * FROM mcp_tool_pins WHERE (? IS NULL OR status = ?) AND (? IS NULL OR server = ?) ORDER BY first_seen, id')
      .all(filter.status ?? null, filter.status ?? null, filter.server ?? null, filter.server ?? null) as PinRow[];
    return Promise.resolve(rows.map((r) => this.toPin(r)));
  }

  async approve(id: string, approver: string, required: number, at: string): Promise<ToolPin | undefined> {
    return Promise.resolve(
      this.db.transaction(() => {
        const pin = this.read(id);
        if (!pin || pin.status !== 'pending') return pin;
        this.db.prepare('INSERT INTO mcp_tool_pin_approvals (pin_id, approver, approved_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(id, approver, at);
        const count = (this.db.prepare('SELECT count(*) AS n FROM mcp_tool_pin_approvals WHERE pin_id = ?').get(id) as { n: number }).n;
        if (count >= required) this.db.prepare("UPDATE mcp_tool_pins SET status = 'approved', decided_by = ?, decided_at = ? WHERE id = ?").run(approver, at, id);
        return this.read(id);
      }).immediate(),
    );
  }

  async reject(id: string, by: string, note: string | null, at: string): Promise<ToolPin | undefined> {
    return Promise.resolve(
      this.db.transaction(() => {
        this.db.prepare("UPDATE mcp_tool_pins SET status = 'rejected', decided_by = ?, note = ?, decided_at = ? WHERE id = ? AND status = 'pending'").run(by, note, at, id);
        return this.read(id);
      }).immediate(),
    );
  }

  async close(): Promise<void> {
    // The database belongs to the caller.
  }

  private read(id: string): ToolPin | undefined {
    const row = this.db.prepare('SELECT * FROM mcp_tool_pins WHERE id = ?').get(id) as PinRow | undefined;
    return row ? this.toPin(row) : undefined;
  }

  private toPin(r: PinRow): ToolPin {
    const approvals = (this.db.prepare('SELECT approver FROM mcp_tool_pin_approvals WHERE pin_id = ? ORDER BY rowid').all(r.id) as { approver: string }[]).map((a) => a.approver);
    return {
      id: r.id,
      server: r.server,
      tool: r.tool,
      hash: r.hash,
      definition: JSON.parse(r.definition) as ToolPin['definition'],
      status: r.status,
      findings: JSON.parse(r.findings) as ToolPin['findings'],
      previousHash: r.previous_hash,
      approvals,
      decidedBy: r.decided_by,
      note: r.note,
      firstSeen: r.first_seen,
      decidedAt: r.decided_at,
    };
  }
}
