/**
 * The response module's persistence (storage convention, issue 12): async methods, one SQLite and one
 * PostgreSQL implementation, the same conformance suite over both. Records are stored whole as JSON
 * with the columns queries filter on beside them, so both dialects stay a few lines of SQL each.
 */
import type { ActionRecord, ActionStatus, Incident, IncidentState, Notification } from '../types.js';

export interface ActionQuery {
  status?: readonly ActionStatus[];
  /** Changed at or after this ISO time. */
  updatedSince?: string;
  limit?: number;
}

export interface IncidentQuery {
  state?: readonly IncidentState[];
  /** Last activity at or after this ISO time. */
  activeSince?: string;
  limit?: number;
}

export interface NotificationQuery {
  status?: Notification['status'];
  /** Only those due at or before this ISO time. */
  dueBy?: string;
  limit?: number;
}

export interface ResponseRepository {
  /** Inserts or replaces the action; settles once it is durable. */
  saveAction(action: ActionRecord): Promise<void>;
  getAction(id: string): Promise<ActionRecord | undefined>;
  /** Newest first. */
  listActions(query?: ActionQuery): Promise<ActionRecord[]>;
  saveIncident(incident: Incident): Promise<void>;
  getIncident(id: string): Promise<Incident | undefined>;
  /** Newest activity first. */
  listIncidents(query?: IncidentQuery): Promise<Incident[]>;
  saveNotification(notification: Notification): Promise<void>;
  getNotification(id: string): Promise<Notification | undefined>;
  /** Oldest due first. */
  listNotifications(query?: NotificationQuery): Promise<Notification[]>;
  close(): Promise<void>;
}
