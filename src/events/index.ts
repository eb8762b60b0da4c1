/** The event bus (in process, or NATS across a cluster), the decision log and its repositories, deferred events. */
export { InProcessBus, stampEvent, type EventBus, type EventHandler, type Subscription } from './bus.js';
export { DecisionLog, type DecisionLogOptions, type DecisionSource, type DecisionWriter } from './decision-log.js';
export type { DecisionListQuery, DecisionOverview, DecisionPage, DecisionQuery, DecisionRepository, RecordedDecision, RiskHour } from './store/types.js';
export { SqliteDecisionRepository } from './store/sqlite.js';
export { PgDecisionRepository, insertDecisionsWithin } from './store/postgres.js';
export { PostgresDeferredEvents } from './deferred/postgres.js';
export { deferringBus, relayDeferred } from './deferred/relay.js';
export { SqliteDeferredEvents } from './deferred/sqlite.js';
export type { DeferredEventRepository } from './deferred/types.js';
export { NatsBus } from './nats/bus.js';
export type { NatsBusStatus } from './nats/bus.js';
export { Outbox } from './nats/outbox.js';
export { parseStreamEvent } from './nats/stream.js';
