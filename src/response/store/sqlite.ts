/** The response repository on the embedded SQLite store (synchronous FULL: an acknowledged action survives a crash). */
import { applyMigrations, type SqliteDatabase } from '../../store/index.js';
import type { ActionRecord, Incident, Notification } from '../types.js';
import { RESPONSE_MODULE, sqliteMigrations } from './migrations.js';
import type { ActionQuery, IncidentQuery, NotificationQuery, ResponseRepository } from './types.js';

const MAX_LIMIT = 10_000;

export class SqliteResponseRepository implements ResponseRepository {
  constructor(private readonly db: SqliteDatabase) {
    applyMigrations(db, RESPONSE_MODULE, sqliteMigrations);
  }

  async saveAction(a: ActionRecord): Promise<void> {
    this.db.prepare('INSERT OR REPLACE INTO response_actions (id, status, updated_at, data) VALUES (?, ?, ?, ?)').run(a.id, a.status, a.updatedAt, JSON.stringify(a));
  }

  async getAction(id: string): Promise<ActionRecord | undefined> {
    return one<ActionRecord>(this.db.prepare('SELECT data FROM response_actions WHERE id = ?').get(id));
  }

  async listActions(q: ActionQuery = {}): Promise<ActionRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.status) {
      where.push(`status IN (${q.status.map(() => '?').join(',') || 'NULL'})`);
      args.push(...q.status);
    }
    if (q.updatedSince) {
      where.push('updated_at >= ?');
      args.push(q.updatedSince);
    }
    return this.many<ActionRecord>('response_actions', where, args, 'updated_at DESC', q.limit);
  }

  async saveIncident(i: Incident): Promise<void> {
    this.db.prepare('INSERT OR REPLACE INTO response_incidents (id, state, last_activity_at, data) VALUES (?, ?, ?, ?)').run(i.id, i.state, i.lastActivityAt, JSON.stringify(i));
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    return one<Incident>(this.db.prepare('SELECT data FROM response_incidents WHERE id = ?').get(id));
  }

  async listIncidents(q: IncidentQuery = {}): Promise<Incident[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.state) {
      where.push(`state IN (${q.state.map(() => '?').join(',') || 'NULL'})`);
      args.push(...q.state);
    }
    if (q.activeSince) {
      where.push('last_activity_at >= ?');
      args.push(q.activeSince);
    }
    return this.many<Incident>('response_incidents', where, args, 'last_activity_at DESC', q.limit);
  }

  async saveNotification(n: Notification): Promise<void> {
    this.db.prepare('INSERT OR REPLACE INTO response_notifications (id, status, next_attempt_at, data) VALUES (?, ?, ?, ?)').run(n.id, n.status, n.nextAttemptAt, JSON.stringify(n));
  }

  async getNotification(id: string): Promise<Notification | undefined> {
    return one<Notification>(this.db.prepare('SELECT data FROM response_notifications WHERE id = ?').get(id));
  }

  async listNotifications(q: NotificationQuery = {}): Promise<Notification[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.status) {
      where.push('status = ?');
      args.push(q.status);
    }
    if (q.dueBy) {
      where.push('next_attempt_at <= ?');
      args.push(q.dueBy);
    }
    return this.many<Notification>('response_notifications', where, args, 'next_attempt_at ASC', q.limit);
  }

  async close(): Promise<void> {
    // The database belongs to the caller.
  }

  private many<T>(table: string, where: string[], args: unknown[], order: string, limit = MAX_LIMIT): T[] {
    const sql = `SELECT data FROM ${table}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order}, id LIMIT ?`;
    return (this.db.prepare(sql).all(...args, Math.min(limit, MAX_LIMIT)) as { data: string }[]).map((r) => JSON.parse(r.data) as T);
  }
}

function one<T>(row: unknown): T | undefined {
  return row ? (JSON.parse((row as { data: string }).data) as T) : undefined;
}
