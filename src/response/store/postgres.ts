/** The response repository on the clustered PostgreSQL store: the same rows and queries as sqlite.ts. */
import { applyPgMigrations, type PgPool } from '../../store/index.js';
import type { ActionRecord, Incident, Notification } from '../types.js';
import { RESPONSE_MODULE, pgMigrations } from './migrations.js';
import type { ActionQuery, IncidentQuery, NotificationQuery, ResponseRepository } from './types.js';

const MAX_LIMIT = 10_000;

export class PostgresResponseRepository implements ResponseRepository {
  private constructor(private readonly pool: PgPool) {}

  static async open(pool: PgPool): Promise<PostgresResponseRepository> {
    await applyPgMigrations(pool, RESPONSE_MODULE, pgMigrations);
    return new PostgresResponseRepository(pool);
  }

  async saveAction(a: ActionRecord): Promise<void> {
    await this.upsert('response_actions', ['status', 'updated_at'], [a.id, a.status, a.updatedAt, JSON.stringify(a)]);
  }

  async getAction(id: string): Promise<ActionRecord | undefined> {
    return this.one<ActionRecord>('response_actions', id);
  }

  async listActions(q: ActionQuery = {}): Promise<ActionRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.status) {
      args.push([...q.status]);
      where.push(`status = ANY($${args.length})`);
    }
    if (q.updatedSince) {
      args.push(q.updatedSince);
      where.push(`updated_at >= $${args.length}`);
    }
    return this.many<ActionRecord>('response_actions', where, args, 'updated_at DESC', q.limit);
  }

  async saveIncident(i: Incident): Promise<void> {
    await this.upsert('response_incidents', ['state', 'last_activity_at'], [i.id, i.state, i.lastActivityAt, JSON.stringify(i)]);
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    return this.one<Incident>('response_incidents', id);
  }

  async listIncidents(q: IncidentQuery = {}): Promise<Incident[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.state) {
      args.push([...q.state]);
      where.push(`state = ANY($${args.length})`);
    }
    if (q.activeSince) {
      args.push(q.activeSince);
      where.push(`last_activity_at >= $${args.length}`);
    }
    return this.many<Incident>('response_incidents', where, args, 'last_activity_at DESC', q.limit);
  }

  async saveNotification(n: Notification): Promise<void> {
    await this.upsert('response_notifications', ['status', 'next_attempt_at'], [n.id, n.status, n.nextAttemptAt, JSON.stringify(n)]);
  }

  async getNotification(id: string): Promise<Notification | undefined> {
    return this.one<Notification>('response_notifications', id);
  }

  async listNotifications(q: NotificationQuery = {}): Promise<Notification[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.status) {
      args.push(q.status);
      where.push(`status = $${args.length}`);
    }
    if (q.dueBy) {
      args.push(q.dueBy);
      where.push(`next_attempt_at <= $${args.length}`);
    }
    return this.many<Notification>('response_notifications', where, args, 'next_attempt_at ASC', q.limit);
  }

  async close(): Promise<void> {
    // The pool belongs to the caller.
  }

  private async upsert(table: string, columns: [string, string], values: [string, string, string, string]): Promise<void> {
    const [a, b] = columns;
    await this.pool.query(`INSERT INTO ${table} (id, ${a}, ${b}, data) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET ${a} = EXCLUDED.${a}, ${b} = EXCLUDED.${b}, data = EXCLUDED.data`, values);
  }

  private async one<T>(table: string, id: string): Promise<T | undefined> {
    const { rows } = await this.pool.query<{ data: string }>(`SELECT data FROM ${table} WHERE id = $1`, [id]);
    return rows[0] ? (JSON.parse(rows[0].data) as T) : undefined;
  }

  private async many<T>(table: string, where: string[], args: unknown[], order: string, limit = MAX_LIMIT): Promise<T[]> {
    args.push(Math.min(limit, MAX_LIMIT));
    const sql = `SELECT data FROM ${table}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order}, id LIMIT $${args.length}`;
    const { rows } = await this.pool.query<{ data: string }>(sql, args);
    return rows.map((r) => JSON.parse(r.data) as T);
  }
}
