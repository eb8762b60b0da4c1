export { InProcessBus, stampEvent, type EventBus, type EventHandler, type Subscription } from './bus.js';
export { DecisionLog, type DecisionPage, type DecisionQuery } from './decision-log.js';
export { DecisionStats, type DecisionOverview, type DecisionListQuery } from './decision-stats.js';
