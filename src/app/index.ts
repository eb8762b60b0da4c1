/**
 * The application: `WardenApp` wires every module into one running instance, and `openStateStores`
 * chooses where their state lives (SQLite, or PostgreSQL in a cluster) for the app and the CLI.
 */
export { WardenApp } from './warden.js';
export { databaseUrlFor, openStateStores } from './state-stores.js';
export type { StateStores } from './state-stores.js';
