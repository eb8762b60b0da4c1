/** Automated response: playbooks, incidents, actions (revoke, quarantine, cut streams), notifications, webhooks. */
export { responseConfigSchema, playbookSchema, type ResponseConfig, type Playbook, type PlaybookAction } from './config.js';
export { ResponseEngine } from './engine.js';
export type { CredentialStore, StreamCutter, RiskForgiver } from './ports.js';
export { ResponseGate, withQuarantinedAssets } from './gate.js';
export { responseAdminRoutes } from './admin-routes.js';
export { ResponseMetrics } from './metrics.js';
export { incidentStats, type IncidentStats } from './measures.js';
export { replayDeadLetters } from './notifier.js';
export { verifyWebhook, signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook.js';
export { SqliteResponseRepository } from './store/sqlite.js';
export { PostgresResponseRepository } from './store/postgres.js';
export type { ResponseRepository } from './store/types.js';
export type { ActionRecord, ActionStatus, Incident, IncidentState, Notification, Resolution } from './types.js';
