/** The PostgreSQL implementation of the tool pin repository (clustered store). */
import { applyPgMigrations, withTransaction, type PgClient, type PgPool } from '../../store/index.js';
import { PG_MIGRATIONS, PIN_MODULE } from './migrations.js';
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
  first_seen: Date;
  decided_at: Date | null;
}

type Queryable = Pick<PgClient, 'query'> | PgPool;

export class PostgresPinRepository implements ToolPinRepository {
  private constructor(private readonly pool: PgPool) {}

  static async open(pool: PgPool): Promise<PostgresPinRepository> {
    await applyPgMigrations(pool, PIN_MODULE, PG_MIGRATIONS);
    return new PostgresPinRepository(pool);
  }

  async insertIfAbsent(pin: ToolPin): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO mcp_tool_pins (id, server, tool, hash, definition, status, findings, previous_hash, decided_by, note, first_seen, decided_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING`,
      [pin.id, pin.server, pin.tool, pin.hash, JSON.stringify(pin.definition), pin.status, JSON.stringify(pin.findings), pin.previousHash, pin.decidedBy, pin.note, pin.firstSeen, pin.decidedAt],
    );
    return result.rowCount === 1;
  }

  get(id: string): Promise<ToolPin | undefined> {
    return read(this.pool, id);
  }

  async list(filter: PinFilter = {}): Promise<ToolPin[]> {
    const { rows } = await this.pool.query<PinRow>('SELECT * FROM mcp_tool_pins WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR server = $2) ORDER BY first_seen, id', [filter.status ?? null, filter.server ?? null]);
    return Promise.all(rows.map((r) => toPin(this.pool, r)));
  }

  approve(id: string, approver: string, required: number, at: string): Promise<ToolPin | undefined> {
    return withTransaction(this.pool, async (client) => {
      // The row lock serialises approvals of one pin across instances: the count below is exact.
      const pin = await read(client, id, true);
      if (!pin || pin.status !== 'pending') return pin;
      await client.query('INSERT INTO mcp_tool_pin_approvals (pin_id, approver, approved_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [id, approver, at]);
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM mcp_tool_pin_approvals WHERE pin_id = $1', [id]);
      if (Number(rows[0]!.n) >= required) await client.query("UPDATE mcp_tool_pins SET status = 'approved', decided_by = $2, decided_at = $3 WHERE id = $1", [id, approver, at]);
      return read(client, id);
    });
  }

  reject(id: string, by: string, note: string | null, at: string): Promise<ToolPin | undefined> {
    return withTransaction(this.pool, async (client) => {
      await client.query("UPDATE mcp_tool_pins SET status = 'rejected', decided_by = $2, note = $3, decided_at = $4 WHERE id = $1 AND status = 'pending'", [id, by, note, at]);
      return read(client, id);
    });
  }

  async close(): Promise<void> {
    // The pool belongs to the caller.
  }
}

async function read(db: Queryable, id: string, lock = false): Promise<ToolPin | undefined> {
  const { rows } = await db.query<PinRow>(`SELECT * FROM mcp_tool_pins WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] ? toPin(db, rows[0]) : undefined;
}

async function toPin(db: Queryable, r: PinRow): Promise<ToolPin> {
  const { rows } = await db.query<{ approver: string }>('SELECT approver FROM mcp_tool_pin_approvals WHERE pin_id = $1 ORDER BY seq', [r.id]);
  return {
    id: r.id,
    server: r.server,
    tool: r.tool,
    hash: r.hash,
    definition: JSON.parse(r.definition) as ToolPin['definition'],
    status: r.status,
    findings: JSON.parse(r.findings) as ToolPin['findings'],
    previousHash: r.previous_hash,
    approvals: rows.map((a) => a.approver),
    decidedBy: r.decided_by,
    note: r.note,
    firstSeen: r.first_seen.toISOString(),
    decidedAt: r.decided_at ? r.decided_at.toISOString() : null,
  };
}
