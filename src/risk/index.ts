/** The risk module's public interface: behaviour analytics, detections and the live risk score. */
export { createRiskEngine, type RiskEngineOptions, type RiskLogger } from './engine.js';
export { riskConfigSchema, changeWindowSchema, DEFAULT_WEIGHTS, type RiskConfig, type RiskConfigInput } from './config.js';
export { riskAdminRoutes, ingestBatch } from './admin-routes.js';
export { parseLog, parseCounts, isLogFormat, LOG_FORMATS, type LogFormat, type ParseResult, type ParseOptions } from './connectors/index.js';
export { openGeoLocator, distanceKm, type GeoLocator, type GeoLocation } from './geo.js';
export { RISK_MIGRATIONS, type RiskRepository } from './store.js';
export type { DetectionRepository } from './store/detections.js';
export { SqliteDetectionRepository } from './store/detections-sqlite.js';
export { PgDetectionRepository } from './store/detections-postgres.js';
export { SqliteRiskInbox, type RiskInbox, type InboxEntry } from './inbox.js';
export type { RiskEngine, DetectionRecord, DetectionQuery, IngestResult } from './types.js';
export { simulate, evaluate, type Simulation, type SimulationOptions, type Evaluation, type ScenarioResult } from './simulate/run.js';
export { renderEvaluation } from './simulate/report.js';
export { Random } from './simulate/random.js';
export { rankSources, type RankedSource } from './rank.js';
export { openMemoryDatabase } from './store.js';
