/** SIEM export: OCSF / ECS / CEF formats; Splunk HEC, syslog (UDP, TCP, TLS), JSON Lines sinks; persisted cursors. */
export { createExporter, type Exporter, type ExporterOptions, type ExporterStatus } from './exporter.js';
export {
  exportConfigSchema,
  exportSinkSchema,
  exportFormatSchema,
  type ExportConfig,
  type ExportConfigInput,
  type ExportSinkConfig,
  type ExportFormat,
} from './config.js';
export type { SinkStatus, SinkState, ExportLogger } from './worker.js';
export { createExportAdminRoutes } from './admin-routes.js';
export { SqliteExportCursorRepository, EXPORT_MIGRATIONS } from './store/sqlite.js';
export { PgExportCursorRepository } from './store/postgres.js';
export type { ExportCursorRepository, SinkLease, CursorRow, DeadLetter } from './store/types.js';
export { formatRecord, toOcsf, toEcs, toCef, toNative, OCSF_VERSION, ECS_VERSION, defaultFormatContext, type ExportRecord, type FormatContext, type OcsfEvent } from './formats/index.js';
export { frameSyslog } from './sinks/syslog.js';
