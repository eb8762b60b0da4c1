export { InProcessBus, stampEvent, type EventBus, type EventHandler, type Subscription } from './bus.js';
export { DecisionLog, type DecisionLogOptions, type DecisionSource, type DecisionWriter } from './decision-log.js';
export type { DecisionListQuery, DecisionOverview, DecisionPage, DecisionQuery, DecisionRepository, RecordedDecision, RiskHour } from './store/types.js';
export { SqliteDecisionRepository } from './store/sqlite.js';
export { PgDecisionRepository, insertDecisionsWithin } from './store/postgres.js';
