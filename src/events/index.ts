export { InProcessBus, stampEvent, type EventBus, type EventHandler, type Subscription } from './bus.js';
export { DecisionLog, type DecisionPage, type DecisionQuery } from './decision-log.js';
